"""What every start does before any component runs: the base directory's folders, the database's
tables, and on the very first start the Main Domain with postmaster. `cgserver` does it itself;
the production shape runs it once as `manage.py initserver` before its services start."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from basedir.layout import ensure_layout
from server.process import prepare_state_dirs
from server.services import FirstStart

FIRST_EXPORT_SECONDS = 120
INIT_LOCK = (0x43474953, 1)  # "CGIS": nodes starting together initialize one after the other


@contextlib.contextmanager
def _one_node_at_a_time() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(INIT_LOCK))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(INIT_LOCK))


def prepare(base: Path) -> FirstStart | None:
    """Create the layout and state folders, migrate, and initialize on the first start (whose
    files are all written before anything may look at the tree)."""
    from basedir.export import drain
    from server.osinfo import host_name
    from server.services import server_initialize

    ensure_layout(base)
    prepare_state_dirs()
    with _one_node_at_a_time():
        call_command("migrate", interactive=False, verbosity=0)
        first = server_initialize(host_name=host_name(),
                                  postmaster_password=os.environ.get("CGADMIN_POSTMASTER_PASSWORD") or None)
        if first is not None:
            drain(seconds=FIRST_EXPORT_SECONDS)
    return first


def first_start_lines(first: FirstStart | None) -> list[str]:
    """What the operator is told on the first start (the generated password, once)."""
    if first is None:
        return []
    lines = [f"First start: Main Domain {first.postmaster.domain.name}, account postmaster"]
    if first.password_generated:
        lines.append(f"postmaster password (shown once): {first.password}")
    else:
        lines.append("postmaster password: taken from CGADMIN_POSTMASTER_PASSWORD")
    return lines
