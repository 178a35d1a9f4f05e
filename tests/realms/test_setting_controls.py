"""Settings of a known kind get a real control (issue 17 item 5): what a person sets with it reaches
the data format exactly as the CLI shows it, a control left alone writes nothing, and Expert pages
still show and accept the data-format text."""

from __future__ import annotations

import pytest

from accounts.services import account_update_prefs, account_update_settings, account_update_webadmin_prefs
from cgadmin.dataformat import loads
from tests.faces import cli_http
from tests.factories import make_account
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
URL = "/Master/Users/Domains/client1.test/Accounts/jane"


def _level(account, level: str) -> None:
    account_update_webadmin_prefs(actor=None, account=account, updates={"InterfaceType": level})


def _post(client, **changes):
    page = client.get(URL).content.decode()
    response = client.post(URL, form_with(page, "update", **changes))
    assert response.status_code == 302, main_of(response)
    return response


def _setting(postmaster, name: str, shown: str) -> bool:
    """Whether GetAccountSettings shows the setting as `name=shown;` (its CommuniGate form)."""
    answer = cli_http(postmaster, "GetAccountSettings jane@client1.test")
    assert answer.startswith("201 {"), answer
    return f"{{{name}={shown};" in answer or f";{name}={shown};" in answer


def test_services_are_a_checkbox_grid_and_land_as_the_cli_list(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    row = page[page.index('data-setting="AccessModes"'):]
    row = row[:row.index('class="setting')]
    assert row.count('type="checkbox" name="s_AccessModes:s"') == 23  # every service, ticked: All
    assert 'value="IMAP" checked' in row and 'role="group"' in row

    _post(client, **{"s_AccessModes:s": ["IMAP", "Mail", "POP"], "d_AccessModes": None})

    jane.refresh_from_db()
    assert jane.settings["AccessModes"] == ["Mail", "POP", "IMAP"]  # in the catalogue's order
    assert _setting(postmaster, "AccessModes", "(Mail,POP,IMAP)")

    _post(client, **{"s_AccessModes:s": None})  # nothing ticked: no service at all
    jane.refresh_from_db()
    assert jane.settings["AccessModes"] == "None"


def test_sizes_and_flows_are_numbers_with_units(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    _level(postmaster, "Advanced")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    assert '<option value="unlimited" selected>unlimited</option>' in page[page.index('name="s_MaxAccountSize:u"'):]

    _post(client, **{"s_MaxAccountSize:n": "250", "s_MaxAccountSize:u": "M", "d_MaxAccountSize": None,
                     "s_MailInpFlow:count": "20", "s_MailInpFlow:n": "5", "s_MailInpFlow:u": "m",
                     "d_MailInpFlow": None})

    jane.refresh_from_db()
    assert jane.settings == {"MaxAccountSize": "250M", "MailInpFlow": ["20", "5m"]}
    assert _setting(postmaster, "MaxAccountSize", "250M")
    assert _setting(postmaster, "MailInpFlow", "(20,5m)")

    _post(client, **{"s_MaxAccountSize:u": "unlimited", "s_MailInpFlow:count": ""})
    jane.refresh_from_db()
    assert jane.settings == {"MaxAccountSize": "unlimited", "MailInpFlow": ["unlimited", "5m"]}


def test_counts_are_a_number_or_unlimited_and_delay_new_mail_is_no_yes_or_a_percentage(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    _level(postmaster, "Expert")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    for name in ("MaxMailboxes", "MaxSignalContacts", "CallsLimit", "MaxRosterItems", "MaxWebFiles"):
        control = page[page.index(f'name="s_{name}:u"'):]
        assert control.index('<option value="unlimited" selected>') < control.index(f'name="s_{name}:n"')
        assert f'type="number" min="0" step="1" inputmode="numeric" name="s_{name}:n"' in control
    share = page[page.index('name="s_QuotaSuspend:u"'):]
    assert '<option value="NO" selected>No</option>' in share and 'name="s_QuotaSuspend:n"' in share

    _post(client, **{"s_MaxMailboxes:u": "#", "s_MaxMailboxes:n": "40", "d_MaxMailboxes": None,
                     "s_CallsLimit:u": "#", "s_CallsLimit:n": "3", "d_CallsLimit": None,
                     "s_QuotaSuspend:u": "%", "s_QuotaSuspend:n": "95", "d_QuotaSuspend": None})
    jane.refresh_from_db()
    assert jane.settings == {"MaxMailboxes": "40", "CallsLimit": "3", "QuotaSuspend": "95%"}
    assert _setting(postmaster, "MaxMailboxes", "40") and _setting(postmaster, "QuotaSuspend", "\"95%\"")

    # Expert's data-format text still wins when typed over; the choices give back their words.
    _post(client, **{"s_MaxMailboxes": "#12", "s_CallsLimit:u": "unlimited", "s_QuotaSuspend:u": "YES"})
    jane.refresh_from_db()
    assert jane.settings == {"MaxMailboxes": 12, "CallsLimit": "unlimited", "QuotaSuspend": "YES"}
    page = main_of(client.get(URL))
    assert 'name="s_MaxMailboxes:n" id="id_s_MaxMailboxes_p" value="12"' in page

    response = client.post(URL, form_with(page, "update", **{"s_MaxMailboxes": "lots"}))
    assert response.status_code == 400 and "is not a count" in main_of(response)


def test_quota_notice_and_alert_are_a_percentage_of_the_quota(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    _level(postmaster, "Expert")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    for name, default in (("QuotaNotice", "90"), ("QuotaAlert", "95")):
        assert (f'<input type="number" min="0" max="100" step="1" inputmode="numeric" name="s_{name}:n" '
                f'id="id_s_{name}_n" value="{default}"') in page

    _post(client, **{"s_QuotaNotice:n": "80", "d_QuotaNotice": None})
    jane.refresh_from_db()
    assert jane.settings == {"QuotaNotice": "80%"}
    assert _setting(postmaster, "QuotaNotice", "\"80%\"")

    page = main_of(client.get(URL))
    response = client.post(URL, form_with(page, "update", **{"s_QuotaAlert:n": "150", "d_QuotaAlert": None}))
    assert response.status_code == 400 and "is not a percentage from 0 to 100" in main_of(response)
    jane.refresh_from_db()
    assert jane.settings == {"QuotaNotice": "80%"}


def test_controls_left_alone_write_nothing_even_where_they_would_spell_it_otherwise(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    account_update_settings(actor=None, account=jane, updates={
        "MaxAccountSize": 1048576, "MailOutFlow": ["-1", "3600"], "AccessModes": ["Mail", "IMAP"]})
    _level(postmaster, "Advanced")
    before = loads(cli_http(postmaster, "GetAccountSettings jane@client1.test")[4:])

    _post(as_basic(postmaster), s_RealName="Jane")  # the page as shown, one text changed

    jane.refresh_from_db()
    assert jane.settings["MaxAccountSize"] == 1048576 and jane.settings["MailOutFlow"] == ["-1", "3600"]
    assert loads(cli_http(postmaster, "GetAccountSettings jane@client1.test")[4:]) == {**before, "RealName": "Jane"}


def test_dictionaries_are_a_key_value_editor(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    _level(postmaster, "Expert")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    assert 'aria-label="PSTN settings: key 1"' in page

    _post(client, **{"s_PSTNSettings:k0": "Gateway", "s_PSTNSettings:v0": "sip.example.test",
                     "s_PSTNSettings:k1": "Lines", "s_PSTNSettings:v1": "(1, 2)", "d_PSTNSettings": None})

    jane.refresh_from_db()
    assert jane.settings["PSTNSettings"] == {"Gateway": "sip.example.test", "Lines": ["1", "2"]}
    assert _setting(postmaster, "PSTNSettings", '{Gateway="sip.example.test";Lines=(1,2);}')
    page = main_of(client.get(URL))
    assert 'name="s_PSTNSettings:k0" value="Gateway"' in page and 'name="s_PSTNSettings:v1" value="(1,2)"' in page


def test_expert_pages_show_the_data_format_text_and_it_wins_when_typed_over(postmaster, client1, as_basic):
    jane = make_account(client1, "jane")
    _level(postmaster, "Expert")
    client = as_basic(postmaster)
    page = main_of(client.get(URL))
    assert 'name="s_MaxAccountSize" id="id_s_MaxAccountSize" value="unlimited"' in page

    _post(client, s_MaxAccountSize="#4096", d_MaxAccountSize=None)

    jane.refresh_from_db()
    assert jane.settings["MaxAccountSize"] == 4096  # a number, as the data format says
    assert _setting(postmaster, "MaxAccountSize", "#4096")


def test_yes_no_follows_the_language(postmaster, client1, as_basic):
    make_account(client1, "jane")
    account_update_prefs(actor=None, account=postmaster, updates={"Language": "German"})
    page = main_of(as_basic(postmaster).get(URL))
    row = page[page.index('data-setting="PWDAllowed"'):]
    assert '<option value="YES" selected>Ja</option>' in row and '<option value="NO">Nein</option>' in row


def test_a_script_posting_data_format_text_still_works_and_unposted_controls_keep_their_value(
        postmaster, client1, as_basic):
    jane = make_account(client1, "jane", AccessModes=["Mail"])
    response = as_basic(postmaster).post(URL, {"action": "update", "s_MaxAccountSize": "10M"})

    assert response.status_code == 302
    jane.refresh_from_db()
    assert jane.settings == {"AccessModes": ["Mail"], "MaxAccountSize": "10M"}


def test_a_control_changed_over_someone_elses_change_is_refused(postmaster, client1, as_basic):
    """The concurrent-edit digest holds for controls: the page's value was changed meanwhile, so the
    control's new value is not written over it; settings left alone are not written back."""
    jane = make_account(client1, "jane")
    client = as_basic(postmaster)
    page = client.get(URL).content.decode()
    account_update_settings(actor=None, account=jane, updates={"MaxAccountSize": "1G", "AccessModes": ["Mail"]})

    response = client.post(URL, form_with(page, "update", **{
        "s_MaxAccountSize:n": "5", "s_MaxAccountSize:u": "M", "d_MaxAccountSize": None}))

    assert response.status_code == 400
    assert "MaxAccountSize was changed by someone else" in main_of(response)
    jane.refresh_from_db()
    assert jane.settings == {"MaxAccountSize": "1G", "AccessModes": ["Mail"]}  # All (as shown) not written back
