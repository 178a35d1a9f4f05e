"""Failed-login counters (issue 16.7): one set per account whatever name reaches it, a window that
later failures never extend, and no failure lost when many arrive at once, on Redis and on the
embedded file cache."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache

from accounts.services import account_set_aliases
from domains.services import domain_set_aliases
from realms import throttle
from realms.auth import check_login
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.50"


def test_every_name_of_an_account_shares_its_counters(client1):
    jane = make_account(client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["j"])
    domain_set_aliases(actor=None, domain=client1, aliases=["alias1.test"])
    names = ["jane@client1.test", "JANE@client1.test.", "j@client1.test", "jane@alias1.test", " jane@Alias1.Test. "]

    for attempt in range(10):  # FailedLoginFlow: 10 failures in 10 minutes
        assert check_login(names[attempt % len(names)], "guess", address=ADDRESS) is None

    for name in names:
        assert check_login(name, PASSWORD, address=ADDRESS) is None, name  # blocked, even the right password
    assert check_login("jane@client1.test", PASSWORD, address="198.51.100.1") == jane  # elsewhere: fine


def test_an_unknown_name_is_counted_under_its_normalised_form(client1):
    domain_set_aliases(actor=None, domain=client1, aliases=["alias1.test"])
    names = ["nobody@client1.test", "NOBODY@client1.test.", "nobody@alias1.test"]

    keys = {throttle.subject_key(name, None) for name in names}

    assert keys == {"nobody@client1.test"}
    assert throttle.subject_key("nobody", None) == throttle.subject_key("nobody@mail.example.test", None)


def _redis_ttl(key: str) -> int:
    client = throttle._redis_client()
    return client.ttl(cache.make_and_validate_key(key))


def test_a_failure_never_extends_the_window_on_redis(client1):
    assert throttle._redis_client() is not None  # the suite's cache is the real Redis
    key = throttle._pair_key("id:1", ADDRESS)
    throttle.note_failure("id:1", ADDRESS, (10, 600))
    assert 590 <= _redis_ttl(key) <= 600
    throttle._redis_client().expire(cache.make_and_validate_key(key), 7)  # as if 593 s had passed

    throttle.note_failure("id:1", ADDRESS, (10, 600))

    assert _redis_ttl(key) <= 7
    assert throttle._read_counts([key]) == {key: 2}


@pytest.fixture
def file_cache(tmp_path, monkeypatch):
    """The embedded default's cache: a real FileBasedCache, shared by the processes of one server."""
    embedded = FileBasedCache(str(tmp_path / "cache"), {})
    monkeypatch.setattr(throttle, "cache", embedded)
    return embedded


def test_a_failure_never_extends_the_window_on_the_file_cache(file_cache):
    key = throttle._pair_key("id:1", ADDRESS)
    throttle.note_failure("id:1", ADDRESS, (10, 600))
    count, ends = file_cache.get(key)
    file_cache.set(key, (count, ends - 593), timeout=7)  # as if 593 s had passed

    throttle.note_failure("id:1", ADDRESS, (10, 600))

    assert file_cache.get(key) == (2, ends - 593)
    assert throttle._read_counts([key]) == {key: 2}


def _hammer(subject: str, times: int) -> None:
    for _ in range(times):
        throttle.note_failure(subject, ADDRESS, (None, 600))


def _threads_and_processes(subject: str) -> None:
    # The processes fork before any thread runs, as a server's workers do.
    workers: list = [multiprocessing.get_context("fork").Process(target=_hammer, args=(subject, 25)) for _ in range(4)]
    workers += [threading.Thread(target=_hammer, args=(subject, 25)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(getattr(worker, "exitcode", 0) == 0 for worker in workers)


def test_concurrent_failures_are_all_counted_on_redis(client1):
    _threads_and_processes("id:42")

    assert throttle._read_counts(["cg:fail:acct:id:42"]) == {"cg:fail:acct:id:42": 200}


def test_concurrent_failures_are_all_counted_on_the_file_cache(file_cache):
    _threads_and_processes("id:42")

    assert throttle._read_counts(["cg:fail:acct:id:42"]) == {"cg:fail:acct:id:42": 200}
