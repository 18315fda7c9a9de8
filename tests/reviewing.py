"""Helpers of the access-review tests (their fixtures are in conftest)."""

from accessctl.audit.log import Origin

WEB = Origin("web")


def item_of(review, user, app=None):
    """The review's item about ``user``: their grant on ``app``, or their team role."""
    items = review.items.filter(user=user)
    return items.get(app=app) if app is not None else items.get(kind="role")
