"""Who may change a server administrator's account, and the last Master (issue 16, item 2).

An account holding rights is changed (password, services, sessions, rights, aliases, name, second
factor, removal) only by an actor holding every right it holds: a Master account by Master only.
Nothing deletes or disables the last account with the Master right that can log in. Each rule is
tried on the WebAdmin page, the CLI (POST /CLI/) and `manage.py cli`."""

import pytest

from accounts.models import Account
from accounts.services import account_update_settings
from cgadmin.errors import AccessDenied
from realms.auth import may_log_in as account_may_log_in
from realms.models import SecondFactor
from realms.second_factor import second_factor_begin, second_factor_remove
from tests.faces import cli_http, manage_cli
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db

PM_PAGE = "/Domain/Domains/mail.example.test/Accounts/postmaster"
TAKE_OVER = [
    'SetAccountPassword postmaster PASSWORD "stolen-secret"',
    "UpdateAccountSettings postmaster {AccessModes=None;}",
    "KillAccountSessions postmaster",
    "DeleteAccount postmaster",
    "RenameAccount postmaster INTO victim",
    "SetAccountAliases postmaster (pm2)",
    'SetAccountRights postmaster ("Master","Domain","BasicSettings")',
    'VerifyAccountPassword postmaster PASSWORD "guess"',
]


@pytest.fixture
def all_domains(postmaster):
    return make_account(None, "alldomains", rights=["AllDomains"])


def _unchanged(postmaster) -> None:
    fresh = Account.objects.get(pk=postmaster.pk)
    assert fresh.name == "postmaster" and fresh.password == postmaster.password
    assert fresh.settings == postmaster.settings and fresh.rights == ["Master"]
    assert fresh.sessions_valid_after is None and not fresh.aliases.exists()


@pytest.mark.parametrize("line", TAKE_OVER)
def test_alldomains_cannot_take_over_a_master_account_through_the_cli(line, all_domains, postmaster):
    answer = cli_http(all_domains, line)

    assert answer == "510 not enough access rights", answer
    _unchanged(postmaster)


@pytest.mark.parametrize(("action", "fields"), [
    ("password", {"password": "stolen-secret", "confirm": "stolen-secret"}),
    ("update", {"s_AccessModes": "None"}),
    ("aliases", {"aliases": "pm2"}),
    ("rename", {"new_name": "victim"}),
    ("remove", {"confirm": "on"}),
])
def test_alldomains_cannot_take_over_a_master_account_on_the_page(action, fields, all_domains, postmaster, as_basic):
    client = as_basic(all_domains)
    page = client.get(PM_PAGE)
    assert page.status_code == 200
    assert 'name="password"' not in page.content.decode()  # the forms it may not use are not offered

    response = client.post(PM_PAGE, {"action": action, **fields})

    assert response.status_code == 403 and "Master is needed" in response.content.decode()
    _unchanged(postmaster)


def test_alldomains_cannot_reset_a_master_accounts_second_factor_or_grant_it_rights(all_domains, postmaster, as_basic):
    second_factor_begin(actor=postmaster, account=postmaster)
    rights_page = f"{PM_PAGE}/AccessRights"

    response = as_basic(all_domains).post(rights_page, {"administrator": "on", "rights": ["BasicSettings"]})

    assert response.status_code == 403
    _unchanged(postmaster)
    with pytest.raises(AccessDenied):  # the "lost phone" reset has no page or verb of its own yet
        second_factor_remove(actor=all_domains, account=postmaster)
    assert SecondFactor.objects.filter(account=postmaster).exists()


def test_an_administrator_changes_only_accounts_whose_every_right_it_holds(all_domains, postmaster):
    monitor = make_account(None, "watcher", rights=["Monitor"])
    reader = make_account(None, "reader", rights=["DomainsRead"])
    both = make_account(None, "both", rights=["AllDomains", "Monitor"])

    assert cli_http(all_domains, 'SetAccountPassword watcher PASSWORD "new-secret"').startswith("510 ")
    assert cli_http(all_domains, 'SetAccountPassword reader PASSWORD "new-secret"') == "200 OK"  # implied
    assert cli_http(both, 'SetAccountPassword watcher PASSWORD "new-secret"') == "200 OK"
    assert cli_http(both, "KillAccountSessions alldomains") == "200 OK"
    assert cli_http(postmaster, "UpdateAccountSettings both {RealName=\"Both\";}") == "200 OK"  # Master: any
    monitor.refresh_from_db()
    reader.refresh_from_db()
    assert monitor.check_password("new-secret") and reader.check_password("new-secret")


def test_a_domain_administrator_cannot_take_over_a_fellow_with_more_rights(client1):
    basic = make_account(client1, "basic", rights=["Domain", "BasicSettings", "CanCreateAccounts"])
    wider = make_account(client1, "wider", rights=["Domain", "CanAdminSubDomains", "CanCreateAccounts"])
    plain = make_account(client1, "plain")

    assert cli_http(basic, 'SetAccountPassword wider@client1.test PASSWORD "stolen-one"').startswith("510 ")
    assert cli_http(basic, 'SetAccountPassword plain@client1.test PASSWORD "fine-one"') == "200 OK"
    wider.refresh_from_db()
    plain.refresh_from_db()
    assert wider.check_password(PASSWORD) and plain.check_password("fine-one")


# --- the last Master ------------------------------------------------------------------------------


LOCK_OUT = [
    "DeleteAccount postmaster",
    "UpdateAccountSettings postmaster {AccessModes=None;}",
    "SetAccountRights postmaster ()",
    "SuspendDomain mail.example.test",
    "UpdateServerAccountDefaults {AccessModes=None;}",
    "UpdateAccountDefaults mail.example.test {AccessModes=None;}",
    "UpdateAccountTemplate mail.example.test {AccessModes=None;}",
]


@pytest.mark.parametrize("line", LOCK_OUT)
def test_nothing_deletes_or_disables_the_last_master_from_the_shell(line, postmaster):
    answer = manage_cli(line)

    assert answer.startswith("501 the last account with the Master right that can log in"), answer
    fresh = Account.objects.select_related("domain").get(pk=postmaster.pk)
    assert fresh.rights == ["Master"] and account_may_log_in(fresh)


@pytest.mark.parametrize("line", LOCK_OUT[1:3])
def test_a_master_cannot_disable_itself_when_it_is_the_last_one_that_can_log_in(line, postmaster):
    other = make_account(None, "second", rights=["Master"])
    account_update_settings(actor=None, account=other, updates={"AccessModes": "None"})  # one disabled Master

    answer = cli_http(postmaster, line)

    assert answer.startswith("501 the last account with the Master right that can log in"), answer
    assert account_may_log_in(Account.objects.select_related("domain").get(pk=postmaster.pk))


def test_the_page_refuses_to_disable_the_last_master(postmaster, as_basic):
    client = as_basic(postmaster)
    url = "/Master/Users/Domains/mail.example.test/Accounts/postmaster"

    response = client.post(url, {"action": "update", "s_AccessModes": "None"})

    assert response.status_code == 400 and "the last account with the Master right" in response.content.decode()
    assert account_may_log_in(Account.objects.select_related("domain").get(pk=postmaster.pk))


def test_with_another_master_able_to_log_in_a_master_account_is_disabled_and_removed(postmaster):
    make_account(None, "second", rights=["Master"])

    assert manage_cli("UpdateAccountSettings postmaster {AccessModes=None;}") == "200 OK"
    assert manage_cli("DeleteAccount postmaster") == "200 OK"
    assert manage_cli("DeleteAccount second").startswith("501 the last account with the Master right")
