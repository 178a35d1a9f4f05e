"""Reads of groups: by name, the names of a domain, a page of them, a group's settings as the CLI gives them."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cgadmin.paging import KeyPage, ListRequest
from domains.models import Domain
from domains.namespace import find_named, names_of, page_by_name
from groups.models import Group

MEMBERS = "Members"


def find_group(domain: Domain, name: str) -> Group | None:
    """The domain's group of that name (any case), or None."""
    return find_named(Group, domain, name)


def group_names(domain: Domain) -> list[Value]:
    """Every group name of the domain, in name order (ListGroups)."""
    return names_of(Group, domain)


def groups_page(domain: Domain, wanted: ListRequest) -> KeyPage:
    """One page of the domain's groups, by name (the Groups page)."""
    return page_by_name(Group.objects.filter(domain=domain).only("name", "settings", "members", "domain_id"), wanted)


def group_settings(group: Group) -> dict[str, Value]:
    """The group's settings with its members under Members, as GetGroup answers and the .grp file holds."""
    return {**group.settings, MEMBERS: list(group.members)}
