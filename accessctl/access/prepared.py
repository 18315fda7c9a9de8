"""Querysets compiled to SQL once a process and database, then run with bound parameters.

Django compiles a queryset afresh every time it is evaluated. For the access facts query (a ``UNION ALL`` of
three branches, run on every request's first permission check) compiling cost several times what SQLite or
PostgreSQL take to answer it, and on the team pages building and compiling the team lookup and the people
page cost more than running them. A :class:`PreparedQuery` keeps the SQL text, its parameters and the result
converters Django would apply, per database alias, vendor (the SQL differs between backends) and *shape*, and
binds only the values marked by named :class:`Slot` s. The shape is a small tuple the caller picks for the
variants of one query (which optional filter is on, the direction of a page): each shape is compiled once,
so it must never carry a value that varies per call (ids, cursors, ``now``: those are slots). The rows come
back as Django gives them for ``values_list``; a caller that needs model instances makes them with
``Model.from_db`` (:func:`instance`). A :class:`PreparedAnnotation` does the same for an annotation (a
correlated subquery) of a model's rows, whichever queryset of them it annotates.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Expression, Field, Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Mark:
    name: str  # stands for the slot's value among the compiled parameters


class Slot(Expression):
    """Where a bound value goes in the queryset, e.g. ``filter(user_id=slots["user_id"])``."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Mark(self.name)]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class PreparedQuery:
    """``build(*shape, **slots)`` returns the queryset (``values_list`` rows), with a :class:`Slot` for each
    field named in ``slots`` (``user_id=User._meta.pk``); :meth:`rows` runs it with values for them."""

    def __init__(
        self, model: type[Model], build: Callable[..., QuerySet[Any]], **slots: Field[Any, Any]
    ) -> None:
        self._model, self._build, self._fields = model, build, slots
        self._compiled: dict[tuple[str, str, Hashable], _Compiled] = {}

    def rows(self, shape: tuple[Hashable, ...] = (), **values: Any) -> Sequence[Sequence[Any]]:
        """The rows of the queryset of ``shape`` with ``values`` bound to its slots, converted as Django
        converts them. One query, logged and counted by Django as any other."""
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        key = (alias, connection.vendor, shape)
        compiled = self._compiled.get(key) or self._compile(key, shape)
        params = list(compiled.params)
        bound = {
            name: self._fields[name].get_db_prep_value(value, connection) for name, value in values.items()
        }
        for position, name in compiled.slots:
            params[position] = bound[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[Sequence[Any]] = cursor.fetchall()
        if not compiled.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in compiled.converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            converted.append(row)
        return converted

    def _compile(self, key: tuple[str, str, Hashable], shape: tuple[Hashable, ...]) -> _Compiled:
        slots = {name: Slot(name, output_field=field) for name, field in self._fields.items()}
        compiler = self._build(*shape, **slots).query.get_compiler(using=key[0])
        sql, params = compiler.as_sql()
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple((i, param.name) for i, param in enumerate(params) if isinstance(param, _Mark)),
            converters=tuple(
                (position, tuple(functions), expression)
                for position, (functions, expression) in compiler.get_converters(fields).items()
            ),
        )
        self._compiled[key] = compiled
        return compiled


def instance(model: type[M], columns: Sequence[str], row: Sequence[Any], **annotations: Any) -> M:
    """A ``model`` instance of the database ``row`` holding ``columns`` (attnames, as ``Model.from_db`` takes
    them), loaded from the model's read database, with ``annotations`` set as attributes as a queryset's
    ``annotate`` would."""
    obj = model.from_db(router.db_for_read(model), columns, row)
    for name, value in annotations.items():
        setattr(obj, name, value)
    return obj


