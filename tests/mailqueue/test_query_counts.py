"""The queue stays fast: a pickup round and a delivery pass cost a fixed number of queries, however
many messages (and recipients, accounts, aliases, domains) they carry. A per-recipient lookup or a
per-message statement that creeps back in fails here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import account_create, account_set_aliases
from domains.services import domain_set_aliases
from mailqueue.delivery import claim, process
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.pipe import pickup
from server.services import server_settings_update
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, submit

pytestmark = pytest.mark.django_db

ACCOUNTS = 12


@pytest.fixture
def recipients(base, main, client1, client2):
    """Addresses of every local kind: accounts of two domains (Text and MailDir), a domain alias,
    account aliases, bare names of the Main Domain; a journal account; every mailbox already made."""
    domain_set_aliases(actor=None, domain=client2, aliases=["client2-alias.test"])
    addresses, accounts = [], []
    for number in range(ACCOUNTS):
        domain = (main, client1, client2)[number % 3]
        kind = "MailDirMailbox" if number % 2 else "TextMailbox"
        account = account_create(actor=None, domain=domain, name=f"user{number}", kind=kind)
        accounts.append(account)
        if domain is main:
            addresses.append(f"user{number}")
        elif domain is client2:
            addresses.append(f"user{number}@client2-alias.test")
        else:
            account_set_aliases(actor=None, account=account, aliases=[f"alias{number}"])
            addresses.append(f"alias{number}@client1.test")
    make_account(main, "journal")
    server_settings_update(actor=None, updates={"JournalAccount": "journal"})
    deliver(base, addresses, prefix="warm")  # every mailbox file and folder exists from now on
    return addresses, accounts


def deliver(base, addresses: list[str], *, prefix: str, count: int | None = None) -> tuple[int, int]:
    """Submit count messages (one to each address, round robin), pick them up and deliver them in
    one pass: (queries of the pickup, queries of the delivery pass)."""
    count = len(addresses) if count is None else count
    for number in range(count):
        to = addresses[number % len(addresses)]
        submit(base, f"{prefix}{number:03d}", message(to=to, message_id=f"<{prefix}{number}@test>"))
    with CaptureQueriesContext(connection) as picking:
        picked = pickup(limit=1000)
    assert len(picked.queued) == count
    batch = claim(1000)
    assert len(batch) == count
    with CaptureQueriesContext(connection) as delivering:
        process(batch)
    return len(picking), len(delivering)


def test_pickup_and_delivery_cost_the_same_queries_for_few_or_many_messages(base, recipients):
    addresses, accounts = recipients
    few = deliver(base, addresses[:3], prefix="few", count=3)  # a bare name, an account alias, a domain alias
    many = deliver(base, addresses, prefix="many", count=4 * ACCOUNTS)

    assert many == few
    pickup_queries, delivery_queries = many
    assert pickup_queries <= 8, pickup_queries
    # 22 + one INSERT of outbox rows (account.info follows) + one UPDATE of the accounts' storage_used
    assert delivery_queries <= 24, delivery_queries
    for account in accounts:  # and the work was done: the warm-up, the "few" and the "many" copies
        got = len(inbox_messages(account))
        assert got == 1 + 4 + (1 if account in accounts[:3] else 0)
    assert QueuedMessage.objects.exclude(state=QueuedMessage.DONE).count() == 0
    journal = QueueRecipient.objects.filter(kind=QueueRecipient.JOURNAL, state=QueueRecipient.DELIVERED)
    assert journal.count() == ACCOUNTS + 3 + 4 * ACCOUNTS


def test_failures_and_reports_cost_the_same_queries_for_few_or_many_messages(base, client1, recipients, dns,
                                                                             monkeypatch):
    """Unknown names (rejected, a report each to the local sender) and remote recipients (a wait
    in their domain's queue) are settled a batch at a time too."""
    from mailqueue.reports import subject_failed
    from server import strings

    # A process re-reads the Server Strings (the reports' subject) every few seconds, not a report.
    monkeypatch.setattr(strings, "STRINGS_CACHE_SECONDS", 3600)
    subject_failed()
    mixed = ["nobody@client1.test", "far@remote.example", "other@else.example"]
    few = deliver(base, mixed[:2], prefix="few", count=2)
    while batch := claim():  # the report to the sender of the "few" message goes its way first
        process(batch)
    many = deliver(base, mixed, prefix="many", count=30)

    assert many[1] == few[1]
    reports = QueuedMessage.objects.filter(is_report=True)
    assert reports.count() == 1 + 10  # one for each message to nobody@, queued right after its pass
    assert reports.filter(state=QueuedMessage.RECEIVING).count() == 0  # their Queue files are written
    assert QueueRecipient.objects.filter(queue="remote.example", state=QueueRecipient.WAITING).count() == 1 + 10
