"""Every change to groups: create, set settings and members, rename, remove. Rights: CanCreateGroups."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction

from accounts.models import Account
from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.errors import AccountExists, InvalidInput
from directory import sync as directory_sync  # Central Directory: records follow groups
from domains.models import Domain
from domains.names import normalize_account_name, normalize_address
from domains.namespace import claim_name
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


@transaction.atomic
def group_create(*, actor: Account | None, domain: Domain, name: str,
                 settings: Mapping[str, Value] | None = None) -> Group:
    """Create a group with initial settings and members."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_GROUPS)
    key = normalize_account_name(name, what="group name")
    values, members = _split(settings, domain, key)
    claim_name(domain, key)
    group = Group(domain=domain, name=key, members=members)
    group.settings = values
    try:
        with transaction.atomic():  # another session may take the name between the claim and here
            group.save()
    except IntegrityError:
        raise AccountExists(f"a group named {key!r} already exists in {domain.name}", field="name") from None
    audit(actor=actor, event=Event.GROUP_CREATE, object_type="group", object_name=str(group),
          domain_name=domain.name, after=group_settings(group))
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key, real_name=_real_name(group))
    return group


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
    domain = group.domain
    check_domain(actor, domain, write=True, right=CAN_CREATE_GROUPS)
    local, at, where = new_name.strip().rpartition("@")
    if at and where.strip().lower() != domain.name:
        raise InvalidInput(f"a group stays in its domain {domain.name}", field="name")
    key = normalize_account_name(local if at else where, what="group name")
    if key == group.name:
        return group
    claim_name(domain, key, ignore=group)
    old, old_name = str(group), group.name
    group.name = key
    group.save(update_fields=["name"])
    audit(actor=actor, event=Event.GROUP_RENAME, object_type="group", object_name=str(group),
          domain_name=domain.name, before={"Name": old}, after={"Name": str(group)})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key, real_name=_real_name(group), old_name=old_name)
    return group


@transaction.atomic
def group_delete(*, actor: Account | None, group: Group) -> None:
    """Remove a group (its members are untouched)."""
    domain = group.domain
    check_domain(actor, domain, write=True, right=CAN_CREATE_GROUPS)
    before = group_settings(group)
    name, short = str(group), group.name
    group.delete()
    audit(actor=actor, event=Event.GROUP_DELETE, object_type="group", object_name=name,
          domain_name=domain.name, before=before)
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_removed(domain, short)
