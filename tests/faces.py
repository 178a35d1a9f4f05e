"""The three faces of one operation, for tests that must hold on each: a WebAdmin page, a CLI
command (POST /CLI/ with HTTP Basic, the path the TCP listener's dispatch shares) and `manage.py cli`."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from accounts.models import Account
from tests import factories
from tests.conftest import basic_auth, login_name


def password_of(account: Account) -> str:
    return factories.POSTMASTER_PASSWORD if account.name == "postmaster" else factories.PASSWORD


def cli_http(actor: Account, line: str) -> str:
    """One command line as `actor` over POST /CLI/: the answer line without its CRLF."""
    client = Client(**basic_auth(login_name(actor), password_of(actor)))
    response = client.post("/CLI/", {"command": line})
    assert response.status_code == 200, response.content
    return response.content.decode().rstrip("\r\n")


def manage_cli(line: str) -> str:
    """One command line through `manage.py cli` (the operator at the shell): "200 OK", the data,
    or the error line it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("cli", line, stdout=out, stderr=err)
    except SystemExit:
        return err.getvalue().strip()
    return out.getvalue().strip() or "200 OK"
