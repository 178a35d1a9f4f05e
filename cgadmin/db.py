"""Database helpers the ORM does not offer."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

from django.db import connection, models
from django.db.backends.utils import CursorWrapper

ONLY_WHEN_ASKED = 2**31 - 1  # psycopg's prepare_threshold: never reached by repeating a query


class _CursorPreparing(Protocol):
    """Django's connection as prepared_cursor() uses it: `_prepare_cursor` (private, so not in
    django-stubs) checks the thread and wraps a driver's cursor, which counts and logs its queries."""

    def _prepare_cursor(self, cursor: object) -> CursorWrapper: ...


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL parses and plans once per connection (server-side
    binding, prepared): for the few fixed queries every command runs, where planning cost more than
    running them. Django's own wrapper is kept, so the queries are counted and logged as any other.
    Elsewhere (SQLite) a plain cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's prepared statements off (for poolers); this lets the statements
        # asked for with prepare=True be prepared, and still never any other automatically.
        raw.prepare_threshold = ONLY_WHEN_ASKED
    assert _PreparingCursor is not None  # PostgreSQL: psycopg is there
    with connection.wrap_database_errors:
        return cast(_CursorPreparing, connection)._prepare_cursor(_PreparingCursor(raw))


def _preparing_cursor_class() -> type:
    # Django's server-side binding cursor: django-stubs do not describe it
    server_binding_cursor: Any = importlib.import_module("django.db.backends.postgresql.base").ServerBindingCursor

    class PreparingCursor(server_binding_cursor):
        def execute(self, query: str, params: object = None, *, prepare: bool | None = None,
                    binary: bool | None = None) -> object:
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


_PreparingCursor: type | None
try:
    _PreparingCursor = _preparing_cursor_class()
except ImportError:  # no psycopg: SQLite only, where prepared_cursor() never uses it
    _PreparingCursor = None


# Fields whose Python value is what the database stores: no conversion needed on the way in (exact
# types: a subclass, such as cgadmin.fields.SettingsField, converts its values).
_AS_STORED = frozenset({models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
                        models.AutoField, models.BigAutoField, models.DateTimeField, models.BooleanField})


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """INSERT many rows given as plain values (`columns` are field attnames: `account_id`, not
    `account`), without a model object each: PostgreSQL's COPY, or bulk_create elsewhere. For the
    tables a batch writes thousands of rows into (an import's audit entries, outbox marks, INBOXes),
    where building and preparing the objects cost more than the database's work. How many rows."""
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        return len(model._default_manager.bulk_create(objects))
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[column] for column in columns]
    convert = [None if type(field) in _AS_STORED or field.is_relation else field for field in fields]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    count = 0
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.copy(statement) as copy:
        # (Django counts and logs the COPY; the wrapper makes a clash Django's IntegrityError)
        for row in rows:
            copy.write_row([value if field is None else field.get_db_prep_save(value, connection)
                            for field, value in zip(convert, row, strict=True)])
            count += 1
    return count


def insert_objects(model: type[models.Model], objects: list[models.Model]) -> list[models.Model]:
    """bulk_create for new objects of a model with an automatic id, in two statements however many
    (ids taken from the id sequence, then COPY) on PostgreSQL; the objects get their ids."""
    if connection.vendor != "postgresql" or not objects:
        return model._default_manager.bulk_create(objects)
    meta = model._meta
    assert meta.pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objects)])
        ids = [row[0] for row in cursor.fetchall()]
    fields = list(meta.concrete_fields)
    for item, pk in zip(objects, ids, strict=True):
        item.pk = pk
    insert_rows(model, [field.attname for field in fields],
                ([field.pre_save(item, True) for field in fields] for item in objects))
    for item in objects:
        item._state.adding, item._state.db = False, connection.alias
    return objects
