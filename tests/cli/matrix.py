"""The CLI permission matrix: what each persona gets from each verb.

Every registered verb needs a row, or tests/cli/test_permission_matrix.py fails. Rows live in
`tests/<app>/cli_matrix.py` as `MATRIX = {"VerbName": Row(...)}`, next to the app's other tests,
and are merged here. A row gives the command's arguments (names from the `personas` fixture of
tests/conftest.py), the personas that succeed (200/201), and the code of every exception;
everyone else is expected to get 510 (not enough access rights):

    from tests.cli.matrix import ADMIN, SERVER_WRITERS, Row

    MATRIX = {
        "RenameDomain": Row("client2.test INTO renamed.test", ok=SERVER_WRITERS),
        "GetDomainSettings": Row("client1.test", ok=CLIENT1_READERS),
        "DeleteDomain": Row("nowhere.test", ok=set(), codes={READER: 510, ALL: 512, MASTER: 512}),
    }

Each cell runs in a savepoint that is rolled back, so a row may change or delete things freely;
`setup(personas)` runs first in the same savepoint when a row needs more data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANON = "anonymous"  # a TCP session that has not logged in
USER = "plain_user"  # user@client1.test, no rights
WEAK = "domain_admin_without_right"  # weakadmin@client1.test: Domain, no other right
ADMIN = "domain_admin_with_right"  # admin@client1.test: CanCreateAccounts CanCreateAliases MailToUnknown BasicSettings
OTHER = "other_domain_admin"  # admin@client2.test: CanCreateAccounts MailToUnknown
READER = "domains_read"  # reader (Main Domain): DomainsRead
ALL = "all_domains"  # alldomains (Main Domain): AllDomains
MASTER = "postmaster"  # Master
SETTINGS = "settings_admin"  # settingsadmin (Main Domain): Settings
MONITOR = "monitor"  # monitor (Main Domain): Monitor

PERSONAS = (ANON, USER, WEAK, ADMIN, OTHER, READER, ALL, MASTER, SETTINGS, MONITOR)
LOGGED_IN = frozenset(PERSONAS) - {ANON}
EVERYONE = frozenset(PERSONAS)
SERVER_READERS = frozenset({READER, ALL, MASTER})  # may read every domain and account
SERVER_WRITERS = frozenset({ALL, MASTER})  # may change every domain and account
CLIENT1_READERS = SERVER_READERS | {WEAK, ADMIN}  # may read client1.test and its accounts
CLIENT1_WRITERS = SERVER_WRITERS | {ADMIN}  # may change client1.test under one of ADMIN's rights
LOGIN_REQUIRED = 510
DENIED = 510


@dataclass(frozen=True)
class Row:
    """One verb's expectations. `arguments` may be a function of the personas fixture."""

    arguments: str | Callable[[Any], str] = ""
    ok: frozenset[str] | set[str] = frozenset()
    codes: Mapping[str, int] = field(default_factory=dict)
    setup: Callable[[Any], None] | None = None

    def expected(self, persona: str) -> int | str:
        """"ok" (200 or 201), or the error code this persona gets."""
        if persona in self.codes:
            return self.codes[persona]
        if persona in self.ok:
            return "ok"
        return LOGIN_REQUIRED if persona == ANON else DENIED

    def line(self, verb: str, personas: Any) -> str:
        arguments = self.arguments(personas) if callable(self.arguments) else self.arguments
        return f"{verb} {arguments}".strip()


def collect() -> dict[str, Row]:
    """Every app's rows (tests/<app>/cli_matrix.py), by verb name in lower case."""
    rows: dict[str, Row] = {}
    tests_dir = Path(__file__).resolve().parent.parent
    for module_file in sorted(tests_dir.glob("*/cli_matrix.py")):
        module = importlib.import_module(f"tests.{module_file.parent.name}.cli_matrix")
        for verb, row in module.MATRIX.items():
            if verb.lower() in rows:
                raise AssertionError(f"{verb} has two matrix rows (second in {module_file})")
            rows[verb.lower()] = row
    return rows
