"""skins.services called directly, as the personas of tests/conftest.py: server skins are changed with
the Settings right, a domain's with CanModifySkins (or AllDomains); everyone else is refused with
nothing written, and each change is audited (tests/service_checks.py)."""

from __future__ import annotations

import hashlib

import pytest

from skins import services as S
from skins import storage
from tests import factories
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db

CSS = b"body { color: navy; }\n"
NOT_EXPORTED = "skin files are written in place by the service, not by the exporter"


@pytest.fixture
def skinner(personas):
    return factories.make_domain_admin(personas.client1, "skinner", "CanModifySkins")


def stored(domain, skin: str = "blue") -> list[str]:
    return [item.name for item in storage.list_files(domain, skin)]


def test_skins_list(personas, skinner):
    storage.store_file(personas.client1, "blue", "admin.css", CSS)
    call_refused(S.skins_list, actor=personas.other_domain_admin, domain=personas.client1)
    call_refused(S.skins_list, actor=personas.plain_user, domain=None)

    domain = call_allowed(S.skins_list, actor=personas.domain_admin_without_right, domain=personas.client1)
    server = call_allowed(S.skins_list, actor=personas.domains_read, domain=None)

    assert (domain.result, server.result) == (["blue"], [])
    for call in (domain, server):
        call.audits_nothing("a read")
        call.marks_nothing("a read")


def test_skin_files(personas):
    storage.store_file(personas.client1, "blue", "admin.css", CSS)
    call_refused(S.skin_files, actor=personas.other_domain_admin, domain=personas.client1, skin="blue")

    call = call_allowed(S.skin_files, actor=personas.domain_admin_with_right, domain=personas.client1, skin="blue")

    assert [item.name for item in call.result] == ["admin.css"]
    call.audits_nothing("a read")
    call.marks_nothing("a read")


def test_skin_file_read(personas):
    storage.store_file(None, "blue", "admin.css", CSS)
    call_refused(S.skin_file_read, actor=personas.plain_user, domain=None, skin="blue", name="admin.css")

    call = call_allowed(S.skin_file_read, actor=personas.settings_admin, domain=None, skin="blue", name="admin.css")

    assert call.result[0] == CSS
    call.audits_nothing("a read")
    call.marks_nothing("a read")


def test_skin_file_store(personas, skinner):
    for actor in (personas.domain_admin_with_right, personas.other_domain_admin, personas.domains_read,
                  personas.settings_admin):
        call_refused(S.skin_file_store, actor=actor, domain=personas.client1, skin="blue", name="admin.css", data=CSS)
    call_refused(S.skin_file_store, actor=skinner, domain=None, skin="blue", name="admin.css", data=CSS)
    assert stored(personas.client1) == stored(None) == []

    call = call_allowed(S.skin_file_store, actor=skinner, domain=personas.client1, skin="blue", name="admin.css",
                        data=CSS)

    assert storage.read_file(personas.client1, "blue", "admin.css")[0] == CSS
    call.audited("skin.store", actor=skinner, object_name="client1.test/blue/admin.css", before=None,
                 after=f"{len(CSS)} bytes, sha256 {hashlib.sha256(CSS).hexdigest()[:16]}")
    call.marks_nothing(NOT_EXPORTED)


def test_skin_file_store_on_the_server(personas):
    call = call_allowed(S.skin_file_store, actor=personas.settings_admin, domain=None, skin="blue", name="admin.css",
                        data=CSS)

    assert stored(None) == ["admin.css"]
    call.audited("skin.store", actor=personas.settings_admin, object_name="server/blue/admin.css")
    call.marks_nothing(NOT_EXPORTED)


def test_skin_file_delete(personas, skinner):
    storage.store_file(personas.client1, "blue", "admin.css", CSS)
    call_refused(S.skin_file_delete, actor=personas.domain_admin_with_right, domain=personas.client1, skin="blue",
                 name="admin.css")
    assert stored(personas.client1) == ["admin.css"]

    call = call_allowed(S.skin_file_delete, actor=skinner, domain=personas.client1, skin="blue", name="admin.css")

    assert stored(personas.client1) == []
    call.audited("skin.delete", actor=skinner, object_name="client1.test/blue/admin.css", after=None)
    call.marks_nothing(NOT_EXPORTED)


def test_every_public_service_is_tested():
    assert untested_services(S, __file__) == []
