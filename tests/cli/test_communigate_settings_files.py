"""Settings files of a real CommuniGate server (tests/cli/communigate_settings/, written from the
seed and the CLI documentation's examples) replayed key by key over the CLI: every key and value is
accepted and comes back in the client's spelling, and a whole file set at once comes back whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Account
from cgadmin.dataformat import dumps, load_settings_file, loads
from cli.dispatch import execute
from tests import factories

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "communigate_settings"


def _file(name: str) -> dict:
    return load_settings_file((FILES / name).read_text(encoding="utf-8"))


def _run(line: str, actor: Account) -> tuple[int, object]:
    answer = execute(line, actor=actor)
    return answer.code, (loads(answer.data) if answer.data is not None else answer.text)


# (file, the Update command, the Get command that reads the explicit values back)
REPLAYS = {
    "Domain.settings": ("UpdateDomainSettings client1.test", "GetDomainSettings client1.test"),
    "Account.settings": ("UpdateAccountSettings jane@client1.test", "GetAccountSettings jane@client1.test"),
    "Main.settings": ("UpdateServerSettings", "GetServerSettings"),
}


@pytest.mark.parametrize("file_name", sorted(REPLAYS))
def test_every_key_of_a_real_settings_file_is_accepted_and_echoed(postmaster, client1, file_name):
    factories.make_account(client1, "jane")
    update, get = REPLAYS[file_name]
    refused = {}
    for key, value in _file(file_name).items():
        code, text = _run(f"{update} {dumps({key: value})}", postmaster)
        if code != 200:
            refused[key] = text
            continue
        back = _run(get, postmaster)[1]
        assert key in back, f"{key} is not returned under the client's spelling: {sorted(back)}"
        assert dumps(back[key]) == dumps(value), key
    assert refused == {}


@pytest.mark.parametrize(("file_name", "set_command"), [
    ("Domain.settings", "SetDomainSettings client1.test"),
    ("Account.settings", "SetAccountSettings jane@client1.test"),
])
def test_a_whole_settings_file_set_at_once_comes_back_whole(postmaster, client1, file_name, set_command):
    factories.make_account(client1, "jane")
    settings = _file(file_name)

    assert _run(f"{set_command} {dumps(settings)}", postmaster) == (200, "OK")

    back = _run(REPLAYS[file_name][1], postmaster)[1]
    assert dumps(back) == dumps(settings)


def test_a_domain_administrator_cannot_change_a_setting_this_server_has_no_field_for(personas):
    admin = personas.domain_admin_with_right

    assert _run('UpdateDomainSettings client1.test {DKIM={Enabled=YES;};}', admin)[0] == 510
    assert _run('UpdateDomainSettings client1.test {MailToUnknown="Rerouted to";}', admin)[0] == 200


def test_values_in_communigates_words_behave_as_their_meaning(postmaster, client1):
    jane = factories.make_account(client1, "jane")
    assert _run('UpdateAccountSettings jane@client1.test {MaxMailboxes="-1"; DefaultMailboxType=MailDirMailbox;}',
                postmaster)[0] == 200
    for number in range(3):
        assert _run(f'CreateMailbox jane@client1.test MAILBOX "Box{number}"', postmaster)[0] == 200  # -1: no limit
    assert set(jane.mailboxes.exclude(name="INBOX").values_list("format", flat=True)) == {"mdir"}
    assert _run('UpdateAccountSettings jane@client1.test {MaxMailboxes="2";}', postmaster)[0] == 200
    assert _run('CreateMailbox jane@client1.test MAILBOX "One more"', postmaster)[0] == 501
    for bad in ('{MaxMailboxes="-2";}', "{QuotaSuspend=\"150%\";}", "{DefaultMailboxType=Floppy;}"):
        assert _run(f"UpdateAccountSettings jane@client1.test {bad}", postmaster)[0] == 500, bad
    assert _run('UpdateDomainSettings client1.test {ForceSMTPAUTH=sometimes;}', postmaster)[0] == 500
