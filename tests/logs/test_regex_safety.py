"""Regular expressions typed by users run on RE2: a pattern that makes a backtracking engine run
for minutes (`(a+)+b`, `(.+)+Z` over ordinary lines, an IMAP pattern of many wildcards) answers
at once, and a pattern RE2 does not take is refused with its reason."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from tests import factories
from tests.cli.test_client_forms import run  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # the request runs in a thread of its own
LOG_URL = "/Master/Monitors/Logs"


def answered_within(seconds: float, request) -> object:
    """request() run in a thread; its answer, or a failure when it is still running after seconds
    (a backtracking engine takes hours on these inputs, RE2 milliseconds)."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(request())
        finally:
            connections.close_all()  # this thread's own

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still searching after {seconds} s"
    return outcome[0]


@pytest.fixture
def ordinary_logs(log_folder):
    log_folder.mkdir(parents=True)
    lines = [f"08:{n // 60:02d}:{n % 60:02d}.000 2 SYSTEM {'a' * 40} record {n}" for n in range(120)]
    lines.append("09:00:00.000 2 SYSTEM the one with aaab in it")
    (log_folder / "2026-05-01.log").write_text("\n".join(lines) + "\n")
    return log_folder


@pytest.mark.parametrize("pattern, found", [("(a+)+b", 1), ("(.+)+Z", 0), ("(a|aa)+$", 0)])
def test_patterns_that_backtrack_for_ever_answer_at_once_on_the_logs_page(postmaster, as_basic, ordinary_logs,
                                                                          pattern, found):
    client = as_basic(postmaster)

    response = answered_within(60, lambda: client.get(LOG_URL, {"text": pattern, "regex": "on"}))

    assert response.status_code == 200
    assert len(response.context["page"].records) == found


def test_a_pattern_re2_does_not_take_is_refused_with_its_reason(postmaster, as_basic, ordinary_logs):
    page = as_basic(postmaster).get(LOG_URL, {"text": r"(a)\1", "regex": "on"}).content.decode()

    assert "not a regular expression: invalid escape sequence: \\1" in page


def test_the_page_says_which_syntax_it_takes(postmaster, as_basic, ordinary_logs):
    page = as_basic(postmaster).get(LOG_URL).content.decode()

    assert "RE2 syntax, as grep -E without backreferences or lookaround" in page


def test_an_imap_pattern_of_many_wildcards_answers_at_once(run, client1):  # noqa: F811
    factories.make_account(client1, "u1")
    assert run('CreateMailbox u1@client1.test MAILBOX "' + "a" * 60 + '"')[0] == 200

    code, found = answered_within(60, lambda: run("ListMailboxes u1@client1.test FILTER " + "*%" * 30 + "q"))

    assert (code, found) == (201, {})
    assert set(run("ListMailboxes u1@client1.test FILTER a*")[1]) == {"a" * 60}
