"""Changes of the logs app: the Log Manager settings, SetLogAll, WriteLog, posted alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction

from basedir import outbox
from cgadmin.catalogue import DEFAULT
from cgadmin.dataformat import Value
from cgadmin.errors import AccessDenied, InvalidInput
from cgadmin.settings_change import SettingsChange, apply_change
from logs import serverlog
from logs.audit import audit
from logs.events import Event
from logs.selectors import log_config_publish
from logs.settings_schema import LEVELS, LOG, SYSTEM_TAG, check_levels, parse_level
from realms import access
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account

MAX_WRITELOG_TEXT = 4096


def _require_logger_right(actor: Account | None) -> None:
    access.require_server_right(actor, R.CAN_TUNE_LOGGER)


def _merged_levels(current: Mapping[str, Value], given: Value) -> dict[str, Value]:
    """An update names only the components it changes; `default` puts one back to the default."""
    merged = {str(tag).upper(): level for tag, level in dict(current or {}).items()}  # type: ignore[arg-type]
    for tag, level in dict(check_levels(given)).items():  # type: ignore[arg-type]
        if level == DEFAULT:
            merged.pop(tag, None)
        else:
            merged[tag] = level
    return dict(sorted(merged.items()))


def _system_level_update(*, actor: Account | None, level: Value) -> None:
    """SYSTEM's level is the General page's Server Internals Log (Main.settings LogLevel)."""
    from server import documents
    from server.settings_schema import MAIN

    def save(settings: dict[str, Value]) -> None:
        documents.write(documents.MAIN, settings)
        outbox.mark_dirty(outbox.SERVER, documents.MAIN)

    apply_change(
        actor=actor, catalogue=MAIN, current=documents.read(documents.MAIN),
        updates={"LogLevel": level}, replace=False, authorize=lambda name, right: None, save=save,
        event=Event.LOG_SETTINGS, object_type="server", object_name="General",
    )


@transaction.atomic
def log_settings_update(*, actor: Account | None, updates: Mapping[str, Value]) -> SettingsChange:
    """Change the Log Manager settings (levels, rotation, retention): CanTuneLoggerSettings."""
    from server import documents

    _require_logger_right(actor)
    current = documents.read(documents.LOG)
    values = dict(updates)
    for key in list(values):
        if key.lower() == LEVELS.lower():
            levels = _merged_levels(current.get(LEVELS) or {}, values.pop(key))  # type: ignore[arg-type]
            system = levels.pop(SYSTEM_TAG, None)
            if system is not None:
                _system_level_update(actor=actor, level=parse_level(system))
            values[LEVELS] = levels if levels else DEFAULT
        elif key.lower() == "logall":
            raise InvalidInput("LogAll is switched with SetLogAll ON|OFF", field=key)

    def save(settings: dict[str, Value]) -> None:
        documents.write(documents.LOG, settings)
        outbox.mark_dirty(outbox.SERVER, documents.LOG)

    change = apply_change(
        actor=actor, catalogue=LOG, current=current, updates=values, replace=False,
        authorize=lambda name, right: None, save=save, event=Event.LOG_SETTINGS, object_type="server",
        object_name="Log",
    )
    log_config_publish()
    return change


@transaction.atomic
def log_all_set(*, actor: Account | None, enabled: bool) -> bool:
    """SetLogAll ON|OFF: record everything regardless of the levels, as --logAll does, at run time."""
    _require_logger_right(actor)
    before = serverlog.log_all_flag()
    if before != enabled:
        audit(actor=actor, event=Event.LOG_ALL, object_type="server", object_name="Log",
              before={"LogAll": "YES" if before else "NO"}, after={"LogAll": "YES" if enabled else "NO"})
        serverlog.set_log_all_flag(enabled)
    serverlog.log(SYSTEM_TAG, serverlog.MAJOR, f"log all records: {'ON' if enabled else 'OFF'}")
    return enabled


def _is_server_administrator(actor: Account | None) -> bool:
    return any(access.has_server_right(actor, right) for right in R.SERVER_RIGHTS)


def log_write(*, actor: Account | None, level: Value, text: str) -> bool:
    """WriteLog: a SYSTEM record from a server administrator's script; True when recorded."""
    if not _is_server_administrator(actor):
        raise AccessDenied("only a server administrator may write to the Server Log")
    digit = parse_level(level)
    if not isinstance(text, str):
        raise InvalidInput("the record text must be a string")
    if len(text) > MAX_WRITELOG_TEXT:
        raise InvalidInput(f"the record text is longer than {MAX_WRITELOG_TEXT} characters")
    return serverlog.log(SYSTEM_TAG, digit, text)


__all__ = ["LOG", "log_all_set", "log_settings_update", "log_write"]
