"""Every CLI verb by every persona: the answer code each one gets (rows in tests/*/cli_matrix.py).

A verb without a row fails here, so no verb lands without its rights being written down."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Account
from cli.dispatch import Answer, execute
from cli.registry import all_verbs, lookup
from tests.cli.matrix import ANON, PERSONAS, collect

ROWS = collect()


def test_every_registered_verb_has_a_matrix_row():
    missing = [entry.name for entry in all_verbs() if entry.name.lower() not in ROWS]

    assert missing == [], "add a Row for each of these verbs to tests/<app>/cli_matrix.py (see tests/cli/matrix.py)"


def test_every_matrix_row_names_a_registered_verb():
    assert [name for name in ROWS if lookup(name) is None] == []


def _answer(personas, persona: str, line: str, row) -> Answer:
    sid = transaction.savepoint()
    try:
        if row.setup is not None:
            row.setup(personas)
        actor = None if persona == ANON else Account.objects.select_related("domain").get(
            pk=getattr(personas, persona).pk
        )
        return execute(line, actor=actor, logged_in=persona != ANON, peer="192.0.2.1")
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db
@pytest.mark.parametrize("verb", sorted(entry.name for entry in all_verbs()))
def test_permission_matrix(verb, personas):
    row = ROWS.get(verb.lower())
    if row is None:
        pytest.fail(f"{verb} has no matrix row")
    line = row.line(verb, personas)
    wrong = []
    for persona in PERSONAS:
        expected = row.expected(persona)
        answer = _answer(personas, persona, line, row)
        got = "ok" if answer.ok else answer.code
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {answer.line()[:200]}")

    assert wrong == [], f"{line!r}"
