"""Local delivery: who is local, into which INBOX, in which format, and what happens otherwise."""

import mailbox as pymailbox

import pytest

from accounts.services import account_create, account_set_aliases
from basedir import paths
from domains.services import domain_set_aliases, domain_suspend, domain_update_settings
from logs import stats
from mailqueue import mboxrd, queuefile
from mailqueue.models import QueuedMessage, QueueRecipient
from tests.factories import make_account, make_domain
from tests.mailqueue.conftest import inbox_messages, inbox_path, message, run_queue, submit

pytestmark = pytest.mark.django_db


def recipient(address: str) -> QueueRecipient:
    return QueueRecipient.objects.get(address=address)


def test_a_message_reaches_accounts_of_the_main_and_a_secondary_domain(base, main, client1):
    jane = make_account(client1, "jane")
    boss = make_account(main, "boss")
    text = message(to=f"jane@client1.test, boss@{main.name}")
    submit(base, "m", text)

    run_queue()

    assert inbox_messages(jane) == [text.encode()]
    assert inbox_messages(boss) == [text.encode()]
    assert QueuedMessage.objects.get().state == QueuedMessage.DONE
    assert list((base / "Queue").iterdir()) == []
    assert stats.value("mail.delivered") == 2


def test_a_bare_name_is_a_main_domain_account(base, main):
    boss = make_account(main, "boss")
    submit(base, "m", message(to="boss"))

    run_queue()

    assert len(inbox_messages(boss)) == 1


def test_domain_aliases_and_account_aliases_are_local(base, client1):
    jane = make_account(client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["j", "janet"])
    domain_set_aliases(actor=None, domain=client1, aliases=["client1-alias.test"])
    submit(base, "m", message(to="j@client1.test"))
    submit(base, "n", message(to="jane@client1-alias.test", message_id="<m2@test>"))

    run_queue()

    assert len(inbox_messages(jane)) == 2
    assert recipient("j@client1.test").delivered_to == "jane@client1.test"


def test_two_addresses_of_one_account_get_one_copy(base, client1):
    jane = make_account(client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["j"])
    submit(base, "m", message(to="jane@client1.test, j@client1.test"))

    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert recipient("j@client1.test").state == QueueRecipient.DELIVERED


def test_text_mailboxes_are_mboxrd_that_python_reads(base, client1):
    jane = make_account(client1, "jane")
    body = ("From the beginning\n>From quoted once\n>>From twice\nFrom: not a header\n"
            "Grüße, 8-bit \xe9t\xe9\n" + "long " * 3000 + "\n")
    text = message(body=body)
    submit(base, "m", text)

    run_queue()

    raw = inbox_path(jane).read_bytes()
    assert raw.startswith(b"From bob@client1.test ")
    assert b"\n>From the beginning\n>>From quoted once\n>>>From twice\nFrom: not a header\n" in raw
    stored = pymailbox.mbox(str(inbox_path(jane)))
    python_view = [stored.get_bytes(key) for key in stored.iterkeys()]
    assert len(python_view) == 1
    assert mboxrd.unquote(python_view[0]) == text.encode()
    assert inbox_messages(jane) == [text.encode()]


def test_maildir_mailboxes_hold_each_message_byte_for_byte(base, client1):
    jane = account_create(actor=None, domain=client1, name="jane", kind="MailDirMailbox")
    multi = make_account(client1, "multi", DefaultMailboxType="MailDir")
    text = message(to="jane@client1.test, multi@client1.test", body="From here\r\nGrüße\r\n")
    submit(base, "m", text.encode())

    run_queue()

    for account in (jane, multi):
        path = inbox_path(account)
        assert path.suffix == ".mdir" and sorted(p.name for p in path.iterdir()) == ["cur", "new", "tmp"]
        box = pymailbox.Maildir(str(path), factory=None, create=False)
        assert [box.get_bytes(key) for key in box.iterkeys()] == [text.encode()]
        assert list((path / "tmp").iterdir()) == []


def test_missing_account_folders_and_mailbox_files_are_created(base, client1):
    jane = make_account(client1, "jane")
    assert not inbox_path(jane).exists()
    submit(base, "m", message())

    run_queue()

    assert inbox_path(jane).is_file()
    assert inbox_path(jane).parent.name == "jane.macnt"


