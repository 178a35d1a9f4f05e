"""Mailboxes: INBOX with every account, created, renamed and removed through the services."""

import pytest

from accounts.models import Mailbox
from accounts.services import mailbox_create, mailbox_delete, mailbox_rename
from cgadmin.errors import AccessDenied, AlreadyExists, GeneralError, InvalidInput
from logs.models import AuditEntry
from tests.factories import make_account, make_domain_admin

pytestmark = pytest.mark.django_db


def test_every_account_has_an_inbox_in_its_storage_format(client1):
    from accounts.services import account_create

    multi = make_account(client1, "multi")
    maildir = account_create(actor=None, domain=client1, name="md", kind="MailDirMailbox")
    maildir_default = make_account(client1, "mdirdefault", DefaultMailboxType="MailDir")

    assert [(m.name, m.format) for m in multi.mailboxes.all()] == [("INBOX", "mbox")]
    assert maildir.mailboxes.get().format == "mdir"
    assert maildir_default.mailboxes.get().format == "mdir"


@pytest.mark.parametrize("value", ["Sliced", "SlicedMailbox", "sliced"])
def test_sliced_mailboxes_are_refused_with_the_reason_not_made_maildir_under_another_name(client1, value):
    from accounts.services import account_update_settings

    jane = make_account(client1, "jane")
    message = "Sliced .* CommuniGate's own formats, which this server does not store: choose Text or MailDir"
    with pytest.raises(InvalidInput, match=message):
        make_account(client1, "sliced", DefaultMailboxType=value)
    with pytest.raises(InvalidInput, match=message):
        account_update_settings(actor=None, account=jane, updates={"DefaultMailboxType": value})
    for storage in ("mslc", "mb4"):
        with pytest.raises(InvalidInput, match=message):
            mailbox_create(actor=None, account=jane, name="Big", mailbox_format=storage)
    assert list(jane.mailboxes.values_list("name", flat=True)) == ["INBOX"]


def test_users_manage_their_own_mailboxes(client1):
    jane = make_account(client1, "jane")

    mailbox_create(actor=jane, account=jane, name="Projects/2026")
    mailbox_rename(actor=jane, account=jane, name="Projects/2026", new_name="Archive/2026")

    assert sorted(jane.mailboxes.values_list("name", flat=True)) == ["Archive/2026", "INBOX"]
    assert AuditEntry.objects.filter(event="mailbox.rename", object_name="jane@client1.test/Archive/2026").exists()
    mailbox_delete(actor=jane, account=jane, name="Archive/2026")
    assert list(jane.mailboxes.values_list("name", flat=True)) == ["INBOX"]


def test_inbox_stays(client1):
    jane = make_account(client1, "jane")

    with pytest.raises(GeneralError):
        mailbox_delete(actor=None, account=jane, name="inbox")
    with pytest.raises(GeneralError):
        mailbox_rename(actor=None, account=jane, name="INBOX", new_name="Old")


@pytest.mark.parametrize("name", ["", "../escape", "a//b", ".hidden", "bad\x01name"])
def test_bad_mailbox_names_are_refused(client1, name):
    jane = make_account(client1, "jane")

    with pytest.raises(InvalidInput):
        mailbox_create(actor=None, account=jane, name=name)
    assert jane.mailboxes.count() == 1


def test_duplicates_and_the_mailbox_limit_are_refused(client1):
    jane = make_account(client1, "jane", MaxMailboxes="2")
    mailbox_create(actor=None, account=jane, name="Sent")

    with pytest.raises(AlreadyExists):
        mailbox_create(actor=None, account=jane, name="Sent")
    with pytest.raises(GeneralError, match="MaxMailboxes"):
        mailbox_create(actor=None, account=jane, name="Drafts")


def test_administrators_need_can_access_mailboxes(client1):
    jane = make_account(client1, "jane")
    weak = make_domain_admin(client1, "weak")
    strong = make_domain_admin(client1, "strong", "CanAccessMailboxes")

    with pytest.raises(AccessDenied):
        mailbox_create(actor=weak, account=jane, name="Sent")
    mailbox_create(actor=strong, account=jane, name="Sent")
    assert Mailbox.objects.filter(account=jane, name="Sent").exists()
