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


def files_at_start(*, adopt: bool) -> list[str]:
    """Before the workers run: with --adoptFiles the base directory's edited settings files and copied
    account folders are adopted (a file that does not parse stops the start, nothing adopted);
    without it the database stays the truth and each settings file that differs is reported in the
    Server Log. The lines say what happened."""
    from basedir.adopt import basedir_adopt
    from basedir.check import settings_differences
    from basedir.export import drain
    from logs import serverlog

    drain(seconds=FIRST_EXPORT_SECONDS)  # what the database changed before the last stop, written first
    lines: list[str] = []
    if adopt:
        result = basedir_adopt(actor=None)
        drain(seconds=FIRST_EXPORT_SECONDS)  # the adopted objects' files rewritten as the exporter writes them
        lines = [line for adopted in result.adopted for line in adopted.lines()] + result.notes
        lines.append(f"--adoptFiles: {len(result.adopted)} file(s) or folder(s) adopted from the base directory")
        for line in lines:
            serverlog.log("SYSTEM", serverlog.MAJOR, line)
        return lines
    for difference in settings_differences():
        lines.append(f"{difference.path} differs from the database ("
                     + "; ".join(difference.details) + "): the database is the truth; `manage.py basedir adopt "
                     + f"{difference.path}` (or a start with --adoptFiles) takes the file in")
        serverlog.log("SYSTEM", serverlog.MAJOR, lines[-1])
    return lines


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
