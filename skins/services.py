"""Skins: every read and change of skin files goes through here, with its rights check and audit.

Server-wide skins need the Settings right to change (any server administrator may read them); a
domain's skins need CanModifySkins (or AllDomains) to change, and access to the domain to read."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import transaction

from accounts.models import Account
from cgadmin.errors import AccessDenied
from domains.models import Domain
from logs.audit import audit
from logs.events import Event
from realms import permissions
from realms import rights as R
from skins import storage
from skins.storage import SkinFile

CAN_MODIFY_SKINS = "CanModifySkins"


def _check(actor: Account | None, domain: Domain | None, *, write: bool) -> None:
    if domain is not None:
        permissions.check_domain(actor, domain, write=write, right=CAN_MODIFY_SKINS)
    elif write:
        permissions.require_server_right(actor, R.SETTINGS)
    elif not (permissions.has_server_right(actor, R.SETTINGS) or permissions.can_read_all_domains(actor)
              or permissions.is_domain_admin(actor)):
        raise AccessDenied("not enough access rights")


def _scope(domain: Domain | None) -> str:
    return domain.name if domain else "server"


def _digest(data: bytes) -> str:
    return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def skins_list(*, actor: Account | None, domain: Domain | None) -> list[str]:
    """The Admin- skins of the server (domain None) or of a domain, without the prefix."""
    _check(actor, domain, write=False)
    return storage.list_skins(domain)


def skin_files(*, actor: Account | None, domain: Domain | None, skin: str) -> list[SkinFile]:
    """The files of one skin."""
    _check(actor, domain, write=False)
    return storage.list_files(domain, skin)


def skin_file_read(*, actor: Account | None, domain: Domain | None, skin: str, name: str) -> tuple[bytes, datetime]:
    """One skin file's content and modification time."""
    _check(actor, domain, write=False)
    return storage.read_file(domain, skin, name)


@transaction.atomic
def skin_file_store(*, actor: Account | None, domain: Domain | None, skin: str, name: str, data: bytes) -> None:
    """Upload (create or replace) one skin file, checked for name, type, size and markup first."""
    _check(actor, domain, write=True)
    before = _previous(domain, skin, name)
    storage.store_file(domain, skin, name, data)
    audit(actor=actor, event=Event.SKIN_STORE, object_type="skin", object_name=f"{_scope(domain)}/{skin}/{name}",
          domain_name=domain.name if domain else "", before=before, after=_digest(data))


@transaction.atomic
def skin_file_delete(*, actor: Account | None, domain: Domain | None, skin: str, name: str) -> None:
    """Delete one skin file; a skin whose last file goes is gone."""
    _check(actor, domain, write=True)
    before = _previous(domain, skin, name)
    storage.delete_file(domain, skin, name)
    audit(actor=actor, event=Event.SKIN_DELETE, object_type="skin", object_name=f"{_scope(domain)}/{skin}/{name}",
          domain_name=domain.name if domain else "", before=before, after=None)


def _previous(domain: Domain | None, skin: str, name: str) -> str | None:
    path = storage.file_path(domain, skin, name)
    return _digest(path.read_bytes()) if path.is_file() else None
