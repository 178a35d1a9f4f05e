"""CLI verbs of Group Administration (CommuniGate's CLI): each parses nothing itself and calls one
service or selector. A name may carry @domain; without it, it is in the caller's own domain.
Settings are a dictionary whose Members key is the array of member addresses."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cli.registry import Call, verb
from domains.object_verbs import READ, domain_and_name, listed_domain, object_named
from groups import selectors, services
from groups.models import Group

GROUPS = "Groups"
WRITE = "AllDomains, Master, or a Domain Administrator with CanCreateGroups"


def group_named(call: Call, address: str) -> Group:
    """The group `name[@domain]`, when the caller may read its domain."""
    return object_named(call, address, selectors.find_group, "group")


@verb("ListGroups [domain:dom]", rights=READ, section=GROUPS)
def list_groups(call: Call, domain: str | None) -> Value:
    """The names of the domain's groups."""
    return selectors.group_names(listed_domain(call, domain))


@verb("CreateGroup name:str [settings:dict]", rights=WRITE, section=GROUPS)
def create_group(call: Call, name: str, settings: dict | None) -> None:
    """Create a group with optional settings and Members."""
    domain, local = domain_and_name(call, name)
    services.group_create(actor=call.actor, domain=domain, name=local, settings=settings)


@verb("GetGroup name:str", rights=READ, section=GROUPS)
def get_group(call: Call, name: str) -> Value:
    """The group's settings, its members under Members."""
    return selectors.group_settings(group_named(call, name))


@verb("SetGroup name:str settings:dict", rights=WRITE, section=GROUPS)
def set_group(call: Call, name: str, settings: dict) -> None:
    """Replace the group's settings and members."""
    services.group_set(actor=call.actor, group=group_named(call, name), settings=settings)


@verb("RenameGroup name:str INTO new_name:str", rights=WRITE, section=GROUPS)
def rename_group(call: Call, name: str, new_name: str) -> None:
    """Rename a group (within its domain)."""
    services.group_rename(actor=call.actor, group=group_named(call, name), new_name=new_name)


@verb("DeleteGroup name:str", rights=WRITE, section=GROUPS)
def delete_group(call: Call, name: str) -> None:
    """Remove a group."""
    services.group_delete(actor=call.actor, group=group_named(call, name))
