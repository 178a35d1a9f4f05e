"""Every URL pattern, every method, every persona: the answer each gets (rows in tests/*/url_matrix.py).

A pattern without a row fails here, so no page lands without its rights being written down. A POST
that is refused (or ignored) must leave the database exactly as it was; CSRF is enforced on every
form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from realms import pages
from tests.conftest import basic_auth, login_name
from tests.factories import PASSWORD, POSTMASTER_PASSWORD
from tests.helpers import set_separate_realms
from tests.realms.matrix import (
    ANON,
    IGNORED,
    LOGIN,
    MASTER,
    METHODS,
    OK,
    PERSONAS,
    Case,
    PageForm,
    Upload,
    UrlRow,
    collect,
    gate,
)
from tests.service_checks import fingerprint
from tests.webforms import form_with

ROWS = collect()
HTML = {"HTTP_ACCEPT": "text/html"}


@dataclass(frozen=True)
class Pattern:
    key: str  # "<Realm>:<name>" for realm pages, the url name otherwise
    scheme: str | None
    realm: str | None
    url_name: str  # for reverse()
    route: str
    access: pages.PageAccess

    @property
    def id(self) -> str:
        return f"{self.key}@{self.scheme}" if self.scheme else self.key


def _walk(patterns: list, prefix: str = "", namespace: str = "", defaults: dict | None = None) -> Iterator[Pattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner,
                             {**(defaults or {}), **entry.default_kwargs})
        elif isinstance(entry, URLPattern):
            access = pages.access_of(entry.callback)
            scheme, realm = (defaults or {}).get("cg_scheme"), (defaults or {}).get("cg_realm")
            name = entry.name or prefix + str(entry.pattern)
            key = f"{realm}:{name}" if realm else name
            assert access is not None, f"{prefix}{entry.pattern} declares no access"
            yield Pattern(key, scheme, realm, f"{namespace}{name}", prefix + str(entry.pattern), access)


PATTERNS = list(_walk(get_resolver().url_patterns))


def test_every_url_pattern_has_a_matrix_row():
    missing = sorted({pattern.key for pattern in PATTERNS if pattern.key not in ROWS})

    assert missing == [], "add a UrlRow for each of these to tests/<app>/url_matrix.py (see tests/realms/matrix.py)"


def test_every_matrix_row_names_a_url_pattern():
    assert sorted(set(ROWS) - {pattern.key for pattern in PATTERNS}) == []


def test_no_row_expects_a_post_to_be_silently_ignored():
    ignored = [key for key, row in ROWS.items() for case in row.cases("POST") if IGNORED in case.codes.values()]

    assert ignored == [], "a refused change answers 403; give the case data that changes something"


def test_every_post_case_proves_a_change_unless_it_changes_nothing_by_nature():
    # Logging in and out and the CLI's NOOP change no row; every other POST case must show one.
    unchanged = sorted(key for key, row in ROWS.items() for case in row.cases("POST") if not case.changes)

    assert unchanged == ["cli-http", "login", "logout"]


def test_the_walk_sees_every_scheme():
    ids = {pattern.id for pattern in PATTERNS}

    assert {"Users:domains@master", "Users:domains@separate", "Users:domains@domain", "login"} <= ids


def client_for(personas: Any, persona: str, **extra: Any) -> Client:
    if persona == ANON:
        return Client(**extra)
    account = getattr(personas, persona)
    password = POSTMASTER_PASSWORD if persona == MASTER else PASSWORD
    return Client(**basic_auth(login_name(account), password), **extra)


def _url(pattern: Pattern, row: UrlRow, case: Case) -> str:
    args = case.args if case.args is not None else row.args
    url = reverse(pattern.url_name, kwargs=dict(args) or None)
    if case.query:
        from urllib.parse import urlencode

        url += "?" + urlencode(case.query)
    return url


def _data(personas: Any, case: Case, url: str) -> dict[str, Any]:
    data = case.data
    if data is None:
        return {}
    if isinstance(data, PageForm):
        sid = transaction.savepoint()
        try:
            if case.setup is not None:
                case.setup(personas)
            html = client_for(personas, MASTER).get(url).content.decode()
        finally:
            transaction.savepoint_rollback(sid)
        return form_with(html, data.action, **data.changes)
    if callable(data):
        return dict(data(personas))
    return dict(data)


def _outcome(response: Any, method: str, changed: bool, case: Case) -> int | str:
    status = response.status_code
    if status == 401 or (status in (301, 302) and response["Location"].startswith(f"{settings.LOGIN_URL}?next=")):
        return LOGIN
    if status >= 400:
        return status
    if method == "POST" and case.changes and not changed:
        return IGNORED
    return OK


def _cell(personas: Any, pattern: Pattern, persona: str, method: str, url: str, data: dict, case: Case) -> str | None:
    """None when the persona gets what the row expects, else what went wrong."""
    expected = gate(persona, pattern.access.kind, pattern.scheme, pattern.realm) or case.expected(persona)
    sid = transaction.savepoint()
    try:
        if case.setup is not None:
            case.setup(personas)
        before = fingerprint() if method == "POST" else ""
        response = _request(client_for(personas, persona), method, url, data)
        changed = method == "POST" and fingerprint() != before
        got = _outcome(response, method, changed, case)
        if got != OK and changed:
            return f"{persona}: answered {response.status_code} ({got}) but changed the database"
        if got == LOGIN and persona == ANON and expected == LOGIN:
            script = Client().generic(method, url)  # a script without credentials: a Basic challenge
            if script.status_code != 401:
                return f"{persona}: a script without credentials got {script.status_code}, not 401"
    finally:
        transaction.savepoint_rollback(sid)
    if got != expected:
        return f"{persona}: expected {expected}, got {got} ({response.status_code})"
    return None


_FORM = "application/x-www-form-urlencoded"


def _request(client: Client, method: str, url: str, data: dict) -> Any:
    """GET, or POST the data as a browser would: multipart when it carries a file, else urlencoded."""
    if method == "POST" and _has_upload(data):
        return client.post(url, _with_fresh_files(data), **HTML)
    return client.generic(
        method, url, **({"data": _encode(data), "content_type": _FORM} if method == "POST" else {}), **HTML
    )


def _has_upload(data: dict) -> bool:
    return any(isinstance(value, Upload) for value in data.values())


def _with_fresh_files(data: dict) -> dict:
    return {key: value.fresh() if isinstance(value, Upload) else value for key, value in data.items()}


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _ids() -> list[Pattern]:
    return PATTERNS


@pytest.fixture
def own_base(settings, tmp_path):
    """A base directory of the test's own, set before the server starts: files a cell writes (skins)
    are gone with the test, as the database's rows are."""
    settings.CGATE_BASE = tmp_path / "base"
    return settings.CGATE_BASE


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.id for pattern in PATTERNS])
def test_url_matrix(pattern: Pattern, own_base, personas):
    row = ROWS.get(pattern.key)
    if row is None:
        pytest.fail(f"{pattern.key} has no URL matrix row")
    set_separate_realms(pattern.scheme == pages.SEPARATE_SCHEME)
    wrong: list[str] = []
    for method in METHODS:
        cases = row.cases(method)
        if not cases:
            url = _url(pattern, row, Case())
            status = client_for(personas, MASTER).generic(method, url, **HTML).status_code
            if status != 405:
                wrong.append(f"{method} {url}: answers {status} but the row lists no {method} case")
            continue
        for case in cases:
            url = _url(pattern, row, case)
            data = _data(personas, case, url) if method == "POST" else {}
            for persona in PERSONAS:
                problem = _cell(personas, pattern, persona, method, url, data, case)
                if problem:
                    wrong.append(f"{method} {url} {problem}")

    assert not wrong, "\n".join(wrong)