def test_a_mailbox_moved_by_a_rename_is_found_at_its_new_place(base, client1):
    from accounts.models import Mailbox
    from accounts.services import account_rename
    from mailqueue.delivery import open_mailbox
    from mailqueue.routing import Router

    jane = make_account(client1, "jane")
    submit(base, "m", message())
    run_queue()
    looked_up_before = Mailbox.objects.select_related("account__domain").get(account=jane)
    old = inbox_path(jane)
    account_rename(actor=None, account=jane, new_address="janet@client1.test")
    jane.refresh_from_db()
    new = inbox_path(jane)
    old.parent.rename(new.parent)  # what the exporter does after the rename

    box = open_mailbox(Router(), looked_up_before)
    box.close()

    assert box.path == new
    assert not old.parent.exists()


def test_foldering_puts_the_inbox_in_hashed_subfolders(base):
    big = make_domain("big.test", Foldering="two-level")
    jane = make_account(big, "jane")
    submit(base, "m", message(to="jane@big.test"))

    run_queue()

    path = inbox_path(jane)
    assert path.exists() and path.parent.parent.suffix == ".sub" and path.parent.parent.parent.suffix == ".sub"


def test_remote_recipients_wait_in_their_domains_queue(base, client1, dns):
    jane = make_account(client1, "jane")
    submit(base, "m", message(to="jane@client1.test, bob@remote.example, ann@Remote.Example"))

    run_queue()

    assert len(inbox_messages(jane)) == 1
    queued = QueuedMessage.objects.get()
    assert queued.state == QueuedMessage.QUEUED
    waiting = QueueRecipient.objects.filter(state="W").order_by("position")
    assert [(r.module, r.queue) for r in waiting] == [("SMTP", "remote.example")] * 2
    envelope = queuefile.queue_file(queued.pk).read_bytes().split(b"\n\n")[0]
    assert envelope == (b"P I <bob@client1.test>\nR D <jane@client1.test>\nR W <bob@remote.example>\n"
                        b"R W <ann@Remote.Example>")


def test_a_domain_pointing_at_this_server_is_a_mail_loop(base, main, client1, dns):
    make_account(client1, "bob")
    dns.update({"MX:mail.company.test": ["mx.company.test"], "mx.company.test": ["127.0.0.1"]})
    submit(base, "m", message(to="someone@mail.company.test", sender="bob@client1.test"))

    run_queue()

    failed = recipient("someone@mail.company.test")
    assert failed.state == QueueRecipient.FAILED and "mail loop" in failed.reason
    bob = client1.accounts.get(name="bob")
    (report,) = inbox_messages(bob)
    assert b"Subject: Undeliverable mail" in report and b"mail loop" in report
    assert stats.value("mail.loops") == 1


def test_unknown_names_rejected_by_default_with_a_report_to_a_local_sender(base, client1):
    bob = make_account(client1, "bob")
    submit(base, "m", message(to="nobody@client1.test", sender="bob@client1.test"))

    run_queue()

    assert recipient("nobody@client1.test").state == QueueRecipient.FAILED
    (report,) = inbox_messages(bob)
    assert b"From: Mail Delivery System <MAILER-DAEMON@" in report
    assert b"nobody@client1.test: unknown user account" in report
    assert b"Message-ID: <m1@test>" in report  # the failed message's header comes along
    assert QueuedMessage.objects.filter(state="X").count() == 2
    assert QueuedMessage.objects.get(is_report=True).sender == ""


def test_no_report_goes_to_a_remote_sender_of_a_rejected_message(base, client1, dns):
    submit(base, "m", message(to="nobody@client1.test", sender="someone@remote.example"))

    run_queue()

    assert not QueuedMessage.objects.filter(is_report=True).exists()


@pytest.mark.parametrize("action", ["Rerouted to", "Rerouted"])  # CommuniGate's word, and the older one
def test_unknown_names_can_be_rerouted(base, client1, action):
    catch = make_account(client1, "catchall")
    domain_update_settings(actor=None, domain=client1,
                           updates={"MailToUnknown": action, "MailRerouteAddress": "catchall@client1.test"})
    submit(base, "m", message(to="nobody@client1.test"))

    run_queue()

    assert len(inbox_messages(catch)) == 1
    assert recipient("nobody@client1.test").delivered_to == "catchall@client1.test"


def test_unknown_names_can_be_discarded(base, client1):
    bob = make_account(client1, "bob")
    domain_update_settings(actor=None, domain=client1, updates={"MailToUnknown": "Discarded"})
    submit(base, "m", message(to="nobody@client1.test"))

    run_queue()

    assert recipient("nobody@client1.test").state == QueueRecipient.FAILED
    assert inbox_messages(bob) == []
    assert stats.value("mail.discarded") == 1


