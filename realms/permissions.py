"""Who may do what: pure predicates over accounts and domains, the rights checks every layer above
shares (selectors, access, services). Nothing here reads the database except through the objects
it is given; fetching by name and then checking is realms.access.

An actor of None is the operator at the server's shell, who may do anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from cgadmin.errors import AccessDenied
from domains.models import Domain
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account


def _granted(actor: Account) -> list[str]:
    return actor.rights or []


def has_server_right(actor: Account | None, right: str) -> bool:
    """Server rights count only for Main Domain accounts; Master implies every one of them."""
    if actor is None:
        return True
    if not actor.domain.is_main:
        return False
    granted = _granted(actor)
    if R.MASTER in granted:
        return True
    if right == R.DOMAINS_READ and R.ALL_DOMAINS in granted:
        return True
    if right in R.MONITOR_SUB_RIGHTS:
        return R.MONITOR in granted and right in granted
    return right in granted


def require_server_right(actor: Account | None, right: str) -> None:
    if not has_server_right(actor, right):
        raise AccessDenied(f"the {right} right is needed")


def can_open_realm(actor: Account | None, realm: str) -> bool:
    return any(has_server_right(actor, right) for right in R.REALMS[realm])


def can_read_all_domains(actor: Account | None) -> bool:
    return has_server_right(actor, R.DOMAINS_READ)


def can_write_all_domains(actor: Account | None) -> bool:
    return has_server_right(actor, R.ALL_DOMAINS)


def is_domain_admin(actor: Account | None) -> bool:
    return actor is not None and R.DOMAIN_ADMIN in _granted(actor)


def has_domain_admin_right(actor: Account, right: str) -> bool:
    return is_domain_admin(actor) and right in _granted(actor)


def holds_right(actor: Account | None, right: str) -> bool:
    """Whether the actor holds this right of an account in its reach: a server right as
    has_server_right counts it (Master implies all), a Domain Administrator right itself or
    through AllDomains, which covers every one of them."""
    if right in R.SERVER_RIGHTS:
        return has_server_right(actor, right)
    return can_write_all_domains(actor) or (actor is not None and right in _granted(actor))


def may_take_over(actor: Account | None, account: Account) -> bool:
    """Whether the actor may change what lets one log in as (or act for) the account: its password,
    second factor, aliases, services, sessions, rights, name, or remove it. Only an actor holding
    every right the account holds, so nobody gains rights by taking an account over (a Master
    account needs Master). Its own account, and the operator at the shell, always."""
    if actor is None or actor.pk == account.pk:
        return True
    return all(holds_right(actor, right) for right in account.rights or [])


def administered_domains(actor: Account | None) -> QuerySet[Domain]:
    """The domains this actor may see in the Users realm (all of them for server administrators)."""
    if can_read_all_domains(actor):
        return Domain.objects.all()
    if not is_domain_admin(actor):
        return Domain.objects.none()
    assert actor is not None
    condition = Q(pk=actor.domain_id)
    if has_domain_admin_right(actor, R.CAN_ADMIN_SUB_DOMAINS):
        condition |= Q(administrator_domain=actor.domain.name)
    return Domain.objects.filter(condition)


def administers(actor: Account | None, domain: Domain) -> bool:
    """Whether a Domain Administrator's reach includes this domain (server rights aside)."""
    if not is_domain_admin(actor):
        return False
    assert actor is not None
    if actor.domain_id == domain.pk:
        return True
    return (
        has_domain_admin_right(actor, R.CAN_ADMIN_SUB_DOMAINS)
        and bool(domain.administrator_domain)
        and domain.administrator_domain == actor.domain.name
    )


def can_read_domain(actor: Account | None, domain: Domain) -> bool:
    return can_read_all_domains(actor) or administers(actor, domain)


def can_write_domain(actor: Account | None, domain: Domain, right: str | None) -> bool:
    """Server administrators with AllDomains may do anything; a Domain Administrator needs `right`.

    `right=None` marks an operation no Domain Administrator may perform."""
    if can_write_all_domains(actor):
        return True
    if right is None or not administers(actor, domain):
        return False
    assert actor is not None
    return right in _granted(actor)


def check_domain(actor: Account | None, domain: Domain, *, write: bool = False, right: str | None = None) -> None:
    """Raise unless the actor may read (or, with write, change under `right`) this domain."""
    allowed = can_write_domain(actor, domain, right) if write else can_read_domain(actor, domain)
    if not allowed:
        raise AccessDenied(denial(right if write else None))


def denial(right: str | None) -> str:
    return f"not enough access rights: the {right} right is needed" if right else "not enough access rights"


def check_account(actor: Account | None, account: Account, *, write: bool = False, right: str | None = None) -> None:
    """Raise unless the actor may read (or change under `right`) this account.

    Everyone may read their own account. Changing it also needs every right it holds
    (may_take_over): taking over its password or sessions would give the actor those rights."""
    if actor is not None and actor.pk == account.pk and not write:
        return
    check_domain(actor, account.domain, write=write, right=right)
    if write:
        _protect_server_administrator(actor, account)


def _protect_server_administrator(actor: Account | None, account: Account) -> None:
    if not may_take_over(actor, account):
        needed = R.MASTER if R.MASTER in (account.rights or []) else "every right it holds"
        raise AccessDenied(f"not enough access rights to change {account.address}: {needed} is needed")


def split_address(address: str, default_domain: str) -> tuple[str, str]:
    """`name@domain` or `name` (then in default_domain) as (name, domain)."""
    name, at, domain = address.strip().rpartition("@")
    if not at:
        return domain, default_domain
    return name, domain


def domain_setting_authorizer(actor: Account | None, domain: Domain):
    """A check for settings changes in this domain: each setting needs its own right."""

    def authorize(name: str, right: str | None) -> None:
        if not can_write_domain(actor, domain, right):
            needed = f": the {right} right is needed" if right else ""
            raise AccessDenied(f"not enough access rights to change {name}{needed}", field=name)

    return authorize


def account_setting_authorizer(actor: Account | None, account: Account):
    """As domain_setting_authorizer, and never on a server administrator's account."""
    authorize_in_domain = domain_setting_authorizer(actor, account.domain)

    def authorize(name: str, right: str | None) -> None:
        authorize_in_domain(name, right)
        _protect_server_administrator(actor, account)

    return authorize


def check_mailbox_access(actor: Account | None, account: Account) -> None:
    """The account's own user, or an administrator with CanAccessMailboxes."""
    if actor is None or actor.pk != account.pk:
        check_account(actor, account, write=True, right=R.CAN_ACCESS_MAILBOXES)


def may_open(account: Account | None, scheme: str, realm: str) -> bool:
    """Master scheme: the Master right. Separate: the realm's right. Domain WebAdmin: a Users realm
    right or being a Domain Administrator (each object is then checked by realms.access)."""
    if scheme == R.MASTER_SCHEME:
        return has_server_right(account, R.MASTER)
    if scheme == R.SEPARATE_SCHEME:
        return can_open_realm(account, realm)
    return can_open_realm(account, R.DOMAIN_WEBADMIN_REALM) or is_domain_admin(account)
