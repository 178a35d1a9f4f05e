"""Reads of the logs app: the Log Manager settings in force, the audit trail as each actor may see it."""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from cgadmin.catalogue import Layer, effective_values, parse_size
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from cgadmin.oncommit import run_once_after_commit
from logs import serverlog
from logs.models import AuditEntry
from logs.settings_schema import LEVELS, LOG, ROTATION_SIZE, SYSTEM_TAG, parse_level
from realms import permissions
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account


def log_levels(explicit: Mapping[str, Value] | None = None) -> dict[str, int]:
    """Every component's level in force: the Log document's, with SYSTEM from Main.LogLevel."""
    from server import documents

    if explicit is None:
        explicit = documents.read(documents.LOG)
    levels = {tag: serverlog.DEFAULT_LEVEL for tag in serverlog.TAGS}
    for tag, value in dict(explicit.get(LEVELS) or {}).items():  # type: ignore[arg-type]
        try:
            levels[str(tag).upper()] = parse_level(value)
        except InvalidInput:
            continue
    main_level = documents.read(documents.MAIN).get("LogLevel")
    if main_level is not None:
        with contextlib.suppress(InvalidInput):
            levels[SYSTEM_TAG] = parse_level(main_level)
    return dict(sorted(levels.items()))


def log_settings() -> dict[str, Value]:
    """The Log Manager settings in force (GetLogSettings), levels of every component included."""
    from server import documents

    explicit = documents.read(documents.LOG)
    values = effective_values(LOG, [Layer("explicit", explicit)])
    values[LEVELS] = log_levels(explicit)  # type: ignore[assignment]
    values["LogAll"] = "YES" if serverlog.log_all() else "NO"
    return values


def log_settings_for(actor: Account | None) -> dict[str, Value]:
    """GetLogSettings: the Log Manager settings, for Monitors (read only)."""
    permissions.require_server_right(actor, R.MONITOR)
    return log_settings()


def log_config_publish() -> None:
    """Share the levels and the file size limit in force with every process (through the cache)."""
    from server import documents

    explicit = documents.read(documents.LOG)
    values = effective_values(LOG, [Layer("explicit", explicit)])
    try:
        max_size = parse_size(values[ROTATION_SIZE])
    except InvalidInput:
        max_size = serverlog.DEFAULT_MAX_FILE_SIZE
    serverlog.publish_config(log_levels(explicit), max_size)


def log_config_publish_after_commit() -> None:
    """Publish the log config once the transaction that changed the Log or Main document commits
    (never a level another process could see before the change is there, or one rolled back)."""
    run_once_after_commit("logs.log_config_publish", log_config_publish)


# --- the audit trail ---------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    event: str = ""
    object_name: str = ""
    domain: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


def encode_audit_cursor(entry: AuditEntry) -> str:
    raw = f"{entry.time.isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_audit_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, pk = raw.partition("|")
        return datetime.fromisoformat(stamp), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("the page cursor is not valid: start from the first page", field="cursor")


def audit_visible_entries(actor: Account | None) -> QuerySet[AuditEntry]:
    """Everything for Monitors (and the shell); a Domain Administrator's domains only otherwise."""
    entries = AuditEntry.objects.all()
    if permissions.has_server_right(actor, R.MONITOR) or permissions.can_read_all_domains(actor):
        return entries
    return entries.filter(domain_name__in=permissions.administered_domains(actor).values("name"))


def audit_page(
    actor: Account | None, filters: AuditFilter, *, cursor: str = "", limit: int = AUDIT_PAGE_SIZE,
    domains_only: bool = False,
) -> AuditPage:
    """One page of the audit trail, newest first, paged by (time, id), filtered as asked.

    `domains_only` limits the list to entries about domains (the Users realm's Audit page)."""
    entries = audit_visible_entries(actor)
    if domains_only:
        entries = entries.exclude(domain_name="")
    if filters.actor:
        entries = entries.filter(actor_name__iexact=filters.actor.strip())
    if filters.event:
        entries = entries.filter(event__startswith=filters.event.strip())
    if filters.object_name:
        entries = entries.filter(object_name__icontains=filters.object_name.strip())
    if filters.domain:
        entries = entries.filter(domain_name__iexact=filters.domain.strip())
    if filters.since is not None:
        entries = entries.filter(time__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(time__lte=filters.until)
    if cursor:
        stamp, pk = decode_audit_cursor(cursor)
        entries = entries.filter(Q(time__lt=stamp) | Q(time=stamp, id__lt=pk))
    rows = list(entries.order_by("-time", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, encode_audit_cursor(rows[-1]) if more and rows else None)