def test_accepted_and_bounced_reports_to_any_sender(base, client1, dns):
    domain_update_settings(actor=None, domain=client1, updates={"MailToUnknown": "Accepted and Bounced"})
    submit(base, "m", message(to="nobody@client1.test", sender="someone@remote.example"))

    run_queue()

    report = QueuedMessage.objects.get(is_report=True)
    assert report.recipients.get().address == "someone@remote.example"
    assert report.recipients.get().queue == "remote.example"


def test_over_quota_with_quota_suspend_waits_in_the_queue(base, client1):
    jane = make_account(client1, "jane", MaxAccountSize="1K", QuotaSuspend="YES")
    submit(base, "m", message(body="x" * 2000 + "\n"))

    run_queue()

    waiting = recipient("jane@client1.test")
    assert waiting.state == QueueRecipient.WAITING and "over its quota" in waiting.reason
    assert (waiting.module, waiting.queue) == ("LOCAL", "jane@client1.test")
    assert inbox_messages(jane) == []


def test_quota_suspend_as_a_percentage_delays_new_mail_from_that_share_of_the_quota(base, client1):
    jane = make_account(client1, "jane", MaxAccountSize="4K", QuotaSuspend="50%")  # CommuniGate's form
    submit(base, "a", message(body="x" * 1500 + "\n"))
    run_queue()
    submit(base, "b", message(body="y" * 1500 + "\n", message_id="<m2@test>"))

    run_queue()

    states = list(QueueRecipient.objects.filter(address="jane@client1.test").order_by("id")
                  .values_list("state", "reason"))
    assert states[0][0] == "D" and states[1][0] == QueueRecipient.WAITING and "50% of its quota" in states[1][1]
    assert len(inbox_messages(jane)) == 1


def _two_messages_of_1500_bytes_to_jane(base) -> list[str]:
    """Deliver one message to jane@client1.test, then a second; the states of the two recipients."""
    submit(base, "a", message(body="x" * 1500 + "\n"))
    run_queue()
    submit(base, "b", message(body="y" * 1500 + "\n", message_id="<m2@test>"))
    run_queue()
    return list(QueueRecipient.objects.filter(address="jane@client1.test").order_by("id")
                .values_list("state", flat=True))


def test_over_quota_without_quota_suspend_is_rejected_with_a_report(base, client1):
    bob = make_account(client1, "bob")
    make_account(client1, "jane", MaxAccountSize="3K")

    states = _two_messages_of_1500_bytes_to_jane(base)

    assert states == ["D", "F"]
    (report,) = inbox_messages(bob)
    assert b"over its quota" in report


def test_a_suspended_domain_keeps_its_mail_waiting(base, client1):
    jane = make_account(client1, "jane")
    domain_suspend(actor=None, domain=client1)
    submit(base, "m", message())

    run_queue()

    assert recipient("jane@client1.test").state == QueueRecipient.WAITING
    assert inbox_messages(jane) == []


def test_an_account_disabled_for_mail_rejects_it(base, client1):
    bob = make_account(client1, "bob")
    make_account(client1, "jane", AccessModes=["IMAP", "POP"])
    submit(base, "m", message())

    run_queue()

    assert "disabled" in recipient("jane@client1.test").reason
    assert len(inbox_messages(bob)) == 1


def test_journaling_keeps_one_copy_of_every_locally_delivered_message(base, main, client1, dns):
    from server.services import server_settings_update

    journal = make_account(main, "journal")
    jane, ann = make_account(client1, "jane"), make_account(client1, "ann")
    server_settings_update(actor=None, updates={"JournalAccount": "journal"})
    submit(base, "m", message(to="jane@client1.test, ann@client1.test, far@remote.example"))
    submit(base, "n", message(to="far@remote.example", message_id="<m2@test>"))

    run_queue()

    assert len(inbox_messages(jane)) == len(inbox_messages(ann)) == 1
    assert len(inbox_messages(journal)) == 1
    assert stats.value("mail.journaled") == 1


def test_every_step_is_logged(base, client1, dns):
    make_account(client1, "jane")
    submit(base, "m", message(to="jane@client1.test, nobody@client1.test, far@remote.example"))

    run_queue()

    log = "".join(path.read_text() for path in (base / "SystemLogs").glob("*.log"))
    assert " 2 PIPE m.sub: queued as message " in log
    assert " 2 DELIVERY message " in log and "delivered to jane@client1.test" in log
    assert "nobody@client1.test failed: unknown user account" in log
    assert "far@remote.example waits in the SMTP queue remote.example" in log


