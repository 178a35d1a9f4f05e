"""The forms real CommuniGate clients send to known verbs (issue 20): what the vendor's Perl and
Java clients, CGPCLI and a control-panel plug-in put on the wire, and what they get back."""

from __future__ import annotations

import pytest

from accounts.models import Account
from cgadmin.dataformat import loads
from cli.dispatch import execute
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(postmaster):
    """Run a command line as postmaster; answer (code, data or text)."""

    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


# --- #NULL# in an Update removes the key, as `default` does -------------------------------------------


def test_a_quota_change_with_a_null_real_name_changes_the_quota_and_removes_the_name(run, client1):
    factories.make_account(client1, "u1", RealName="Ann", MaxAccountSize="100M")

    assert run('UpdateAccountSettings u1@client1.test {MaxAccountSize="500M"; RealName=#NULL#;}') == (200, "OK")

    settings = Account.objects.get(name="u1").settings
    assert settings["MaxAccountSize"] == "500M" and "RealName" not in settings


@pytest.mark.parametrize(("update", "read", "key"), [
    ("UpdateDomainSettings client1.test {{{key}=#NULL#;}}", "GetDomainSettings client1.test", "MailToUnknown"),
    ("UpdateAccountDefaults client1.test {{{key}=#NULL#;}}", "GetAccountDefaults client1.test", "MaxAccountSize"),
    ("UpdateAccountTemplate client1.test {{{key}=#NULL#;}}", "GetAccountTemplate client1.test", "MaxAccountSize"),
    ("UpdateServerAccountDefaults {{{key}=#NULL#;}}", "GetServerAccountDefaults", "MaxAccountSize"),
    ("UpdateAccountPrefs u1@client1.test {{{key}=#NULL#;}}", "GetAccountPrefs u1@client1.test", "TimeZone"),
    ("UpdateAccountDefaultPrefs client1.test {{{key}=#NULL#;}}", "GetAccountDefaultPrefs client1.test", "TimeZone"),
    ("UpdateServerAccountPrefs {{{key}=#NULL#;}}", "GetServerAccountPrefs", "TimeZone"),
])
def test_null_removes_the_key_in_every_update(run, client1, update, read, key):
    factories.make_account(client1, "u1")
    set_line = update.replace("#NULL#", "{value}")
    value = {"MailToUnknown": "Rejected", "MaxAccountSize": "200M", "TimeZone": '"Europe/Berlin"'}[key]
    assert run(set_line.format(key=key, value=value))[0] == 200
    assert key in run(read)[1]

    assert run(update.format(key=key))[0] == 200

    assert key not in run(read)[1]
