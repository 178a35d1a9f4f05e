"""Reads of groups: by name, the names of a domain, a page of them, a group's settings as the CLI gives them."""

from __future__ import annotations

from cgadmin.dataformat import Value
from domains.models import Domain
from groups.models import Group

MEMBERS = "Members"


def find_group(domain: Domain, name: str) -> Group | None:
    """The domain's group of that name (any case), or None."""
    found = Group.objects.filter(domain=domain, name=name.strip().lower()).first()
    if found is not None:
        found.domain = domain
    return found


def group_names(domain: Domain) -> list[Value]:
    """Every group name of the domain, in name order (ListGroups)."""
    names: list[Value] = []
    names += Group.objects.filter(domain=domain).order_by("name").values_list("name", flat=True)
    return names


def groups_page(domain: Domain, *, after: str = "", limit: int = 50, contains: str = "") -> list[Group]:
    """Up to limit + 1 groups after `after` in name order (the extra one says more follow); by key."""
    found = Group.objects.filter(domain=domain, name__gt=after.lower())
    if contains:
        found = found.filter(name__contains=contains.strip().lower())
    return list(found.order_by("name")[: limit + 1])


def group_settings(group: Group) -> dict[str, Value]:
    """The group's settings with its members under Members, as GetGroup answers and the .grp file holds."""
    return {**group.settings, MEMBERS: list(group.members)}