def test_the_mailbox_path_is_the_one_the_exporter_uses(base, client1):
    jane = make_account(client1, "jane")
    submit(base, "m", message())

    run_queue()

    assert inbox_path(jane) == base / "Domains" / "client1.test" / "jane.macnt" / "INBOX.mbox"
    assert paths.mailbox_path(jane.mailboxes.get(), "flat") == inbox_path(jane)


def test_journaling_copies_a_message_once_however_often_it_is_retried(base, main, client1, dns):
    from mailqueue.services import queue_release
    from server.services import server_settings_update

    journal = make_account(main, "journal")
    jane = make_account(client1, "jane")
    server_settings_update(actor=None, updates={"JournalAccount": "journal"})
    submit(base, "m", message(to="jane@client1.test, far@remote.example"))
    submit(base, "n", message(to="journal, jane@client1.test", message_id="<m2@test>"))  # to the journal itself

    run_queue()
    assert queue_release(actor=None, queue="remote.example") == 1  # the first message is tried again
    run_queue()

    assert len(inbox_messages(jane)) == 2
    assert sorted(inbox_messages(journal)) == sorted(inbox_messages(jane))  # each message once
    assert QueueRecipient.objects.get(address="far@remote.example").attempts == 2
    assert stats.value("mail.journaled") == 1  # the second message reached the journal as a recipient


def test_a_domain_whose_address_is_one_of_this_servers_is_a_loop_and_others_wait(base, main, client1, dns):
    from server import documents

    bob = make_account(client1, "bob")
    documents.write(documents.NETWORK, {"LocalIPs": ["192.0.2.10"]})
    dns.update({"loop.example": ["192.0.2.10"], "fine.example": ["198.51.100.7"]})  # A records, no MX
    submit(base, "m", message(to="a@loop.example, b@fine.example", sender="bob@client1.test"))

    run_queue()

    looped, waiting = recipient("a@loop.example"), recipient("b@fine.example")
    assert looped.state == QueueRecipient.FAILED and "mail loop: loop.example" in looped.reason
    assert (waiting.state, waiting.module, waiting.queue) == (QueueRecipient.WAITING, "SMTP", "fine.example")
    (report,) = inbox_messages(bob)
    listed = report.split(b"The header of your message follows.")[0]
    assert b"a@loop.example: mail loop" in listed and b"b@fine.example" not in listed
    assert stats.value("mail.loops") == 1


def test_delivery_sees_each_accounts_settings_through_every_layer(base, client1):
    from accounts.selectors import account_effective_values
    from domains.services import account_defaults_update, account_template_update
    from mailqueue.routing import Router

    account_defaults_update(actor=None, domain=None, updates={"MaxAccountSize": "10M", "QuotaSuspend": "YES"})
    account_defaults_update(actor=None, domain=client1, updates={"MaxMessageSize": "1K"})
    account_template_update(actor=None, domain=client1, updates={"MaxAccountSize": "5M"})
    jane = make_account(client1, "jane", QuotaSuspend="NO")
    router = Router()
    router.preload(["jane@client1.test"])

    values = router.account_values(router.account(router.domain("client1.test"), "jane"))

    assert values == account_effective_values(type(jane).objects.select_related("domain").get(pk=jane.pk))
    assert (values["MaxMessageSize"], values["MaxAccountSize"], values["QuotaSuspend"]) == ("1K", "5M", "NO")


def test_delivery_enforces_the_quota_of_the_class(base, client1):
    from domains.services import domain_defaults_update

    domain_defaults_update(actor=None, updates={"ServiceClasses": {"small": {"MaxAccountSize": "3K"}}})
    make_account(client1, "bob")
    make_account(client1, "jane", ServiceClass="small")

    assert _two_messages_of_1500_bytes_to_jane(base) == ["D", "F"]


def test_delivery_adds_the_bytes_it_appends_to_the_accounts_storage_column(base, client1):
    from accounts.selectors import storage_used

    jane = make_account(client1, "jane")
    maildir = account_create(actor=None, domain=client1, name="mdir", kind="MailDirMailbox")
    submit(base, "m", message(to="jane@client1.test, mdir@client1.test"))
    submit(base, "n", message(to="jane@client1.test", message_id="<m2@test>", body="a longer body\n" * 50))

    run_queue()

    for account in (jane, maildir):
        account.refresh_from_db()
        assert account.storage_used == storage_used(account) > 0  # what the files hold, without a count
    assert jane.storage_used > maildir.storage_used
