"""Files an operator edits (issue 22, item 3): `basedir check` shows each differing setting with the
file's and the database's value, and `basedir adopt` takes a hand-edited settings file or a copied
account folder back into the database through the services, so the seed's procedures work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from basedir.adopt import basedir_adopt
from basedir.check import check
from basedir.export import drain, export_full
from cgadmin.dataformat import dump_settings_file, load_settings_file
from cgadmin.errors import InvalidInput
from domains.models import Domain
from logs.models import AuditEntry
from server import documents
from tests.factories import PASSWORD, make_account
from tests.service_checks import fingerprint

pytestmark = pytest.mark.django_db

MBOX = b"From a@b Sat Jan  1 00:00:00 2026\nSubject: kept\n\nhello\n\n"


@pytest.fixture
def tree(base, client1):
    jane = make_account(client1, "jane", RealName="Jane Doe")
    export_full()
    return jane


def edit(path: Path, **changes: object) -> None:
    """What an operator does in an editor: change some keys of a settings file (None removes one)."""
    values = load_settings_file(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    path.write_text(dump_settings_file(values, header="edited by hand"), encoding="utf-8")


def output_of(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("basedir", *args, stdout=out)
    return out.getvalue()


def test_check_shows_each_differing_setting_with_the_files_and_the_databases_value(base, tree):
    edit(base / "Settings" / "Main.settings", ServerName="edited.example")
    edit(base / "Domains" / "client1.test" / "jane.macnt" / "account.settings", RealName="Jane Q. Doe")

    found = {str(difference): difference.details for difference in check()}

    assert found["differs: Settings/Main.settings"] == ('ServerName: file "edited.example", database (absent)',)
    assert found["differs: Domains/client1.test/jane.macnt/account.settings"] == (
        'RealName: file "Jane Q. Doe", database "Jane Doe"',)
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError, match="2 difference"):
        call_command("basedir", "check", stdout=out)
    assert ("differs: Domains/client1.test/jane.macnt/account.settings\n"
            '    RealName: file "Jane Q. Doe", database "Jane Doe"\n') in out.getvalue()
    assert "note: a Text mailbox here is its .mbox file alone: no .flags" in out.getvalue()


def test_check_says_where_a_settings_file_does_not_parse(base, tree):
    (base / "Settings" / "Main.settings").write_text('{\n  ServerName = "x;\n}\n')

    [difference] = check()

    assert difference.details == (
        "does not parse: Settings/Main.settings, line 4, column 1: expected '\"' closing the string",)


def test_adopt_takes_a_hand_edited_main_settings_and_the_check_is_clean_after(base, tree):
    edit(base / "Settings" / "Main.settings", ServerName="edited.example")

    text = output_of("adopt")

    assert documents.read(documents.MAIN)["ServerName"] == "edited.example"
    assert "adopted settings file: Settings/Main.settings" in text
    assert 'ServerName: file "edited.example", database (absent)' in text
    entry = AuditEntry.objects.get(event="basedir.adopt", object_name="Settings/Main.settings")
    assert entry.actor_name == "(shell)"
    assert AuditEntry.objects.filter(event="server.settings").exists()  # through the server's own service
    assert check() == []


def test_a_dry_run_lists_the_change_and_changes_nothing(base, tree):
    edit(base / "Settings" / "Main.settings", ServerName="edited.example")
    before = fingerprint()

    text = output_of("adopt", "--dry-run")

    assert "would adopt settings file: Settings/Main.settings" in text
    assert fingerprint() == before
    assert [str(difference) for difference in check()] == ["differs: Settings/Main.settings"]


def test_a_settings_file_that_does_not_parse_is_refused_naming_its_line_and_nothing_is_adopted(base, tree):
    edit(base / "Settings" / "Main.settings", ServerName="edited.example")
    (base / "Domains" / "client1.test" / "jane.macnt" / "account.prefs").write_text("{\n  Language = ;\n}\n")
    before = fingerprint()

    with pytest.raises(CommandError, match=r"jane.macnt/account.prefs, line 2, column 14: .*nothing was adopted"):
        output_of("adopt")

    assert fingerprint() == before
    assert "ServerName" not in documents.read(documents.MAIN)


def test_edited_account_and_domain_files_are_adopted_through_their_services(base, tree, client1):
    folder = base / "Domains" / "client1.test"
    edit(folder / "jane.macnt" / "account.settings", RealName="Jane Q. Doe")
    edit(folder / "jane.macnt" / "account.prefs", Language="German")
    edit(folder / "Settings" / "Domain.settings", MaxAccounts="50")

    basedir_adopt(actor=None)
    drain()

    jane = Account.objects.get(pk=tree.pk)
    assert jane.settings["RealName"] == "Jane Q. Doe"
    assert jane.prefs["Language"] == "German"
    assert Domain.objects.get(pk=client1.pk).settings["MaxAccounts"] == "50"
    assert check() == []


def test_a_copied_account_folder_becomes_an_account_with_its_password_settings_and_mailboxes(base, tree, client1):
    folder = base / "Domains" / "client1.test"
    (folder / "jane.macnt" / "Sent.mbox").write_bytes(MBOX)
    shutil.copytree(folder / "jane.macnt", folder / "bob.macnt")
    edit(folder / "bob.macnt" / "account.settings", RealName="Bob Copy")
    (folder / "jane.macnt" / "Sent.mbox").unlink()
    assert "unexpected: Domains/client1.test/bob.macnt" in {str(difference) for difference in check()}

    result = basedir_adopt(actor=None, files=["Domains/client1.test/bob.macnt"])
    drain()

    bob = Account.objects.get(domain=client1, name="bob")
    assert bob.settings["RealName"] == "Bob Copy"
    assert bob.check_password(PASSWORD)  # the password's stored form, as the file holds it
    assert sorted(bob.mailboxes.values_list("name", "format")) == [("INBOX", "mbox"), ("Sent", "mbox")]
    assert (folder / "bob.macnt" / "Sent.mbox").read_bytes() == MBOX
    assert [adopted.what for adopted in result.adopted] == ["a new account from its folder"]
    assert AuditEntry.objects.filter(event="account.create", object_name="bob@client1.test").exists()
    assert check() == []


def test_a_copied_folder_with_a_bad_account_settings_file_creates_no_account(base, tree, client1):
    folder = base / "Domains" / "client1.test"
    shutil.copytree(folder / "jane.macnt", folder / "bob.macnt")
    (folder / "bob.macnt" / "account.settings").write_text("{ RealName = Bob")

    with pytest.raises(InvalidInput, match=r"bob.macnt/account.settings, line 1, column 17: expected .;. after"):
        basedir_adopt(actor=None)

    assert not Account.objects.filter(domain=client1, name="bob").exists()


def test_a_path_that_is_neither_a_settings_file_nor_an_account_folder_is_refused(base, tree):
    with pytest.raises(InvalidInput, match="is not a settings file or an account folder"):
        basedir_adopt(actor=None, files=["Domains/client1.test/jane.macnt/INBOX.mbox"])
    with pytest.raises(InvalidInput, match="not inside the base directory"):
        basedir_adopt(actor=None, files=["/etc/passwd"])


def test_a_start_keeps_the_database_as_the_truth_and_reports_an_edited_settings_file(base, tree):
    from server.startup import files_at_start

    edit(base / "Settings" / "Main.settings", ServerName="edited.example")

    [line] = files_at_start(adopt=False)

    assert line.startswith('Settings/Main.settings differs from the database (ServerName: file "edited.example", '
                           "database (absent)): the database is the truth")
    assert "ServerName" not in documents.read(documents.MAIN)
    assert "Settings/Main.settings differs" in server_log(base)


def test_a_start_with_adopt_files_takes_in_an_edited_main_settings_and_a_copied_account_folder(base, tree, client1):
    from server.startup import files_at_start

    folder = base / "Domains" / "client1.test"
    edit(base / "Settings" / "Main.settings", ServerName="edited.example")
    shutil.copytree(folder / "jane.macnt", folder / "bob.macnt")

    lines = files_at_start(adopt=True)

    assert documents.read(documents.MAIN)["ServerName"] == "edited.example"
    assert Account.objects.get(domain=client1, name="bob").settings["RealName"] == "Jane Doe"
    assert lines[-1] == "--adoptFiles: 2 file(s) or folder(s) adopted from the base directory"
    assert "adopted a new account from its folder: Domains/client1.test/bob.macnt" in server_log(base)
    drain()
    assert check() == []


def server_log(base: Path) -> str:
    return "".join(path.read_text() for path in sorted((base / "SystemLogs").glob("*")) if path.is_file())


def test_a_copied_folders_sliced_mailbox_is_kept_not_listed_and_said_so(base, tree, client1):
    folder = base / "Domains" / "client1.test"
    shutil.copytree(folder / "jane.macnt", folder / "bob.macnt")
    (folder / "bob.macnt" / "Big.mslc").mkdir()

    result = basedir_adopt(actor=None)

    bob = Account.objects.get(domain=client1, name="bob")
    assert list(bob.mailboxes.values_list("name", flat=True)) == ["INBOX"]
    assert "bob@client1.test: mailbox Big is in the Sliced (.mslc) format, which this server does not store; " \
           "its files are kept but it is not listed" in result.notes
    assert (folder / "bob.macnt" / "Big.mslc").is_dir()


def test_access_settings_grants_and_removes_rights_and_other_server_files_are_only_noted(base, tree, client1):
    folder = base / "Domains" / "client1.test"
    make_account(client1, "ann", rights=["Domain"])
    export_full()
    (folder / "Settings" / "Access.settings").write_text("{ jane = (Domain, CanCreateAccounts); }\n")
    (base / "Settings" / "Rules.settings").write_text("{ Edited = YES; }\n")

    result = basedir_adopt(actor=None)

    assert sorted(Account.objects.get(pk=tree.pk).rights) == ["CanCreateAccounts", "Domain"]
    assert Account.objects.get(domain=client1, name="ann").rights == []
    assert [adopted.path for adopted in result.adopted] == ["Domains/client1.test/Settings/Access.settings"]
    with pytest.raises(InvalidInput, match="only the server's settings files"):
        basedir_adopt(actor=None, files=["Settings/Rules.settings"])


def test_a_copied_single_mailbox_account_becomes_one_of_its_type_and_a_dry_run_creates_none(
        base, tree, client1, django_capture_on_commit_callbacks):
    from accounts.services import account_create

    account_create(actor=None, domain=client1, name="solo", kind="TextMailbox", settings={"RealName": "Solo"})
    drain()
    folder = base / "Domains" / "client1.test"
    (folder / "solo.mbox").write_bytes(MBOX)
    export_full()  # solo.info counts it
    for suffix in (".mbox", ".settings", ".info", ".prefs"):
        shutil.copyfile(folder / f"solo{suffix}", folder / f"duo{suffix}")

    dry = basedir_adopt(actor=None, dry_run=True)
    assert [adopted.lines(dry_run=True)[0] for adopted in dry.adopted] == [
        "would adopt a new account from its folder: Domains/client1.test/duo.mbox"]
    assert not Account.objects.filter(domain=client1, name="duo").exists()

    (folder / "duo.settings").chmod(0o644)  # copied with the operator's umask
    with django_capture_on_commit_callbacks(execute=True):
        basedir_adopt(actor=None)
    drain()

    duo = Account.objects.get(domain=client1, name="duo")
    assert (folder / "duo.settings").stat().st_mode & 0o777 == 0o640  # it holds the stored password
    assert (duo.kind, duo.settings["RealName"]) == ("TextMailbox", "Solo")
    assert (folder / "duo.mbox").read_bytes() == MBOX
    assert check() == []
