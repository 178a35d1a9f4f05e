"""server.services called directly, as the personas of tests/conftest.py: the allowed actor changes
the settings, the refused one gets AccessDenied with nothing changed, and each change is audited and
marked for the exporter (tests/service_checks.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accounts.models import Account
from basedir.outbox import ACCOUNT, DOMAIN, SERVER
from directory.export import OUTBOX_KIND as DIRECTORY
from domains.models import Domain
from logs.events import Event
from server import documents, privilege
from server import services as S
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


def refused_without_settings(service, personas, **kwargs) -> None:
    """The General page is the Settings right's: no other server right, no Domain Administrator."""
    for actor in (personas.monitor, personas.all_domains, personas.directory_admin, personas.domain_admin_with_right,
                  personas.plain_user):
        call_refused(service, actor=actor, **kwargs)


@pytest.fixture
def running_server(settings, tmp_path):
    """Another process holding the base directory's ProcessID lock, as a running server does."""
    settings.CGATE_BASE = tmp_path
    code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(tmp_path / 'ProcessID')!r}, os.O_RDWR | os.O_CREAT, 0o644)\n"
        "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, str(os.getpid()).encode() + b'\\n')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield holder.pid
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def test_server_initialize(db):
    call = call_allowed(S.server_initialize, host_name="Mail.Example.TEST", postmaster_password="first-secret")

    postmaster = Account.objects.get(name="postmaster")
    assert (postmaster.domain.name, postmaster.domain.is_main, postmaster.rights) == (
        "mail.example.test", True, ["Master"])
    assert call.result.postmaster == postmaster and postmaster.check_password("first-secret")
    call.audited(Event.SERVER_INITIALIZE, actor=None, object_name="mail.example.test",
                 after={"DomainName": "mail.example.test", "Postmaster": "postmaster@mail.example.test"})
    call.audited(Event.DOMAIN_CREATE, actor=None, object_name="mail.example.test")
    call.audited(Event.ACCOUNT_CREATE, actor=None, object_name="postmaster@mail.example.test")
    call.marked((DOMAIN, postmaster.domain_id), (ACCOUNT, postmaster.pk), (DIRECTORY, "mail.example.test"),
                *((SERVER, name) for name in S.SERVER_FILE_DOCUMENTS))  # every Settings/ file written at once


def test_server_initialize_a_second_time_does_nothing(postmaster):
    call = call_allowed(S.server_initialize, host_name="other.test")

    assert call.result is None and Domain.objects.filter(is_main=True).get().name == "mail.example.test"
    call.audits_nothing("the server was initialized before")
    call.marks_nothing("the server was initialized before")


def test_server_settings_update(personas):
    refused_without_settings(S.server_settings_update, personas, updates={"ContactPerson": "Ann"})

    call = call_allowed(S.server_settings_update, actor=personas.settings_admin, updates={"ContactPerson": "Ann"})

    assert documents.read(documents.MAIN)["ContactPerson"] == "Ann"
    call.audited(Event.SERVER_SETTINGS, actor=personas.settings_admin, object_name="General",
                 before={"ContactPerson": "default"}, after={"ContactPerson": "Ann"})
    call.marked((SERVER, documents.MAIN))


def test_server_settings_update_of_the_main_domain_name_renames_the_main_domain(personas):
    main = personas.postmaster.domain

    call = call_allowed(S.server_settings_update, actor=personas.settings_admin,
                        updates={"DomainName": "mail.renamed.test"})

    assert Domain.objects.get(pk=main.pk).name == "mail.renamed.test"
    call.audited(Event.DOMAIN_RENAME, actor=personas.settings_admin, before={"Name": "mail.example.test"},
                 after={"Name": "mail.renamed.test"})
    call.marked((SERVER, documents.MAIN), (DOMAIN, main.pk), (DIRECTORY, "mail.example.test"),
                (DIRECTORY, "mail.renamed.test"))


def test_server_record_start(postmaster):
    call = call_allowed(S.server_record_start, parameters=["--Base", "/var/CommuniGate"], pid=4321)

    runtime = documents.read(documents.RUNTIME)
    assert (runtime["StartupParameters"], runtime["PID"]) == (["--Base", "/var/CommuniGate"], 4321)
    call.audits_nothing("the running server's state, not an administrative change")
    call.marks_nothing("Runtime is not a base directory file")


def test_network_refresh_request(personas):
    refused_without_settings(S.network_refresh_request, personas)

    call = call_allowed(S.network_refresh_request, actor=personas.settings_admin)

    call.audited(Event.NETWORK_REFRESH, actor=personas.settings_admin, object_name="Network")
    call.marks_nothing("the worker's refresh writes the network data")


def test_network_refresh(postmaster):
    call = call_allowed(S.network_refresh)

    stored = documents.read(documents.NETWORK)
    assert stored["DomainIPs"] == call.result["DomainIPs"] == {} and "RefreshedAt" in stored
    call.audits_nothing("a worker re-reading the OS, not an administrative change")
    call.marks_nothing("network data is not a base directory file")


def test_server_strings_update(personas):
    refused_without_settings(S.server_strings_update, personas, updates={"SubjectFailed": "Returned mail"})

    call = call_allowed(S.server_strings_update, actor=personas.settings_admin,
                        updates={"SubjectFailed": "Returned mail"})

    assert documents.read(documents.STRINGS) == {"SubjectFailed": "Returned mail"}
    call.audited(Event.SERVER_STRINGS, actor=personas.settings_admin, before={"SubjectFailed": "default"},
                 after={"SubjectFailed": "Returned mail"})
    call.marked((SERVER, documents.STRINGS))


def test_server_shutdown(personas):
    refused_without_settings(S.server_shutdown, personas)
    call_refused(S.server_shutdown, actor=personas.settings_admin)  # Master only

    call = call_allowed(S.server_shutdown, actor=personas.postmaster)  # the signal waits for a commit: never sent

    call.audited(Event.SERVER_SHUTDOWN, actor=personas.postmaster, object_name="Server")
    call.marks_nothing("stopping changes no setting")


def test_server_record_privilege(postmaster):
    call = call_allowed(S.server_record_privilege, state=privilege.DROPPED, user="nobody")

    runtime = documents.read(documents.RUNTIME)
    assert (runtime["RootPrivilege"], runtime["RunAs"]) == (privilege.DROPPED, "nobody")
    call.audits_nothing("the running server's state, not an administrative change")
    call.marks_nothing("Runtime is not a base directory file")


def test_server_root_privilege_set(personas, running_server):
    S.server_record_privilege(state=privilege.DROPPED, user="nobody")
    refused_without_settings(S.server_root_privilege_set, personas, drop=False)

    call = call_allowed(S.server_root_privilege_set, actor=personas.settings_admin, drop=False)

    assert documents.read(documents.RUNTIME)["RootPrivilegeRequest"] == "restore"
    call.audited(Event.SERVER_ROOT, actor=personas.settings_admin, before={"RootPrivilege": privilege.DROPPED},
                 after={"RootPrivilege": "restore requested"})
    call.marks_nothing("Runtime is not a base directory file")


HELPERS = {
    "main_domain_name_from_host": "computes a name",
    "server_settings": "a read, on its way to server.selectors (issue 21)",
    "server_settings_flag": "a read, on its way to server.selectors (issue 21)",
    "server_pid": "a read, on its way to server.selectors (issue 21)",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
