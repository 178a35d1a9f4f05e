"""The Master realm's Access Rights page: granting and revoking server rights, with their audit."""

import re

import pytest

from accounts.models import Account
from accounts.services import account_set_domain_admin_rights, account_set_rights, account_set_server_rights
from cgadmin import context
from cgadmin.errors import AccessDenied, GeneralError
from logs.models import AuditEntry
from realms import permissions
from tests.factories import make_account
from tests.webforms import main_of

pytestmark = pytest.mark.django_db
PAGE = "/Master/Master/Rights"
SEED_REASON = "Server Administration access rights can be granted to the Main Domain Accounts only."
SEED_REASON_TAIL = "Accounts in secondary Domains can be granted Domain Administration rights only."


def _rights(account: Account) -> list[str]:
    account.refresh_from_db()
    return account.rights


@pytest.mark.parametrize(
    "right", ["Master", "Settings", "DomainsRead", "AllDomains", "Monitor", "Directory"],
)
def test_master_grants_and_revokes_each_server_right_from_the_page(postmaster, as_basic, right):
    bob = make_account(None, "bob")
    client = as_basic(postmaster)

    granted = client.post(PAGE, {"account": "bob", "rights": [right]}, REMOTE_ADDR="198.51.100.7")
    assert granted.status_code == 302
    assert _rights(bob) == [right]
    assert permissions.has_server_right(bob, right)

    revoked = client.post(PAGE, {"account": "bob"})
    assert revoked.status_code == 302 and _rights(bob) == []
    entries = list(AuditEntry.objects.filter(event="account.rights", object_name=bob.address).order_by("pk"))
    assert [(e.before, e.after) for e in entries] == [("()", f"({right})"), (f"({right})", "()")]
    assert entries[0].actor_name == postmaster.address and entries[0].client_address == "198.51.100.7"
    assert entries[0].interface == context.WEBADMIN and entries[0].time is not None


def test_monitor_sub_rights_are_granted_with_monitor_only(postmaster, as_basic):
    bob = make_account(None, "bob")
    client = as_basic(postmaster)

    refused = client.post(PAGE, {"account": "bob", "rights": ["CanReleaseQueues"]})
    assert refused.status_code == 400 and "together with the Monitor right" in main_of(refused)
    assert _rights(bob) == []

    all_monitor = ["Monitor", "CanReleaseQueues", "CanRejectQueues", "CanTuneLoggerSettings"]
    assert client.post(PAGE, {"account": "bob", "rights": all_monitor}).status_code == 302
    assert _rights(bob) == all_monitor
    assert all(permissions.has_server_right(bob, name) for name in all_monitor)


def test_another_domains_account_is_refused_with_the_seeds_reason(postmaster, client1, as_basic):
    user = make_account(client1, "user")

    refused = as_basic(postmaster).post(PAGE, {"account": "user@client1.test", "rights": ["Settings"]})

    assert refused.status_code == 400 and SEED_REASON in main_of(refused)
    assert _rights(user) == []
    assert not AuditEntry.objects.filter(event="account.rights").exists()
    with pytest.raises(GeneralError, match="Main Domain Accounts only"):
        account_set_server_rights(actor=postmaster, account=user, rights=["Monitor"])


def test_the_page_lists_server_administrators_with_their_rights_ticked(postmaster, as_basic):
    make_account(None, "watcher", rights=["Monitor", "CanRejectQueues"])
    make_account(None, "nobody")

    page = main_of(as_basic(postmaster).get(PAGE))

    assert 'data-account="watcher"' in page and 'data-account="nobody"' not in page
    assert 'aria-label="watcher: Monitor" checked' in page and 'aria-label="watcher: CanRejectQueues" checked' in page
    assert 'aria-label="watcher: Settings" checked' not in page


def test_only_master_grants_server_rights(personas):
    target = make_account(None, "target")
    for persona in ("all_domains", "settings_admin", "domains_read", "monitor", "domain_admin_with_right"):
        with pytest.raises(AccessDenied):
            account_set_server_rights(actor=getattr(personas, persona), account=target, rights=["Settings"])
    assert _rights(target) == []


def test_the_last_master_cannot_be_revoked(postmaster):
    with pytest.raises(GeneralError, match="last account with the Master right"):
        account_set_server_rights(actor=postmaster, account=postmaster, rights=["Settings"])
    assert _rights(postmaster) == ["Master"]


def test_server_rights_and_domain_admin_rights_are_changed_independently(postmaster):
    bob = make_account(None, "bob")
    account_set_domain_admin_rights(actor=postmaster, account=bob, administrator=True, rights=["CanCreateAccounts"])
    account_set_server_rights(actor=postmaster, account=bob, rights=["Monitor"])
    assert _rights(bob) == ["Monitor", "Domain", "CanCreateAccounts"]

    account_set_domain_admin_rights(actor=postmaster, account=bob, administrator=False, rights=["CanCreateAccounts"])
    assert _rights(bob) == ["Monitor"]


def test_an_unauthorised_grant_fails_before_looking_at_the_input(personas):
    with pytest.raises(AccessDenied):
        account_set_rights(actor=personas.domain_admin_with_right, account=personas.plain_user, rights=["bogus"])


def test_the_server_administrators_are_listed_a_page_at_a_time_and_can_be_filtered(postmaster, as_basic):
    for index in range(7):
        make_account(None, f"admin{index}", rights=["Monitor"])
    make_account(None, "plain")
    make_account(None, "domainadmin", rights=["Domain", "CanCreateAccounts"])  # not a server right
    client = as_basic(postmaster)

    first = main_of(client.get(PAGE, {"limit": 3}))
    second = main_of(client.get(PAGE, {"limit": 3, "after": "admin2"}))
    filtered = main_of(client.get(PAGE, {"filter": "IN5"}))

    def listed(page: str) -> list[str]:
        return re.findall(r'<tr data-account="([^"]+)"', page)

    assert listed(first) == ["admin0", "admin1", "admin2"] and 'rel="next"' in first
    assert listed(second) == ["admin3", "admin4", "admin5"] and 'rel="prev"' in second
    assert listed(filtered) == ["admin5"]
    everyone = listed(main_of(client.get(PAGE, {"limit": 100})))
    assert everyone == [f"admin{index}" for index in range(7)] + ["postmaster"]


def test_the_cli_answers_a_server_right_for_another_domains_account_with_the_right_code(personas):
    from cli.dispatch import execute

    line = "SetAccountRights user@client1.test (Settings)"

    refused = execute(line, actor=personas.postmaster)
    assert (refused.code, refused.text) == (501, SEED_REASON + " " + SEED_REASON_TAIL)
    assert execute(line, actor=personas.all_domains).code == 510  # not a Master: refused before the input
    assert _rights(personas.plain_user) == []


def test_a_refusal_for_want_of_a_right_answers_403(postmaster, as_basic, monkeypatch):
    """The page answers a rights refusal as every page does (realms.viewtools.call_service): 403."""
    from realms import master_views

    def refuse(**kwargs):
        raise AccessDenied("not enough access rights to grant server rights")

    monkeypatch.setattr(master_views, "account_set_server_rights", refuse)
    bob = make_account(None, "bob")

    response = as_basic(postmaster).post(PAGE, {"account": "bob", "rights": ["Monitor"]})

    assert response.status_code == 403 and "not enough access rights to grant server rights" in main_of(response)
    assert _rights(bob) == []
