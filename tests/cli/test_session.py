"""The session state machine in-process: login throttling and what a failed login reveals."""

from __future__ import annotations

import pytest

from cli.session import MAX_FAILURE_DELAY, Session
from tests import factories

pytestmark = pytest.mark.django_db
PM = factories.POSTMASTER_PASSWORD


def session(peer: str = "192.0.2.1") -> Session:
    return Session(peer=peer, session_id=1, host="mail.example.test")


def test_each_failure_in_a_session_waits_longer_and_other_sessions_wait_not_at_all(postmaster, settings):
    settings.CLI_FAILURE_DELAY = 1.0
    attacker = session("198.51.100.7")

    delays = [attacker.handle(f"AUTH WEBUSER postmaster guess{n}").delay for n in range(12)]
    other = session("192.0.2.1").handle(f"AUTH WEBUSER postmaster {PM}")

    assert delays == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, MAX_FAILURE_DELAY, MAX_FAILURE_DELAY]
    assert (other.lines, other.delay) == (["200 login OK, proceed"], 0.0)


def test_failures_count_per_account_address_pair_by_failed_login_flow(postmaster, client1):
    factories.make_account(client1, "strict", FailedLoginFlow=["3", "10m"])
    attacker = session("198.51.100.7")
    for _ in range(3):
        attacker.handle("AUTH WEBUSER strict@client1.test wrong")

    assert attacker.handle(f"AUTH WEBUSER strict@client1.test {factories.PASSWORD}").lines == [
        "515 incorrect password or account name"]
    assert session("192.0.2.1").handle(f"AUTH WEBUSER strict@client1.test {factories.PASSWORD}").lines == [
        "200 login OK, proceed"]


def test_a_blocked_name_answers_exactly_like_an_unknown_one(postmaster):
    attacker = session("198.51.100.7")
    answers = set()
    for n in range(35):  # past the per-address cap: from here on everything is refused unread
        answers.add(tuple(attacker.handle(f"AUTH WEBUSER {'postmaster' if n % 2 else 'ghost'} wrong").lines))
    answers.add(tuple(attacker.handle(f"AUTH WEBUSER postmaster {PM}").lines))
    answers.add(tuple(attacker.handle("APOP ghost 0123456789abcdef0123456789abcdef").lines))

    assert answers == {("515 incorrect password or account name",)}


def test_login_names_the_database_cannot_take_are_a_plain_failure(postmaster):
    s = session()

    assert s.handle("AUTH WEBUSER post\x01master@" + "x" * 5000 + " pw").lines == [
        "515 incorrect password or account name"]
    assert s.handle("USER a\x00b").lines[0].startswith("500 ")
    assert s.handle("APOP é€ ü").lines == ["515 incorrect password or account name"]
