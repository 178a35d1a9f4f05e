"""The account page shows what GetAccountInfo knows: storage used against the quota, the last login,
and each mailbox with its size and message count (counted from the files in the base directory)."""

from __future__ import annotations

import pytest

from accounts.models import Account
from accounts.selectors import account_info, account_mailbox_usage
from accounts.services import account_note_login, mailbox_create
from basedir.layout import ensure_layout
from basedir.paths import mailbox_path
from cli.dispatch import execute
from tests.factories import make_account, make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db

TWO_MESSAGES = (b"From alice@example.test Sat Dec  5 10:00:00 2026\nSubject: one\n\nhello\n>From quoted\n\n"
                b"From bob@example.test Sat Dec  5 11:00:00 2026\nSubject: two\n\n>From the second\n\n")


@pytest.fixture
def base(settings, tmp_path):
    settings.CGATE_BASE = tmp_path
    ensure_layout(tmp_path)
    return tmp_path


def _fill(account: Account, name: str, data: bytes) -> None:
    mailbox = account.mailboxes.get(name=name)
    path = mailbox_path(mailbox)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_the_account_page_shows_storage_quota_last_login_and_each_mailbox(base, postmaster, expert, as_basic,
                                                                          client1):
    jane = make_account(client1, "jane", MaxAccountSize="10K")
    mailbox_create(actor=None, account=jane, name="Projects")
    _fill(jane, "INBOX", TWO_MESSAGES)
    _fill(jane, "Projects", b"From carol@example.test Sat Dec  5 12:00:00 2026\nSubject: x\n\nbody\n\n")
    account_note_login(jane, interface="HTTP", address="[192.0.2.7]")

    page = main_of(as_basic(expert(postmaster)).get("/Master/Users/Domains/client1.test/Accounts/jane"))

    used = len(TWO_MESSAGES) + 67
    assert "of 10.0\xa0KB" in page
    assert f'<meter min="0" max="10240" value="{used}"' in page
    assert "from [192.0.2.7]" in page
    rows = [(usage.name, usage.messages, usage.size) for usage in account_mailbox_usage(jane)]
    assert rows == [("INBOX", 2, len(TWO_MESSAGES)), ("Projects", 1, 67)]
    assert "<td>INBOX</td><td class=\"number\">2</td>" in page
    assert "<td>Projects</td><td class=\"number\">1</td>" in page
    # the same figures as GetAccountInfo answers over the CLI
    assert account_info(jane)["StorageUsed"] == used
    assert execute("GetAccountInfo jane@client1.test Key StorageUsed", actor=postmaster).data == f"#{used}"


def test_mailboxes_are_listed_only_to_whoever_may_list_them(base, client1, as_basic):
    jane = make_account(client1, "jane")
    _fill(jane, "INBOX", TWO_MESSAGES)
    reader = make_domain_admin(client1, "boss")  # no CanAccessMailboxes

    page = main_of(as_basic(reader).get("/Domain/Domains/client1.test/Accounts/jane"))

    assert "Storage used" in page and "no quota" in page and "never" in page
    assert "<caption>Mailboxes</caption>" not in page


def test_the_storage_column_follows_a_mailbox_removal_clear_account_cache_and_a_full_export(
        base, client1, django_capture_on_commit_callbacks):
    from accounts.services import mailbox_delete
    from basedir.check import storage_differences
    from basedir.export import export_full
    from basedir.reload import account_clear_cache

    jane = make_account(client1, "jane")
    mailbox_create(actor=None, account=jane, name="Projects")
    export_full()
    _fill(jane, "INBOX", TWO_MESSAGES)
    _fill(jane, "Projects", b"From carol@example.test Sat Dec  5 12:00:00 2026\nSubject: x\n\nbody\n\n")
    # files written behind the database's back (by hand, here): `basedir check` says so
    assert [d.details for d in storage_differences()] == [
        (f"StorageUsed: files {len(TWO_MESSAGES) + 67}, database 0 (basedir export --full corrects it)",)]

    account_clear_cache(actor=None, account=jane)
    jane.refresh_from_db()
    assert jane.storage_used == len(TWO_MESSAGES) + 67
    mailbox_delete(actor=None, account=jane, name="Projects")
    jane.refresh_from_db()
    assert jane.storage_used == len(TWO_MESSAGES)

    _fill(jane, "INBOX", b"From x Sat Dec  5 12:00:00 2026\n\nshort\n\n")
    with django_capture_on_commit_callbacks(execute=True):
        export_full()  # the exporter counts the files for account.info: the column follows
    jane.refresh_from_db()
    assert jane.storage_used == 40 and storage_differences() == []


def test_the_backfill_counts_the_files_and_reads_last_login_from_the_info(base, client1):
    import datetime

    from accounts.models import Mailbox
    from accounts.usage import backfill

    jane = make_account(client1, "jane")
    bob = make_account(client1, "bob")
    _fill(jane, "INBOX", TWO_MESSAGES)
    Account.objects.filter(pk=jane.pk).update(info={"LastLogin": datetime.datetime(2026, 11, 28, 10, 0)})

    assert backfill(Account, Mailbox) >= 2

    jane.refresh_from_db()
    bob.refresh_from_db()
    assert jane.storage_used == len(TWO_MESSAGES) and bob.storage_used == 0
    assert jane.last_login == datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC) and bob.last_login is None
