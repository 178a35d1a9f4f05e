"""Forwarder Administration verbs as CommuniGate's CLI documents them: what they answer and change,
the codes and texts clients compare (520 `account with this name already exists` for any taken
name of the domain's one namespace), ListDomainObjects' FORWARDERS, and the vendor Perl module's
wire format over a live listener."""

from __future__ import annotations

import pytest

from accounts.models import Account
from cgadmin.dataformat import loads
from cli.dispatch import execute
from forwarders.models import Forwarder
from tests import factories
from tests.cli.live import live_cli  # noqa: F401
from tests.cli.perl_wire import PerlWireClient


@pytest.fixture
def run(postmaster):
    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


@pytest.mark.django_db
def test_create_get_list_find_rename_delete(run, client1):
    assert run("CreateForwarder sales@client1.test TO boss@remote.example") == (200, "OK")
    assert run("CREATEFORWARDER info@client1.test to sales") == (200, "OK")
    assert run("GetForwarder sales@client1.test") == (201, "boss@remote.example")
    assert run("ListForwarders client1.test") == (201, ["info", "sales"])
    assert run("FindForwarders client1.test TO boss@remote.example") == (201, ["sales"])
    assert run("FindForwarders client1.test TO nobody@remote.example") == (201, [])

    assert run("RenameForwarder sales@client1.test INTO shop") == (200, "OK")
    assert run("ListForwarders client1.test") == (201, ["info", "shop"])
    assert run("DeleteForwarder shop@client1.test") == (200, "OK")
    assert list(Forwarder.objects.values_list("name", flat=True)) == ["info"]


@pytest.mark.django_db
def test_a_name_taken_in_the_domain_answers_communigates_text(run, client1):
    factories.make_account(client1, "jane")
    run("CreateForwarder sales@client1.test TO boss@remote.example")

    for line in ("CreateForwarder jane@client1.test TO x@y.test", "CreateForwarder sales@client1.test TO x@y.test",
                 "CreateAccount sales@client1.test", "CreateGroup sales@client1.test"):
        assert run(line) == (520, "account with this name already exists"), line
    assert Forwarder.objects.get(name="sales").target == "boss@remote.example"


@pytest.mark.django_db
def test_bad_input_and_unknown_names(run, client1, postmaster):
    code, text = run("CreateForwarder sales@client1.test TO \"two words\"")
    assert code == 500 and "not an E-mail address" in str(text)
    assert run("GetForwarder ghost@client1.test")[0] == 501
    assert run("ListForwarders nowhere.test")[0] == 512
    admin = factories.make_domain_admin(client1, "fwdadmin", "CanCreateForwarders")
    assert run("CreateForwarder info TO jane", actor=admin) == (200, "OK")  # the admin's own domain
    assert Forwarder.objects.get(name="info").domain == client1


@pytest.mark.django_db
def test_list_domain_objects_counts_and_lists_forwarders(run, client1):
    factories.make_account(client1, "jane")
    run("CreateForwarder sales@client1.test TO boss@remote.example")

    objects = {"jane": "macnt", "sales": [["boss@remote.example"]]}
    assert run("ListDomainObjects client1.test 10") == (201, ["1", objects, "0", "1"])
    assert run("ListDomainObjects client1.test 10 FORWARDERS")[1][1] == {"sales": [["boss@remote.example"]]}
    assert run("ListDomainObjects client1.test 10 ACCOUNTS")[1][1:] == [{"jane": "macnt"}, "0", "1"]


@pytest.mark.django_db(transaction=True)
def test_the_perl_module_wire_format(live_cli, postmaster, client1):  # noqa: F811
    perl = PerlWireClient(live_cli.port, "postmaster", factories.POSTMASTER_PASSWORD)
    assert perl.connected
    assert perl.command("CreateForwarder sales@client1.test TO boss@remote.example")
    assert perl.query("GetForwarder sales@client1.test") == "boss@remote.example"
    assert perl.query("ListForwarders client1.test") == ["sales"]
    assert not perl.command("CreateForwarder sales@client1.test TO other@remote.example")
    assert (perl.code, perl.message) == (520, "account with this name already exists")
    assert perl.command("RenameForwarder sales@client1.test INTO shop@client1.test")
    assert perl.query("FindForwarders client1.test TO boss@remote.example") == ["shop"]
    assert perl.command("DeleteForwarder shop@client1.test")
    assert perl.query("ListForwarders client1.test") == []
    perl.Logout()
