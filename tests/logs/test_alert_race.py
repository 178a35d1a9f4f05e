"""Two sessions posting an alert to the same account in the same second both succeed."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from logs.models import Alert
from logs.services import _stamp, alert_post
from tests.factories import initialize_server, make_account, make_domain

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_taken_by_a_concurrent_post_moves_the_alert_to_the_next_free_second():
    initialize_server()
    jane = make_account(make_domain("client1.test"), "jane")
    holding, release = threading.Event(), threading.Event()
    now = timezone.now()
    held = [_stamp(now + timedelta(seconds=offset)) for offset in range(3)]

    def other_session() -> None:  # has inserted the next three seconds' alerts, not yet committed
        try:
            with transaction.atomic():
                for stamp in held:
                    Alert.objects.create(scope=Alert.ACCOUNT, domain=jane.domain, account=jane, stamp=stamp, text="x")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    posted: list[str] = []

    def ours() -> None:
        try:
            posted.append(alert_post(actor=None, scope="account", name=jane.address, text="mine"))
        finally:
            connection.close()

    other = threading.Thread(target=other_session)
    other.start()
    assert holding.wait(30)
    poster = threading.Thread(target=ours)
    poster.start()
    time.sleep(0.5)  # our insert now waits on the other session's uncommitted row
    release.set()
    other.join(30)
    poster.join(30)

    assert len(posted) == 1 and posted[0] not in held
    assert Alert.objects.filter(account=jane).count() == 4
