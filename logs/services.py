"""Changes of the logs app: the Log Manager settings, SetLogAll, WriteLog, posted alerts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from basedir import outbox
from cgadmin.catalogue import DEFAULT
from cgadmin.dataformat import Value
from cgadmin.errors import AccessDenied, InvalidInput, NotFound
from cgadmin.settings_change import SettingsChange, apply_change
from logs import notifications, serverlog
from logs.alerts import AlertTarget, alert_target, alerts_of
from logs.audit import audit
from logs.events import Event
from logs.models import Alert
from logs.selectors import log_config_publish_after_commit
from logs.settings_schema import LEVELS, LOG, SYSTEM_TAG, check_levels, parse_level
from realms import permissions
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account

MAX_WRITELOG_TEXT = 4096


def _require_logger_right(actor: Account | None) -> None:
    permissions.require_server_right(actor, R.CAN_TUNE_LOGGER)


def _merged_levels(current: Mapping[str, Value], given: Value) -> dict[str, Value]:
    """An update names only the components it changes; `default` puts one back to the default."""
    merged = {str(tag).upper(): level for tag, level in dict(current or {}).items()}
    for tag, level in dict(check_levels(given)).items():
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
        log_config_publish_after_commit()

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
        log_config_publish_after_commit()

    change = apply_change(
        actor=actor, catalogue=LOG, current=current, updates=values, replace=False,
        authorize=lambda name, right: None, save=save, event=Event.LOG_SETTINGS, object_type="server",
        object_name="Log",
    )
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
    return any(permissions.has_server_right(actor, right) for right in R.SERVER_RIGHTS)


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


# --- posted alerts (server, domain, account) ---------------------------------------------------

MAX_ALERT_TEXT = 4096
MAX_ALERTS = 100
_STAMP = re.compile(r"^[A-Za-z0-9._:-]{1,32}$")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _check_text(text: Value) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the alert text must be a non-empty string", field="text")
    if len(text) > MAX_ALERT_TEXT:
        raise InvalidInput(f"the alert text is longer than {MAX_ALERT_TEXT} characters", field="text")
    return text


def check_stamp(value: Value) -> str:
    """An alert's key: the time stamp GetXXXAlerts answered (a #T timestamp is accepted too)."""
    if isinstance(value, datetime):
        return _stamp(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, str) and _STAMP.match(value):
        return value
    raise InvalidInput(f"{value!r} is not an alert time stamp, e.g. 20261128T221344Z", field="stamp")


def _audit_alerts(actor: Account | None, target: AlertTarget, event: Event, before: Value, after: Value) -> None:
    audit(actor=actor, event=event, object_type=f"{target.scope} alerts", object_name=target.name,
          domain_name=target.domain_name, before=before, after=after)


def _publish(target: AlertTarget) -> None:
    """Server alerts show on every WebAdmin page: copy them to the cache once committed."""
    if target.scope == Alert.SERVER:
        transaction.on_commit(notifications.publish_posted_alerts)


def _create_at_free_stamp(target: AlertTarget, text: str) -> str:
    """Store the alert under the first free second from now. Another session posting to the same
    target at the same moment may take that second between our read and our insert: the unique
    constraint refuses the second insert, and it tries the next second (in a savepoint)."""
    moment = timezone.now()
    taken = set(target.alerts().values_list("stamp", flat=True))
    while True:
        while _stamp(moment) in taken:
            moment += timedelta(seconds=1)
        stamp = _stamp(moment)
        try:
            with transaction.atomic():
                Alert.objects.create(scope=target.scope, domain=target.domain, account=target.account,
                                     stamp=stamp, text=text)
            return stamp
        except IntegrityError:
            taken.add(stamp)


@transaction.atomic
def alert_post(*, actor: Account | None, scope: str, name: str = "", text: str) -> str:
    """Post an alert to the server, a domain or an account; answers its time stamp (the next free
    second when one is taken)."""
    target = alert_target(actor, scope, name, write=True)
    text = _check_text(text)
    if target.alerts().count() >= MAX_ALERTS:
        raise InvalidInput(f"there are already {MAX_ALERTS} alerts: remove some first")
    stamp = _create_at_free_stamp(target, text)
    _audit_alerts(actor, target, Event.ALERT_POST, None, {stamp: text})
    _publish(target)
    return stamp


@transaction.atomic
def alert_remove(*, actor: Account | None, scope: str, name: str = "", stamp: Value) -> None:
    """Remove the alert with this time stamp (of the server, a domain or an account)."""
    target = alert_target(actor, scope, name, write=True)
    key = check_stamp(stamp)
    alert = target.alerts().filter(stamp=key).first()
    if alert is None:
        raise NotFound(f"there is no alert with the time stamp {key}", field="stamp")
    alert.delete()
    _audit_alerts(actor, target, Event.ALERT_REMOVE, {key: alert.text}, None)
    _publish(target)


@transaction.atomic
def alerts_set(*, actor: Account | None, scope: str, name: str = "", alerts: Mapping[str, Value]) -> None:
    """Replace all the alerts of the server, a domain or an account with these ({stamp = text; ...})."""
    target = alert_target(actor, scope, name, write=True)
    if not isinstance(alerts, Mapping):
        raise InvalidInput("the alerts must be a dictionary {timestamp = text; ...}")
    if len(alerts) > MAX_ALERTS:
        raise InvalidInput(f"at most {MAX_ALERTS} alerts may be set")
    wanted = {check_stamp(stamp): _check_text(text) for stamp, text in alerts.items()}
    before = alerts_of(target)
    if before == wanted:
        return
    target.alerts().delete()
    Alert.objects.bulk_create(
        Alert(scope=target.scope, domain=target.domain, account=target.account, stamp=stamp, text=text)
        for stamp, text in sorted(wanted.items())
    )
    _audit_alerts(actor, target, Event.ALERTS_SET, before, dict(wanted))
    _publish(target)


__all__ = ["LOG", "alert_post", "alert_remove", "alerts_set", "log_all_set", "log_settings_update", "log_write"]
