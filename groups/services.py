"""Every change to groups: create, set settings and members, rename, remove. Rights: CanCreateGroups."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from accounts.models import Account
from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from directory import sync as directory_sync  # Central Directory: records follow groups
from domains.models import Domain
from domains.names import normalize_address
from domains.objects import ObjectKind, create_object, remove_object, rename_object
from groups.models import Group
from groups.selectors import MEMBERS, group_settings
from logs.audit import audit
from logs.events import Event
from realms.permissions import check_domain

CAN_CREATE_GROUPS = "CanCreateGroups"
MAX_MEMBERS = 100_000
STRING_SETTINGS = ("RealName", "EMail")


def _members(value: Value, domain: Domain, name: str) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput("Members: must be an array of addresses", field=MEMBERS)
    if len(value) > MAX_MEMBERS:
        raise InvalidInput(f"Members: at most {MAX_MEMBERS} members", field=MEMBERS)
    members: list[str] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput(f"Members: {item!r} is not an address", field=MEMBERS)
        address = normalize_address(item, what="member address", field=MEMBERS)
        key = address.lower()
        if key in (name, f"{name}@{domain.name}"):
            raise InvalidInput(f"Members: the group {name!r} cannot be its own member", field=MEMBERS)
        if key in seen:
            raise InvalidInput(f"Members: {address!r} is listed twice", field=MEMBERS)
        seen.add(key)
        members.append(address)
    return members


def _real_name(group: Group) -> str:
    value = group.settings.get("RealName")
    return value if isinstance(value, str) else ""


def _split(settings: Mapping[str, Value] | None, domain: Domain, name: str) -> tuple[dict[str, Value], list[str]]:
    """The settings (unknown keys kept, as CommuniGate keeps them) and the checked member list."""
    values: dict[str, Value] = {}
    members: list[str] = []
    for key, value in (settings or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidInput("a group setting has an empty name", field="settings")
        if key.lower() == MEMBERS.lower():
            members = _members(value, domain, name)
        elif value is None:
            continue  # #NULL# removes a key, as in Update*Settings
        elif key in STRING_SETTINGS and not isinstance(value, str):
            raise InvalidInput(f"{key}: must be a string", field=key)
        else:
            values[key] = value
    return values, members


GROUP = ObjectKind[Group](
    what="group", right=CAN_CREATE_GROUPS, created=Event.GROUP_CREATE, renamed=Event.GROUP_RENAME,
    removed=Event.GROUP_DELETE, values=group_settings, real_name=_real_name,
)


def _new_group(domain: Domain, key: str, settings: Mapping[str, Value] | None) -> Group:
    values, members = _split(settings, domain, key)
    group = Group(domain=domain, name=key, members=members)
    group.settings = values
    return group


@transaction.atomic
def group_create(*, actor: Account | None, domain: Domain, name: str,
                 settings: Mapping[str, Value] | None = None) -> Group:
    """Create a group with initial settings and members."""
    return create_object(GROUP, actor=actor, domain=domain, name=name,
                         build=lambda key: _new_group(domain, key, settings))


@transaction.atomic
def group_set(*, actor: Account | None, group: Group, settings: Mapping[str, Value]) -> Group:
    """Replace the group's settings and members (SetGroup): what is not given is gone."""
    check_domain(actor, group.domain, write=True, right=CAN_CREATE_GROUPS)
    values, members = _split(settings, group.domain, group.name)
    before = group_settings(group)
    group.settings, group.members = values, members
    after = group_settings(group)
    if after != before:
        group.save(update_fields=["settings", "members"])
        audit(actor=actor, event=Event.GROUP_SET, object_type="group", object_name=str(group),
              domain_name=group.domain.name, before=before, after=after)
        outbox.mark_dirty(outbox.DOMAIN, group.domain.pk)
        if before.get("RealName") != after.get("RealName"):
            directory_sync.object_changed(group.domain, group.name, real_name=_real_name(group))
    return group


@transaction.atomic
def group_rename(*, actor: Account | None, group: Group, new_name: str) -> Group:
    """Rename a group within its domain."""
    return rename_object(GROUP, actor=actor, named=group, new_name=new_name)


@transaction.atomic
def group_delete(*, actor: Account | None, group: Group) -> None:
    """Remove a group (its members are untouched)."""
    remove_object(GROUP, actor=actor, named=group)
