"""The URL permission matrix: what each persona gets from each URL pattern and method.

tests/realms/test_url_matrix.py walks the whole URLconf and fails for any pattern without a row.
Rows live next to each app's tests, in `tests/<app>/url_matrix.py`, as `MATRIX = {key: UrlRow(...)}`,
and are merged here (as tests/<app>/cli_matrix.py rows are for the CLI). The key of a realm page is
`"<Realm>:<url name>"` (e.g. `"Users:domain_settings"`): one row covers the page under every scheme
it is mounted in (/Master/<Realm>/, /<Realm>/, and /Domain/ for Users pages). Other URLs are keyed by
their url name (`"login"`, `"health"`).

The realm gate is applied by the test, not written in the rows: anonymous visitors are sent to the
login form; under /Master/ only MASTER passes, under /<Realm>/ the realm's right holders
(REALM_HOLDERS), under /Domain/ those and every Domain Administrator. A row says what the personas
that pass the gate get: `ok` succeed (2xx, or a redirect that is not to the login form), `codes`
gives other answers (403, 404, 400), everyone else gets `denied` (403).

    from tests.realms.matrix import ADMIN, CLIENT1_READERS, CLIENT1_WRITERS, Case, UrlRow, form

    MATRIX = {
        "Users:domain_settings": UrlRow(
            args={"domain": "client1.test"},
            get=Case(ok=CLIENT1_READERS),
            post=Case(data=form(action="update", s_MailToUnknown="Rejected"), ok=CLIENT1_WRITERS),
        ),
    }

A POST needs `data`: a dict (an `Upload` value makes it a multipart file upload), a function of the
personas fixture, or `form(...)`, which takes the page's own form as POSTMASTER sees it at the
Expert level (the `action` hidden field picks one) with some fields changed. Every POST answer other
than `ok` must leave the database as it was (no row of the project's tables changes, no audit
entry); an `ok` POST must change something unless the case says `changes=False` (logging in, the CLI's
NOOP). A post that answers as a success but changes nothing is reported as IGNORED, and no row may
expect it: a change refused for want of a right answers 403 (a doctored form that changes a read-only
setting included), so a refused post never looks like a done one. Give a POST case data that really
changes something, with `setup` adding what it acts on (a queued message, an alert, a skin file).
Methods a row does not list must answer 405.

Each cell runs in a rolled-back savepoint, so a row may change or delete freely; `setup(personas)`
runs first in the same savepoint when a row needs more data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANON = "anonymous"
USER = "plain_user"  # user@client1.test, no rights
WEAK = "domain_admin_without_right"  # weakadmin@client1.test: Domain, no other right
ADMIN = "domain_admin_with_right"  # admin@client1.test: CanCreateAccounts CanCreateAliases MailToUnknown BasicSettings
OTHER = "other_domain_admin"  # admin@client2.test: CanCreateAccounts MailToUnknown
SUB = "sub_domain_admin"  # parentadmin@client1.test: CanAdminSubDomains CanCreateAccounts (+ sub.client1-family.test)
SETTINGS = "settings_admin"  # settingsadmin: Settings
READER = "domains_read"  # reader: DomainsRead
ALL = "all_domains"  # alldomains: AllDomains
MONITOR = "monitor"  # monitor: Monitor
DIRECTORY = "directory_admin"  # diradmin: Directory
MASTER = "postmaster"  # Master

PERSONAS = (ANON, USER, OTHER, WEAK, ADMIN, SUB, SETTINGS, READER, ALL, MONITOR, DIRECTORY, MASTER)
LOGGED_IN = frozenset(PERSONAS) - {ANON}
EVERYONE = frozenset(PERSONAS)
DOMAIN_ADMINS = frozenset({WEAK, ADMIN, OTHER, SUB})
SERVER_READERS = frozenset({READER, ALL, MASTER})
SERVER_WRITERS = frozenset({ALL, MASTER})
CLIENT1_ADMINS = frozenset({WEAK, ADMIN, SUB})  # Domain Administrators whose reach includes client1.test
CLIENT1_READERS = SERVER_READERS | CLIENT1_ADMINS
CLIENT1_WRITERS = SERVER_WRITERS | {ADMIN}  # with one of ADMIN's rights (SUB has CanCreateAccounts too)
SUB_DOMAIN_READERS = SERVER_READERS | {SUB}  # sub.client1-family.test: only through CanAdminSubDomains

# Who passes the realm gate of a /<Realm>/ page (Separate WebAdmin Realms on).
REALM_HOLDERS: dict[str, frozenset[str]] = {
    "Settings": frozenset({SETTINGS, MASTER}),
    "Users": SERVER_READERS,
    "Monitors": frozenset({MONITOR, MASTER}),
    "Directory": frozenset({DIRECTORY, MASTER}),
    "Master": frozenset({MASTER}),
}

OK = "ok"
LOGIN = "login"  # a redirect to the login form (browsers) or 401 (scripts)
IGNORED = "ignored"  # answered as a success but changed nothing: never an expected answer
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class PageForm:
    """POST data taken from the page's own form as POSTMASTER sees it, with some fields changed."""

    action: str | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)


