"""CLI verbs of the logs app (spec/cli.md): the Log Manager, WriteLog, SetLogAll, and the posted
alerts of the server, of domains and of accounts. Each calls one service with `actor=call.actor`."""

from __future__ import annotations

from typing import Any

from cgadmin.dataformat import Value
from cli.registry import ACCOUNTS, DOMAINS, SERVER, ArgumentError, ArgumentReader, Call, verb
from logs import alerts as alert_targets
from logs import selectors, services
from realms.access import default_domain_name

MONITOR = "Monitor (or Master)"
TUNE = "Monitor + CanTuneLoggerSettings (or Master)"
SERVER_ADMIN = "any server administrator (an account of the Main Domain with a server right)"
SERVER_ALERTS_READ = "Monitor, DomainsRead, AllDomains or Master"
SERVER_ALERTS_WRITE = "AllDomains or Master"
DOMAIN_READ = "DomainsRead, AllDomains, Master, or a Domain Administrator of the domain"
DOMAIN_POST = "AllDomains or Master, or a Domain Administrator of the domain with CanPostAlerts"
ACCOUNT_READ = "the account itself, or whoever may read its domain"


# --- the Log Manager -----------------------------------------------------------------------------


@verb("GetLogSettings", rights=MONITOR, section=SERVER)
def get_log_settings(call: Call) -> Value:
    """The Log Manager settings: each component's level, rotation, retention, LogAll."""
    return selectors.log_settings_for(call.actor)


@verb("UpdateLogSettings settings:dict", rights=TUNE, section=SERVER)
def update_log_settings(call: Call, settings: dict) -> None:
    """Change component levels ({Levels={CLI=5;};}), rotation or retention; `default` resets one."""
    services.log_settings_update(actor=call.actor, updates=settings)


@verb("WriteLog level:any text:str", rights=SERVER_ADMIN, section=SERVER)
def write_log(call: Call, level: Value, text: str) -> None:
    """Write a record with the SYSTEM tag at this level (0-5)."""
    services.log_write(actor=call.actor, level=level, text=text)


def _on_off(reader: ArgumentReader) -> dict[str, Any]:
    for word, enabled in (("ON", True), ("OFF", False)):
        if reader.take_keyword(word):
            return {"enabled": enabled}
    raise ArgumentError("SetLogAll: expected ON or OFF")


@verb("SetLogAll [ON] [OFF]", rights=TUNE, section=SERVER, parse=_on_off)
def set_log_all(call: Call, enabled: bool) -> None:
    """Record everything regardless of the levels (ON), or follow the levels again (OFF)."""
    services.log_all_set(actor=call.actor, enabled=enabled)


# --- server alerts (urgent notifications) -------------------------------------------------------


@verb("GetServerAlerts", rights=SERVER_ALERTS_READ, section=SERVER)
def get_server_alerts(call: Call) -> Value:
    """The posted server alerts: {timestamp = text; ...}."""
    return alert_targets.alerts_read(call.actor, alert_targets.SERVER)


@verb("SetServerAlerts alerts:dict", rights=SERVER_ALERTS_WRITE, section=SERVER)
def set_server_alerts(call: Call, alerts: dict) -> None:
    """Replace every server alert with these."""
    services.alerts_set(actor=call.actor, scope=alert_targets.SERVER, alerts=alerts)


@verb("PostServerAlert text:str", rights=SERVER_ALERTS_WRITE, section=SERVER)
def post_server_alert(call: Call, text: str) -> None:
    """Post an alert every server administrator sees on every WebAdmin page until it is removed."""
    services.alert_post(actor=call.actor, scope=alert_targets.SERVER, text=text)


@verb("RemoveServerAlert stamp:any", rights=SERVER_ALERTS_WRITE, section=SERVER)
def remove_server_alert(call: Call, stamp: Value) -> None:
    """Remove the server alert with this time stamp."""
    services.alert_remove(actor=call.actor, scope=alert_targets.SERVER, stamp=stamp)


# --- domain alerts ------------------------------------------------------------------------------


def _domain(call: Call, name: str | None) -> str:
    return name or default_domain_name(call.actor)


@verb("GetDomainAlerts [domain:dom]", rights=DOMAIN_READ, section=DOMAINS)
def get_domain_alerts(call: Call, domain: str | None) -> Value:
    """The domain's alerts: {timestamp = text; ...}."""
    return alert_targets.alerts_read(call.actor, alert_targets.DOMAIN, _domain(call, domain))


@verb("SetDomainAlerts [domain:dom] alerts:dict", rights=DOMAIN_POST, section=DOMAINS)
def set_domain_alerts(call: Call, domain: str | None, alerts: dict) -> None:
    """Replace every alert of the domain with these."""
    services.alerts_set(actor=call.actor, scope=alert_targets.DOMAIN, name=_domain(call, domain), alerts=alerts)


@verb("PostDomainAlert domain:dom ALERT text:str", rights=DOMAIN_POST, section=DOMAINS)
def post_domain_alert(call: Call, domain: str, text: str) -> None:
    """Post an alert to the domain."""
    services.alert_post(actor=call.actor, scope=alert_targets.DOMAIN, name=_domain(call, domain), text=text)


@verb("RemoveDomainAlert domain:dom ALERT stamp:any", rights=DOMAIN_POST, section=DOMAINS)
def remove_domain_alert(call: Call, domain: str, stamp: Value) -> None:
    """Remove the domain alert with this time stamp."""
    services.alert_remove(actor=call.actor, scope=alert_targets.DOMAIN, name=_domain(call, domain), stamp=stamp)


# --- account alerts -----------------------------------------------------------------------------


@verb("GetAccountAlerts account:acct", rights=ACCOUNT_READ, section=ACCOUNTS)
def get_account_alerts(call: Call, account: str) -> Value:
    """The account's alerts: {timestamp = text; ...}."""
    return alert_targets.alerts_read(call.actor, alert_targets.ACCOUNT, account)


@verb("SetAccountAlerts account:acct alerts:dict", rights=DOMAIN_POST, section=ACCOUNTS)
def set_account_alerts(call: Call, account: str, alerts: dict) -> None:
    """Replace every alert of the account with these."""
    services.alerts_set(actor=call.actor, scope=alert_targets.ACCOUNT, name=account, alerts=alerts)


@verb("PostAccountAlert account:acct ALERT text:str", rights=DOMAIN_POST, section=ACCOUNTS)
def post_account_alert(call: Call, account: str, text: str) -> None:
    """Post an alert to the account."""
    services.alert_post(actor=call.actor, scope=alert_targets.ACCOUNT, name=account, text=text)


@verb("RemoveAccountAlert account:acct ALERT stamp:any", rights=DOMAIN_POST, section=ACCOUNTS)
def remove_account_alert(call: Call, account: str, stamp: Value) -> None:
    """Remove the account alert with this time stamp."""
    services.alert_remove(actor=call.actor, scope=alert_targets.ACCOUNT, name=account, stamp=stamp)
