"""What the CLI verbs of a domain's objects (forwarders, groups, mailing lists) share: an object named
`name[@domain]` (without @domain, in the caller's own domain) and the domain a List* verb reads.
The verbs themselves stay in each app's cli_commands, each calling one service or selector."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cgadmin.errors import NotFound
from cli.registry import Call
from domains.models import Domain
from realms.access import access_domain, default_domain_name
from realms.permissions import split_address

T = TypeVar("T")
READ = "read: DomainsRead, AllDomains, Master, or a Domain Administrator of the domain"  # their List*, Get* verbs


def domain_and_name(call: Call, address: str) -> tuple[Domain, str]:
    """The domain of `name[@domain]` (the caller's own without @domain), when the caller may read it, and the name."""
    name, domain_name = split_address(address, default_domain_name(call.actor))
    return access_domain(call.actor, domain_name), name


def listed_domain(call: Call, domain: str | None) -> Domain:
    """The domain a List* verb reads: the one named, or the caller's own; when the caller may read it."""
    return access_domain(call.actor, domain or default_domain_name(call.actor))


def object_named(call: Call, address: str, find: Callable[[Domain, str], T | None], what: str) -> T:
    """The object `name[@domain]` that `find` finds, when the caller may read its domain; NotFound
    ("unknown <what> name@domain") when there is none."""
    domain, name = domain_and_name(call, address)
    found = find(domain, name)
    if found is None:
        raise NotFound(f"unknown {what} {name}@{domain.name}")
    return found
