"""What an instance loaded from the database holds, to compare one a prepared query made with the queryset's."""


def loaded(obj, depth=2):
    """An instance's loaded values, its annotations and its cached relations (two levels: a one-to-one's
    back-reference is cached too)."""
    plain = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    cached = {
        name: None if related is None else loaded(related, depth - 1) if depth else related.pk
        for name, related in obj._state.fields_cache.items()
    }
    return plain, cached, obj._state.adding, obj._state.db
