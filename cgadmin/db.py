"""Database helpers the ORM does not offer."""

from __future__ import annotations

from django.db import connection
from django.db.backends.utils import CursorWrapper

ONLY_WHEN_ASKED = 2**31 - 1  # psycopg's prepare_threshold: never reached by repeating a query


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
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(raw))


def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: str, params: object = None, *, prepare: bool | None = None,
                    binary: bool | None = None) -> object:
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


try:
    _PreparingCursor = _preparing_cursor_class()
except ImportError:  # no psycopg: SQLite only, where prepared_cursor() never uses it
    _PreparingCursor = None  # type: ignore[assignment,misc]
