"""Group Administration verbs as CommuniGate's CLI documents them: settings with Members, SetGroup
replacing them, renames, the codes clients compare, and the vendor clients' wire formats (the Perl
module's, and CGPCLI's, which writes no space before CreateGroup's settings)."""

from __future__ import annotations

import pytest
from CGPCLI import Server

from accounts.models import Account
from cgadmin.dataformat import loads
from cli.dispatch import execute
from groups.models import Group
from tests import factories
from tests.cli.live import live_cli  # noqa: F401
from tests.cli.perl_wire import PerlWireClient, print_words


@pytest.fixture
def run(postmaster):
    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


@pytest.mark.django_db
def test_create_get_set_rename_delete(run, client1):
    assert run('CreateGroup team@client1.test {RealName="The Team"; Members=(jane, "bob@remote.example");}') == \
        (200, "OK")
    assert run("CreateGroup empty@client1.test") == (200, "OK")
    assert run("GetGroup team@client1.test") == (201, {"RealName": "The Team",
                                                       "Members": ["jane", "bob@remote.example"]})
    assert run("ListGroups client1.test") == (201, ["empty", "team"])

    assert run("SetGroup team@client1.test {Members=(ann);}") == (200, "OK")
    assert run("GetGroup team@client1.test") == (201, {"Members": ["ann"]})
    assert run("RenameGroup team@client1.test INTO crew") == (200, "OK")
    assert run("DeleteGroup crew@client1.test") == (200, "OK")
    assert run("ListGroups client1.test") == (201, ["empty"])


@pytest.mark.django_db
def test_errors_clients_compare(run, client1):
    factories.make_account(client1, "jane")
    assert run("CreateGroup jane@client1.test") == (520, "account with this name already exists")
    run("CreateGroup team@client1.test")
    assert run("CreateForwarder team@client1.test TO x@y.test") == (520, "account with this name already exists")
    code, text = run("SetGroup team@client1.test {Members=(jane, JANE);}")
    assert code == 500 and "listed twice" in str(text)
    assert run("GetGroup ghost@client1.test")[0] == 501
    admin = factories.make_domain_admin(client1, "weak2")
    assert run("CreateGroup other@client1.test", actor=admin)[0] == 510
    assert list(Group.objects.values_list("name", flat=True)) == ["team"]


@pytest.mark.django_db(transaction=True)
def test_the_vendor_clients_wire_formats(live_cli, postmaster, client1):  # noqa: F811
    perl = PerlWireClient(live_cli.port, "postmaster", factories.POSTMASTER_PASSWORD)
    assert perl.connected
    assert perl.command(f"CreateGroup team@client1.test {print_words({'RealName': 'Team', 'Members': ['jane']})}")
    assert perl.query("GetGroup team@client1.test") == {"RealName": "Team", "Members": ["jane"]}
    assert perl.command(f"SetGroup team@client1.test {print_words({'Members': ['ann', 'x@y.test']})}")
    assert perl.query("ListGroups client1.test") == ["team"]
    perl.Logout()

    server = Server("127.0.0.1", live_cli.port)
    server.connect()
    server.login("postmaster", factories.POSTMASTER_PASSWORD)
    server.create_group("sales@client1.test", {"RealName": "Sales", "Members": ["ann"]})
    assert server.get_group("sales@client1.test")["body"] == {"RealName": "Sales", "Members": ["ann"]}
    server.rename_group("sales@client1.test", "shop@client1.test")
    assert server.list_groups("client1.test")["body"] == ["shop", "team"]
    server.delete_group("shop@client1.test")
    server.disconnect()
    assert list(Group.objects.values_list("name", flat=True)) == ["team"]