class PreparedAnnotation:
    """An annotation of ``model`` rows compiled to SQL once a process and database, bound to one value on each
    use. ``build(slot)`` returns the ORM expression, which may refer to the annotated row (``OuterRef``)."""

    def __init__(
        self,
        model: type[Model],
        field: Field[Any, Any],
        build: Callable[[Any], Expression],
        output_field: Field[Any, Any],
    ) -> None:
        self._model, self._field, self._build, self._output = model, field, build, output_field
        self._compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}

    def bind(self, value: Any) -> Expression:
        """The annotation with ``value`` in its slot, e.g. ``apps.annotate(n=prepared.bind(now))``."""
        return _Bound(self, value, output_field=self._output)

    def sql(self, value: Any, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        """The SQL and parameters of the annotation with ``value`` bound, for ``compiler``'s query."""
        query = compiler.query
        # the SQL refers to the row by the model's table name; relabelled inside another query, compile as usual
        if query.base_table != self._model._meta.db_table:
            return compiler.compile(self._build(value).resolve_expression(query))  # type: ignore[no-any-return]
        key = (connection.alias, connection.vendor)
        if key not in self._compiled:
            plain = QuerySet(model=self._model).annotate(
                _prepared=self._build(Slot("value", output_field=self._field))
            )
            sql, params = plain.query.get_compiler(connection=connection).compile(
                plain.query.annotations["_prepared"]
            )
            self._compiled[key] = sql, tuple(params)
        sql, params = self._compiled[key]
        bound = self._field.get_db_prep_value(value, connection)
        return sql, [bound if isinstance(param, _Mark) else param for param in params]


class _Bound(Expression):
    def __init__(self, prepared: PreparedAnnotation, value: Any, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self._prepared, self._value = prepared, value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return self._prepared.sql(self._value, compiler, connection)


def related_columns(model: type[Model], related: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns (attnames) of ``model`` and then of each relation in ``related``, as ``select_related``
    reads them: what a prepared query's ``values_list`` selects for :func:`with_related`."""
    columns = [field.attname for field in model._meta.concrete_fields]
    for name in related:
        target = model._meta.get_field(name).related_model
        columns += [f"{name}__{field.attname}" for field in target._meta.concrete_fields]  # type: ignore[union-attr]
    return tuple(columns)


def with_related(model: type[M], related: Sequence[str], row: Sequence[Any], **annotations: Any) -> M:
    """The ``model`` instance of a row of :func:`related_columns` (any further values are the caller's), each
    relation in ``related`` cached on it as ``select_related`` caches it: ``None`` when no row was joined."""
    columns = tuple(field.attname for field in model._meta.concrete_fields)
    obj, start = instance(model, columns, row[: len(columns)], **annotations), len(columns)
    for name in related:
        field = model._meta.get_field(name)
        target: type[Model] = field.related_model  # type: ignore[assignment]
        names = tuple(f.attname for f in target._meta.concrete_fields)
        part, start = row[start : start + len(names)], start + len(names)
        absent = part[names.index(target._meta.pk.attname)] is None
        joined = None if absent else instance(target, names, part)
        field.set_cached_value(obj, joined)  # type: ignore[union-attr]
        if joined is not None and field.unique:  # type: ignore[union-attr]
            field.remote_field.set_cached_value(joined, obj)  # type: ignore[union-attr]  # as select_related does
    return obj


LIST_SIZES = (1, 2, 4, 8, 16, 32, 64)


def list_slots(name: str, field: Field[Any, Any]) -> dict[str, Field[Any, Any]]:
    """Slots ``name0`` … for a list of up to ``LIST_SIZES[-1]`` values (``filter(pk__in=...)``), for the
    ``slots`` of a :class:`PreparedQuery`."""
    return {f"{name}{i}": field for i in range(LIST_SIZES[-1])}


def slot_list(slots: dict[str, Slot], name: str, size: int) -> Expression | list[Any]:
    """The first ``size`` of the slots :func:`list_slots` made, as the right-hand side of an ``__in`` in a
    query's builder (an empty list if none, which Django compiles as it compiles ``__in=[]``)."""
    return _SlotList([slots[f"{name}{i}"] for i in range(size)]) if size else []


class _SlotList(Expression):
    # one expression, not a list of them: ``fk__in`` would pass each item of a list to the field's
    # ``get_prep_value``, which refuses a slot
    def __init__(self, slots: list[Slot]) -> None:
        super().__init__(output_field=slots[0].output_field)
        self.slots = slots

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return ", ".join("%s" for _ in self.slots), [_Mark(slot.name) for slot in self.slots]


def bound_list(name: str, values: Sequence[Any]) -> tuple[int, dict[str, Any]] | None:
    """The shape size and slot values of a list: padded to the next of ``LIST_SIZES`` by repeating its last
    value (the same ``IN``), so that lists compile to a few shapes; ``None`` when too long to prepare."""
    if not values:
        return 0, {}
    size = next((n for n in LIST_SIZES if n >= len(values)), None)
    if size is None:
        return None
    padded = [*values, *[values[-1]] * (size - len(values))]
    return size, {f"{name}{i}": value for i, value in enumerate(padded)}