POST_PATTERNS = [pattern for pattern in PATTERNS if pattern.key in ROWS and ROWS[pattern.key].post is not None
                 and ROWS[pattern.key].csrf and pattern.scheme != pages.SEPARATE_SCHEME]


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", POST_PATTERNS, ids=[pattern.id for pattern in POST_PATTERNS])
def test_every_form_needs_its_csrf_token(pattern: Pattern, own_base, personas):
    row = ROWS[pattern.key]
    case = row.cases("POST")[0]
    url = _url(pattern, row, case)
    data = _data(personas, case, url)
    client = client_for(personas, MASTER, enforce_csrf_checks=True)
    if case.setup is not None:
        case.setup(personas)
    before = fingerprint()

    forged = client.post(url, _with_fresh_files(data), **HTML)

    assert forged.status_code == 403 and b"CSRF" in forged.content
    assert fingerprint() == before
    client.get(url, **HTML)  # a real browser has the page (and the CSRF cookie) first
    if settings.CSRF_COOKIE_NAME not in client.cookies:  # the page answered 404 (no such queue, say)
        client.get(settings.LOGIN_URL, **HTML)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    honest = client.post(url, {**_with_fresh_files(data), "csrfmiddlewaretoken": token}, **HTML)
    assert honest.status_code < 400, honest.content.decode()[-3000:]
