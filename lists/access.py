"""Fetch a mailing list and authorize in one call (the lists' counterpart of realms.access).

Managing a list (its settings and subscribers) is for its owner, a Domain Administrator with
CanAccessLists, and AllDomains; creating, renaming and removing one needs CanCreateLists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cgadmin.errors import AccessDenied, UnknownDomain, UnknownList
from domains.selectors import find_domain
from lists.models import MailingList
from lists.selectors import find_list
from realms.access import default_domain_name
from realms.permissions import can_read_all_domains, can_read_domain, can_write_domain, denial, split_address

if TYPE_CHECKING:
    from accounts.models import Account
    from domains.models import Domain

MANAGE_RIGHT = "CanAccessLists"
CREATE_RIGHT = "CanCreateLists"


def may_manage_list(actor: Account | None, mailing_list: MailingList) -> bool:
    """The owner, a Domain Administrator with CanAccessLists, AllDomains (and the shell)."""
    if actor is None or actor.pk == mailing_list.owner_id:
        return True
    return can_write_domain(actor, mailing_list.domain, MANAGE_RIGHT)


def may_create_lists(actor: Account | None, domain: Domain) -> bool:
    return can_write_domain(actor, domain, CREATE_RIGHT)


def require_manage(actor: Account | None, mailing_list: MailingList) -> None:
    if not may_manage_list(actor, mailing_list):
        raise AccessDenied(f"{denial(MANAGE_RIGHT)} (or be the list's owner)")


def require_create(actor: Account | None, domain: Domain) -> None:
    if not may_create_lists(actor, domain):
        raise AccessDenied(denial(CREATE_RIGHT))


def access_list(actor: Account | None, address: str, *, create_right: bool = False) -> MailingList:
    """The list `name[@domain]`, when the actor may manage it (with create_right: rename or remove it).

    As with accounts, an actor learns that a list does not exist only where it may look: in a
    domain it may read, or its own domain when it owns lists there."""
    name, domain_name = split_address(address, default_domain_name(actor))
    domain = find_domain(domain_name)
    if domain is None:
        if can_read_all_domains(actor):
            raise UnknownDomain(f"unknown domain name {domain_name!r}")
        raise AccessDenied(denial(None))
    mailing_list = find_list(domain, name)
    if mailing_list is None:
        if can_read_domain(actor, domain) or (actor is not None and actor.domain_id == domain.pk):
            raise UnknownList(f"unknown mailing list {name}@{domain.name}")
        raise AccessDenied(denial(None))
    if create_right:
        require_create(actor, domain)
    else:
        require_manage(actor, mailing_list)
    return mailing_list
