"""Updating many rows with values of their own in one statement.

Django's bulk_update builds a CASE expression per field in Python, which costs far more CPU than
the database spends on it (a third of a delivery pass at a batch of 100). On PostgreSQL this is one
`UPDATE ... FROM unnest(...)` with one array parameter a column: a short statement whatever the
number of rows, so psycopg parses it once a process instead of splitting a statement of thousands of
placeholders each time (as `UPDATE ... FROM (VALUES ...)` needed). Elsewhere bulk_update does it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from django.db.models.lookups import In
from django.db.models.options import Options

CHUNK = 1000


def _column(meta: Options[models.Model], name: str) -> models.Field:
    """The model field stored in a column of its own under this name (not a relation's reverse side)."""
    field = meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{meta.label}.{name} is not a column")
    return field


def _array_type(field: models.Field) -> str:
    """The database type of an array of this field's values, without a length (no truncation)."""
    kind = field.db_type(connection)
    if kind is None:
        raise TypeError(f"{field} has no database column type")
    return kind.split("(")[0]


def bulk_set(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save these fields of these objects (by primary key), one statement per CHUNK rows."""
    if not objects:
        return
    rows = [(obj.pk, *(getattr(obj, _column(type(obj)._meta, name).attname) for name in fields)) for obj in objects]
    bulk_set_rows(type(objects[0]), fields, rows)


def bulk_set_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """bulk_set for rows given as (primary key, value of each field): no model objects to build."""
    if not rows:
        return
    meta = model._meta
    columns = [_column(meta, name) for name in fields]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(
            [model(pk=row[0], **{field.attname: value for field, value in zip(columns, row[1:], strict=True)})
             for row in rows], list(fields))
        return
    pk = meta.pk
    # Array types without their length (varchar[] rather than varchar(1)[]): no truncation.
    types = [_array_type(field) for field in (pk, *columns)]
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    names = ", ".join(['"pk"', *(f'"{field.column}"' for field in columns)])
    assignments = ", ".join(f'"{field.column}" = v."{field.column}"' for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    sql = (f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) "
           f'WHERE {table}."{pk.column}" = v."pk"')
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            params: list[list[object]] = [[pk.get_db_prep_value(row[0], connection) for row in chunk]]
            for index, field in enumerate(columns, start=1):
                params.append([field.get_db_prep_save(row[index], connection) for row in chunk])
            cursor.execute(sql, params)


def bulk_insert(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Insert these objects with only these fields set (the others are NULL: name every field that
    is not nullable) and set their primary keys. On PostgreSQL one `INSERT ... SELECT * FROM unnest(...)`
    statement: Django's bulk_create builds a row of placeholders per object whenever one of the
    model's fields is a BinaryField (QueuedMessage.content), however few of them are set."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(list(objects))
        return
    meta = model._meta
    columns = [_column(meta, name) for name in fields]
    arrays = ", ".join(f"%s::{_array_type(field)}[]" for field in columns)
    names = ", ".join(f'"{field.column}"' for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    sql = f'INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) RETURNING "{meta.pk.column}"'
    with connection.cursor() as cursor:
        for start in range(0, len(objects), CHUNK):
            chunk = objects[start:start + CHUNK]
            params = [[field.get_db_prep_save(field.pre_save(obj, add=True), connection) for obj in chunk]
                      for field in columns]
            cursor.execute(sql, params)
            # Rows come back in the order unnest gave them (what Django's own bulk_create relies on).
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False


class AnyOf(In):
    """`field__anyof=[...]`: `IN (...)` anywhere; on PostgreSQL `= ANY(%s)` with one array parameter.
    A batch's hundreds of ids then make a short statement that psycopg parses once a process, where
    `IN (%s, %s, ...)` is a long one it splits again every time (a tenth of a delivery pass's CPU)."""

    lookup_name = "anyof"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        kind = field.db_type(connection).split("(")[0]
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s::{kind}[])", [*lhs_params, values]


models.Field.register_lookup(AnyOf)
models.ForeignKey.register_lookup(AnyOf)  # message_id__anyof: related fields keep lookups of their own