def form(action: str | None = None, **changes: Any) -> PageForm:
    return PageForm(action, changes)


@dataclass(frozen=True)
class Upload:
    """A file field's value: the POST is then sent multipart, as a browser sends a form with a file."""

    name: str
    content: bytes
    content_type: str = "text/csv"

    def fresh(self) -> Any:
        """A new uploaded file for each request (the client reads the one it is given)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


@dataclass(frozen=True)
class Case:
    """The answers to one method of one pattern, for the personas that pass the realm gate."""

    ok: frozenset[str] | set[str] = frozenset()
    codes: Mapping[str, int | str] = field(default_factory=dict)
    denied: int | str = 403
    data: Mapping[str, Any] | PageForm | Callable[[Any], Mapping[str, Any]] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    args: Mapping[str, str] | None = None  # overrides the row's args
    setup: Callable[[Any], None] | None = None
    changes: bool = True  # an ok POST must change the database

    def expected(self, persona: str) -> int | str:
        if persona in self.codes:
            return self.codes[persona]
        if persona in self.ok:
            return OK
        return self.denied


@dataclass(frozen=True)
class UrlRow:
    """One URL pattern: its arguments and a Case (or several) per method it answers."""

    args: Mapping[str, str] = field(default_factory=dict)
    get: Case | tuple[Case, ...] | None = Case()
    post: Case | tuple[Case, ...] | None = None
    csrf: bool = True  # False only for an API that authenticates every request itself (the HTTP CLI)

    def cases(self, method: str) -> tuple[Case, ...]:
        found = {"GET": self.get, "POST": self.post}.get(method)
        if found is None:
            return ()
        return found if isinstance(found, tuple) else (found,)


def gate(persona: str, kind: str, scheme: str | None, realm: str | None) -> str | int | None:
    """The answer the shell gives before the view runs (None: the view decides)."""
    from realms import pages

    if kind == pages.PUBLIC:
        return None
    if persona == ANON:
        return LOGIN
    if kind == pages.AUTHENTICATED:
        return None
    if scheme == pages.MASTER_SCHEME:
        holders: frozenset[str] = frozenset({MASTER})
    elif scheme == pages.DOMAIN_SCHEME:
        holders = REALM_HOLDERS["Users"] | DOMAIN_ADMINS
    else:
        holders = REALM_HOLDERS[realm or ""]
    return None if persona in holders else 403


def collect() -> dict[str, UrlRow]:
    """Every app's rows (tests/<app>/url_matrix.py)."""
    rows: dict[str, UrlRow] = {}
    tests_dir = Path(__file__).resolve().parent.parent
    for module_file in sorted(tests_dir.glob("*/url_matrix.py")):
        module = importlib.import_module(f"tests.{module_file.parent.name}.url_matrix")
        for key, row in module.MATRIX.items():
            if key in rows:
                raise AssertionError(f"{key} has two URL matrix rows (second in {module_file})")
            rows[key] = row
    return rows
