"""Every change to forwarders: create, rename, remove. Rights: CanCreateForwarders."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import Account
from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.errors import AccountExists, InvalidInput
from directory import sync as directory_sync  # Central Directory: records follow forwarders
from domains.models import Domain
from domains.names import normalize_account_name, normalize_address
from domains.namespace import claim_name
from forwarders.models import Forwarder
from logs.audit import audit
from logs.events import Event
from realms.permissions import check_domain

CAN_CREATE_FORWARDERS = "CanCreateForwarders"


def _target(domain: Domain, name: str, target: str) -> str:
    address = normalize_address(target, what="forwarder address", field="target")
    local, at, where = address.rpartition("@")
    own = (local if at else where).lower() == name and (not at or where.lower() == domain.name)
    if own:
        raise InvalidInput(f"the forwarder {name!r} cannot forward to itself", field="target")
    return address


@transaction.atomic
def forwarder_create(*, actor: Account | None, domain: Domain, name: str, target: str) -> Forwarder:
    """Create a forwarder: mail to name@domain goes to `target`."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_FORWARDERS)
    key = normalize_account_name(name, what="forwarder name")
    address = _target(domain, key, target)
    claim_name(domain, key)
    try:
        with transaction.atomic():  # another session may take the name between the claim and here
            forwarder = Forwarder.objects.create(domain=domain, name=key, target=address)
    except IntegrityError:
        raise AccountExists(f"a forwarder named {key!r} already exists in {domain.name}", field="name") from None
    audit(actor=actor, event=Event.FORWARDER_CREATE, object_type="forwarder", object_name=str(forwarder),
          domain_name=domain.name, after={"Name": key, "Address": address})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key)
    return forwarder


@transaction.atomic
def forwarder_rename(*, actor: Account | None, forwarder: Forwarder, new_name: str) -> Forwarder:
    """Rename a forwarder within its domain."""
    domain = forwarder.domain
    check_domain(actor, domain, write=True, right=CAN_CREATE_FORWARDERS)
    local, at, where = new_name.strip().rpartition("@")
    if at and where.strip().lower() != domain.name:
        raise InvalidInput(f"a forwarder stays in its domain {domain.name}", field="name")
    key = normalize_account_name(local if at else where, what="forwarder name")
    if key == forwarder.name:
        return forwarder
    claim_name(domain, key, ignore=forwarder)
    old, old_name = str(forwarder), forwarder.name
    forwarder.name = key
    forwarder.save(update_fields=["name"])
    audit(actor=actor, event=Event.FORWARDER_RENAME, object_type="forwarder", object_name=str(forwarder),
          domain_name=domain.name, before={"Name": old}, after={"Name": str(forwarder)})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key, old_name=old_name)
    return forwarder


@transaction.atomic
def forwarder_delete(*, actor: Account | None, forwarder: Forwarder) -> None:
    """Remove a forwarder."""
    domain = forwarder.domain
    check_domain(actor, domain, write=True, right=CAN_CREATE_FORWARDERS)
    before: dict[str, Value] = {"Name": forwarder.name, "Address": forwarder.target}
    name = str(forwarder)
    forwarder.delete()
    audit(actor=actor, event=Event.FORWARDER_DELETE, object_type="forwarder", object_name=name,
          domain_name=domain.name, before=before)
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_removed(domain, str(before["Name"]))
