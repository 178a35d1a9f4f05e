"""Where posted alerts live, fetched and authorized in one call: the server's, a domain's or an
account's (the alert services and pages name one by scope and name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cgadmin.dataformat import Value
from cgadmin.errors import AccessDenied, CGError, InvalidInput
from logs.models import Alert
from realms import access, permissions
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account
    from domains.models import Domain

SERVER, DOMAIN, ACCOUNT = Alert.SERVER, Alert.DOMAIN, Alert.ACCOUNT


@dataclass(frozen=True)
class AlertTarget:
    """Where alerts are posted: the server, one domain or one account (fetched with its rights)."""

    scope: str
    domain: Domain | None = None
    account: Account | None = None

    @property
    def name(self) -> str:
        if self.account is not None:
            return self.account.address
        return self.domain.name if self.domain is not None else "server"

    @property
    def domain_name(self) -> str:
        if self.account is not None:
            return self.account.domain.name
        return self.domain.name if self.domain is not None else ""

    def alerts(self) -> QuerySet[Alert]:
        return Alert.objects.filter(scope=self.scope, domain=self.domain, account=self.account)


def server_alert_target(actor: Account | None, *, write: bool) -> AlertTarget:
    """The server's alerts: read by Monitor or DomainsRead, changed by AllDomains (Master)."""
    if write:
        permissions.require_server_right(actor, R.ALL_DOMAINS)
    elif not (permissions.has_server_right(actor, R.MONITOR) or permissions.can_read_all_domains(actor)):
        raise AccessDenied("the Monitor right is needed")
    return AlertTarget(Alert.SERVER)


def domain_alert_target(actor: Account | None, name: str, *, write: bool) -> AlertTarget:
    """A domain's alerts: read by its readers, posted by AllDomains or CanPostAlerts."""
    domain = access.access_domain(actor, name, write=write, right=R.CAN_POST_ALERTS if write else None)
    return AlertTarget(Alert.DOMAIN, domain=domain)


def account_alert_target(actor: Account | None, address: str, *, write: bool) -> AlertTarget:
    """An account's alerts: read by itself and its readers, posted by AllDomains or CanPostAlerts."""
    account = access.access_account(actor, address, write=write, right=R.CAN_POST_ALERTS if write else None)
    return AlertTarget(Alert.ACCOUNT, domain=account.domain, account=account)


def alerts_of(target: AlertTarget) -> dict[str, Value]:
    """The target's alerts as GetXXXAlerts answers them: {stamp = text; ...}, oldest first."""
    return {alert.stamp: alert.text for alert in target.alerts()}


def alert_target(actor: Account | None, scope: str, name: str = "", *, write: bool) -> AlertTarget:
    """The alerts of the server (scope SERVER, no name), of the domain or of the account named."""
    if scope == SERVER:
        return server_alert_target(actor, write=write)
    if scope == DOMAIN:
        return domain_alert_target(actor, name, write=write)
    if scope == ACCOUNT:
        return account_alert_target(actor, name, write=write)
    raise InvalidInput(f"unknown alert scope {scope!r}")


def may_post_alerts(actor: Account | None, scope: str, name: str = "") -> bool:
    """Whether the actor may post and remove this server's, domain's or account's alerts."""
    try:
        alert_target(actor, scope, name, write=True)
    except CGError:
        return False
    return True


def alerts_read(actor: Account | None, scope: str, name: str = "") -> dict[str, Value]:
    """The alerts of the server, a domain or an account, for an actor who may read them."""
    return alerts_of(alert_target(actor, scope, name, write=False))
