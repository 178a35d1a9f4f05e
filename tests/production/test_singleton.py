"""What must run once on any number of nodes is guarded by the database: one beat schedules while
the others wait for its lock (and take over when its connection goes), and a singleton task that
finds another run of itself going skips."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cgadmin import singleton
from logs.models import StatSample
from logs.tasks import sample_statistics

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_session():
    """A second database session, as another node's process has."""
    raw = singleton._new_raw_connection()
    yield raw
    raw.close()


@pytest.fixture
def fresh_beat_state():
    singleton._beat_connection = None
    yield
    singleton.release_beat_lock()


def test_a_second_beat_waits_until_the_first_ones_connection_is_gone(other_session, fresh_beat_state):
    assert singleton._try_beat_lock(other_session)  # the first node's beat schedules
    said: list[str] = []
    took_over = threading.Event()

    def second_beat() -> None:
        singleton.hold_beat_lock(retry_seconds=0.05, say=said.append)
        took_over.set()

    thread = threading.Thread(target=second_beat, daemon=True)
    thread.start()
    assert not took_over.wait(0.5)
    assert said and "another beat holds the schedule" in said[0]
    assert singleton.beat_lock_holder() == other_session.info.backend_pid

    other_session.close()  # the first node dies: PostgreSQL drops its session and its lock
    assert took_over.wait(10)
    assert singleton.beat_lock_holder() == singleton._beat_connection.info.backend_pid
    assert "holds the schedule" in said[-1]


def test_a_singleton_task_skips_while_another_run_holds_its_lock(other_session):
    other_session.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [singleton.TASK_LOCK_NAMESPACE,
                                                                         "logs.statistics"])
    assert sample_statistics.apply().get() is None
    assert StatSample.objects.count() == 0

    other_session.execute("SELECT pg_advisory_unlock_all()")
    assert sample_statistics.apply().get() == StatSample.objects.get().pk
    with connection.cursor() as cursor:  # the run let its lock go
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::bigint::oid",
                       [singleton.TASK_LOCK_NAMESPACE])
        assert cursor.fetchone()[0] == 0
