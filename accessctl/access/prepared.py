"""A queryset compiled to SQL once a process and database, then run with one bound parameter.

Django compiles a queryset afresh every time it is evaluated. For the access facts query (a ``UNION ALL`` of
three branches, run on every request's first permission check) compiling cost several times what SQLite or
PostgreSQL take to answer it. A :class:`PreparedQuery` keeps the SQL text, its parameters and the result
converters Django would apply, per database alias and vendor (the SQL differs between backends), and binds only
the value marked by a :class:`Slot`. A :class:`PreparedAnnotation` does the same for an annotation (a correlated
subquery) of a model's rows, whichever queryset of them it annotates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Field, Model, QuerySet

_MARK = object()  # stands for the bound value among the compiled parameters


class Slot(Expression):
    """Where the bound value goes in the queryset, e.g. ``filter(user_id=slot)``."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_MARK]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class PreparedQuery:
    """``build(slot)`` returns the queryset (``values_list`` rows); :meth:`rows` runs it for one value."""

    def __init__(
        self, model: type[Model], field: Field[Any, Any], build: Callable[[Slot], QuerySet[Any]]
    ) -> None:
        self._model, self._field, self._build = model, field, build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def rows(self, value: Any) -> Sequence[Sequence[Any]]:
        """The queryset's rows with ``value`` bound to its slot, converted as Django converts them. One query."""
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor)) or self._compile(alias)
        params = list(compiled.params)
        bound = self._field.get_db_prep_value(value, connection)
        for position in compiled.slots:
            params[position] = bound
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

    def _compile(self, alias: str) -> _Compiled:
        compiler = self._build(Slot(output_field=self._field)).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(i for i, param in enumerate(params) if param is _MARK),
            converters=tuple(
                (position, tuple(functions), expression)
                for position, (functions, expression) in compiler.get_converters(fields).items()
            ),
        )
        self._compiled[(alias, compiler.connection.vendor)] = compiled
        return compiled


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
                _prepared=self._build(Slot(output_field=self._field))
            )
            sql, params = plain.query.get_compiler(connection=connection).compile(
                plain.query.annotations["_prepared"]
            )
            self._compiled[key] = sql, tuple(params)
        sql, params = self._compiled[key]
        bound = self._field.get_db_prep_value(value, connection)
        return sql, [bound if param is _MARK else param for param in params]


class _Bound(Expression):
    def __init__(self, prepared: PreparedAnnotation, value: Any, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self._prepared, self._value = prepared, value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return self._prepared.sql(self._value, compiler, connection)
