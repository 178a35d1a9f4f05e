"""What forwarders and groups share as objects named in a domain (CommuniGate's Forwarder and Group
objects): the body of their create, rename and remove services.

Each app keeps its own named, documented services (forwarder_create, group_rename, ...) and describes
its kind once (`ObjectKind`); these do what every such change does: the Domain Administrator's
right, the claim on the domain's one namespace (domains.namespace), the audit entry, the exporter's
outbox mark and the Central Directory record. Mailing lists differ in each of those (lists.access,
ListExists, their own outbox) and keep their own services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic

from django.db import IntegrityError, transaction

from accounts.models import Account
from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.errors import AccountExists, InvalidInput
from directory import sync as directory_sync  # Central Directory: records follow forwarders and groups
from domains.models import Domain
from domains.names import normalize_account_name
from domains.namespace import Named, claim_name
from logs.audit import audit
from logs.events import Event
from realms.permissions import check_domain


def _no_real_name(_named: object) -> str:
    return ""


@dataclass(frozen=True)
class ObjectKind(Generic[Named]):
    """One kind of domain object, as its services audit and check it."""

    what: str  # "forwarder": the audit's object type and the word in error texts
    right: str  # the Domain Administrator's right to create, rename and remove them
    created: Event
    renamed: Event
    removed: Event
    values: Callable[[Named], dict[str, Value]]  # audited after creation and before removal
    real_name: Callable[[Named], str] = _no_real_name  # the Central Directory record's real name


def create_object(kind: ObjectKind[Named], *, actor: Account | None, domain: Domain, name: str,
                  build: Callable[[str], Named]) -> Named:
    """Save the object `build` makes (unsaved, its own values checked) of the checked lower-case name."""
    check_domain(actor, domain, write=True, right=kind.right)
    key = normalize_account_name(name, what=f"{kind.what} name")
    made = build(key)
    claim_name(domain, key)
    try:
        with transaction.atomic():  # another session may take the name between the claim and here
            made.save()
    except IntegrityError:
        raise AccountExists(f"a {kind.what} named {key!r} already exists in {domain.name}", field="name") from None
    audit(actor=actor, event=kind.created, object_type=kind.what, object_name=str(made),
          domain_name=domain.name, after=kind.values(made))
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key, real_name=kind.real_name(made))
    return made


def rename_object(kind: ObjectKind[Named], *, actor: Account | None, named: Named, new_name: str) -> Named:
    """Rename the object within its domain (`new_name` may repeat the domain); the same name changes nothing."""
    domain = named.domain
    check_domain(actor, domain, write=True, right=kind.right)
    local, at, where = new_name.strip().rpartition("@")
    if at and where.strip().lower() != domain.name:
        raise InvalidInput(f"a {kind.what} stays in its domain {domain.name}", field="name")
    key = normalize_account_name(local if at else where, what=f"{kind.what} name")
    if key == named.name:
        return named
    claim_name(domain, key, ignore=named)
    old, old_name = str(named), named.name
    named.name = key
    named.save(update_fields=["name"])
    audit(actor=actor, event=kind.renamed, object_type=kind.what, object_name=str(named),
          domain_name=domain.name, before={"Name": old}, after={"Name": str(named)})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_changed(domain, key, real_name=kind.real_name(named), old_name=old_name)
    return named


def remove_object(kind: ObjectKind[Named], *, actor: Account | None, named: Named) -> None:
    """Delete the object, auditing its values as they were."""
    domain = named.domain
    check_domain(actor, domain, write=True, right=kind.right)
    before = kind.values(named)
    name, short = str(named), named.name
    named.delete()
    audit(actor=actor, event=kind.removed, object_type=kind.what, object_name=name,
          domain_name=domain.name, before=before)
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.object_removed(domain, short)
