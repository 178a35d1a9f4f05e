"""QuotaNotice and QuotaAlert: the delivery that takes an account's mail storage across the share of
its quota sends it one notice (or alert), through the real queue; storage that stays above sends
nothing more."""

from __future__ import annotations

import pytest

from mailqueue.models import QueuedMessage
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


def send_one(base, number: int, size: int = 3000) -> None:
    submit(base, f"m{number}", message(body="x" * size + "\n", message_id=f"<m{number}@test>"))
    run_queue()


def notices(account) -> list[bytes]:
    return [item for item in inbox_messages(account) if b"MAILER-DAEMON@" in item]


def test_one_notice_when_storage_crosses_quota_notice_and_one_alert_at_quota_alert(base, client1):
    jane = make_account(client1, "jane", MaxAccountSize="10K", QuotaNotice="50%", QuotaAlert="80%")

    send_one(base, 1)  # about 30%
    assert notices(jane) == []

    send_one(base, 2)  # about 60%: across 50%
    (notice,) = notices(jane)
    assert b"Subject: Mail storage notice: 6" in notice
    assert b"Your account jane@client1.test uses " in notice and b"of its 10240 bytes" in notice

    send_one(base, 3, size=300)  # still between the shares: nothing more
    assert len(notices(jane)) == 1

    send_one(base, 4, size=1500)  # about 85%: across 80%
    alert = notices(jane)[1]
    assert b"Subject: Mail storage alert: 8" in alert
    assert len(inbox_messages(jane)) == 4 + 2
    assert QueuedMessage.objects.filter(is_report=True).count() == 2


def test_the_catalogue_defaults_apply_to_an_account_with_a_quota(base, client1):
    jane = make_account(client1, "jane", MaxAccountSize="4K")  # QuotaNotice 90%, QuotaAlert 95%

    send_one(base, 1, size=3400)  # about 86%: below 90%
    assert notices(jane) == []
    send_one(base, 2, size=200)  # about 92%: across 90% (a notice, not yet an alert)

    (notice,) = notices(jane)
    assert b"Mail storage notice" in notice


def test_no_notice_without_a_quota_or_for_other_accounts(base, client1):
    jane = make_account(client1, "jane", QuotaNotice="1%")  # no MaxAccountSize: nothing to measure
    joe = make_account(client1, "joe", MaxAccountSize="1M")

    send_one(base, 1)
    submit(base, "j", message(to="joe@client1.test", message_id="<j@test>"))
    run_queue()

    assert notices(jane) == [] and notices(joe) == []


def test_the_notice_reaches_an_account_too_full_for_it(base, client1):
    jane = make_account(client1, "jane", MaxAccountSize="4K", QuotaNotice="90%")

    send_one(base, 1, size=3800)  # about 95%: no room left for a notice of its size

    (notice,) = notices(jane)
    assert b"Mail storage" in notice
