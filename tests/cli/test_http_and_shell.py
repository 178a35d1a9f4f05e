"""The same commands over HTTP (POST /CLI/ with Basic auth) and at the shell (manage.py cli)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from domains.models import Domain
from tests import factories
from tests.conftest import basic_auth

pytestmark = pytest.mark.django_db
PM = factories.POSTMASTER_PASSWORD


def test_post_cli_runs_one_command_as_the_basic_auth_account(postmaster, client1):
    http = Client(**basic_auth("postmaster", PM))

    created = http.post("/CLI/", {"command": "CreateDomain web.test"})
    listed = http.post("/CLI/", {"command": "listdomains"})

    assert (created.status_code, created.content) == (200, b"200 OK\r\n")
    assert listed.content.decode() == '201 ("client1.test","mail.example.test","web.test")\r\n'
    assert listed["Content-Type"] == "text/plain; charset=utf-8"


def test_post_cli_answers_errors_with_their_codes(postmaster, client1):
    http = Client(**basic_auth("postmaster", PM))

    assert http.post("/CLI/", {"command": "CreateDomain client1.test"}).content.startswith(b"520 ")
    assert http.post("/CLI/", {"command": "GetDomainSettings nowhere.test"}).content.startswith(b"512 ")
    assert http.post("/CLI/", {"command": "Bogus"}).content == b"500 unknown command\r\n"
    assert http.post("/CLI/", {"command": "NOOP\nNOOP"}).content == b"500 one command line only\r\n"
    assert http.post("/CLI/", {}).status_code == 400


def test_post_cli_checks_the_accounts_rights(postmaster, client1):
    factories.make_account(client1, "plain")
    http = Client(**basic_auth("plain@client1.test", factories.PASSWORD))

    assert http.post("/CLI/", {"command": "CreateDomain mine.test"}).content.startswith(b"510 ")
    assert not Domain.objects.filter(name="mine.test").exists()


def test_post_cli_needs_basic_credentials_never_a_session_cookie(postmaster):
    assert Client().post("/CLI/", {"command": "ListDomains"}).status_code == 401
    assert Client(**basic_auth("postmaster", "wrong")).post("/CLI/", {"command": "NOOP"}).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(postmaster)  # a logged-in WebAdmin session: no ambient authority here
    assert browser.post("/CLI/", {"command": "CreateDomain forged.test"}).status_code == 401
    assert not Domain.objects.filter(name="forged.test").exists()


def test_get_cli_runs_the_command_of_the_query_as_commungate_http_clients_send_it(postmaster):
    client = Client(**basic_auth("postmaster", PM))
    answer = client.get("/CLI/", {"command": "CreateDomain viaget.test"})
    assert (answer.status_code, answer.content) == (200, b"200 OK\r\n")
    assert Domain.objects.filter(name="viaget.test").exists()
    assert client.get("/CLI/", {"command": "ListDomains"}).content == b'201 ("mail.example.test","viaget.test")\r\n'
    assert client.get("/CLI/").status_code == 400  # no command
    assert Client().get("/CLI/", {"command": "CreateDomain anon.test"}).status_code == 401
    assert client.put("/CLI/").status_code == 405


def test_manage_py_cli_runs_commands_as_the_operator(postmaster, capsys):
    call_command("cli", "CreateDomain client9.test")
    call_command("cli", "ListDomains")

    assert capsys.readouterr().out == '("client9.test","mail.example.test")\n'
    assert Domain.objects.filter(name="client9.test").exists()


def test_manage_py_cli_prints_errors_and_exits_non_zero(postmaster, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("cli", "GetDomainSettings", "nowhere.test")

    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith("512 ")


def test_manage_py_cli_pretty_prints_dictionaries(postmaster, capsys):
    call_command("cli", 'ECHO {b=#1;a="x y";}', "--pretty")

    assert capsys.readouterr().out == '{\n  a = "x y";\n  b = #1;\n}\n'


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_manage_py_cli_in_a_shell_reads_commands_from_stdin(postmaster):
    from django.db import connection

    db = connection.settings_dict
    env = {"DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "DJANGO_SETTINGS_MODULE": "cgadmin.settings", "SECRET_KEY": "test-only",
           "REDIS_URL": settings.REDIS_URL,
           "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "CGATE_BASE": settings.CGATE_BASE, "PATH": "/usr/bin:/bin"}
    commands = "CreateDomain shell.test\nBogus\nMainDomainName\n"
    result = subprocess.run([sys.executable, "manage.py", "cli"], input=commands,
                            cwd=settings.PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 1
    assert result.stdout == '"mail.example.test"\n'
    assert result.stderr == "500 unknown command\n", result.stderr
    assert Domain.objects.filter(name="shell.test").exists()
