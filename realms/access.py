"""Fetch and authorize in one call, the rights check that pages, CLI commands and manage.py
commands share: `access_domain(actor, name, write=True, right=...)` answers the Domain or raises.
The predicates it applies are realms.permissions. An actor of None is the operator at the
server's shell, who may do anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.selectors import find_account
from cgadmin.errors import AccessDenied, UnknownAccount, UnknownDomain
from domains.selectors import find_domain, main_domain
from realms.permissions import can_read_all_domains, can_read_domain, check_account, check_domain, denial, split_address

if TYPE_CHECKING:
    from accounts.models import Account
    from domains.models import Domain


def access_domain(
    actor: Account | None, name: str, *, write: bool = False, right: str | None = None
) -> Domain:
    """The domain (or the domain an alias names), when the actor may read or change it.

    An actor who cannot see every domain learns nothing from the answer: an unknown domain and a
    domain it does not administer are both refused as access denied."""
    domain = find_domain(name)
    if domain is None:
        if can_read_all_domains(actor):
            raise UnknownDomain(f"unknown domain name {name!r}")
        raise AccessDenied(denial(None))
    check_domain(actor, domain, write=write, right=right)
    return domain


def default_domain_name(actor: Account | None) -> str:
    """A name without @domain means the administrator's own domain (the Main Domain at the shell)."""
    if actor is not None:
        return actor.domain.name
    return main_domain().name


def access_account(
    actor: Account | None, address: str, *, write: bool = False, right: str | None = None
) -> Account:
    """The account named by `name[@domain]` (or by one of its aliases), when the actor may reach it.

    As with domains, an actor learns that an account does not exist only where it may look."""
    name, domain_name = split_address(address, default_domain_name(actor))
    account = find_account(domain_name, name)
    if account is None:
        domain = find_domain(domain_name)
        if domain is not None and can_read_domain(actor, domain):
            raise UnknownAccount(f"unknown account name {address!r}")
        if domain is None and can_read_all_domains(actor):
            raise UnknownDomain(f"unknown domain name {domain_name!r}")
        raise AccessDenied(denial(None))
    check_account(actor, account, write=write, right=right)
    return account
