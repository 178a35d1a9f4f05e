"""Every change to forwarders: create, rename, remove. Rights: CanCreateForwarders."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Account
from cgadmin.errors import InvalidInput
from domains.models import Domain
from domains.names import normalize_address
from domains.objects import ObjectKind, create_object, remove_object, rename_object
from forwarders.models import Forwarder
from logs.events import Event

CAN_CREATE_FORWARDERS = "CanCreateForwarders"


def _target(domain: Domain, name: str, target: str) -> str:
    address = normalize_address(target, what="forwarder address", field="target")
    local, at, where = address.rpartition("@")
    own = (local if at else where).lower() == name and (not at or where.lower() == domain.name)
    if own:
        raise InvalidInput(f"the forwarder {name!r} cannot forward to itself", field="target")
    return address


FORWARDER = ObjectKind[Forwarder](
    what="forwarder", right=CAN_CREATE_FORWARDERS, created=Event.FORWARDER_CREATE,
    renamed=Event.FORWARDER_RENAME, removed=Event.FORWARDER_DELETE,
    values=lambda forwarder: {"Name": forwarder.name, "Address": forwarder.target},
)


@transaction.atomic
def forwarder_create(*, actor: Account | None, domain: Domain, name: str, target: str) -> Forwarder:
    """Create a forwarder: mail to name@domain goes to `target`."""
    return create_object(FORWARDER, actor=actor, domain=domain, name=name, build=lambda key: Forwarder(
        domain=domain, name=key, target=_target(domain, key, target)))


@transaction.atomic
def forwarder_rename(*, actor: Account | None, forwarder: Forwarder, new_name: str) -> Forwarder:
    """Rename a forwarder within its domain."""
    return rename_object(FORWARDER, actor=actor, named=forwarder, new_name=new_name)


@transaction.atomic
def forwarder_delete(*, actor: Account | None, forwarder: Forwarder) -> None:
    """Remove a forwarder."""
    remove_object(FORWARDER, actor=actor, named=forwarder)
