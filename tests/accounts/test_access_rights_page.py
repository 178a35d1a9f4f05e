"""An account's Access Rights page: every Domain Administrator right of the seed's table, grouped,
with its description; only AllDomains or Master may change them."""

import pytest

from accounts.models import Account
from logs.models import AuditEntry
from realms import rights as R
from tests.factories import make_account
from tests.webforms import main_of

pytestmark = pytest.mark.django_db


def page_url(name: str = "user", domain: str = "client1.test", scheme: str = "/Master/Users") -> str:
    return f"{scheme}/Domains/{domain}/Accounts/{name}/AccessRights"


def _rights(account: Account) -> list[str]:
    account.refresh_from_db()
    return account.rights


def test_the_page_lists_every_domain_administrator_right_grouped_with_its_description(personas, as_basic):
    page = main_of(as_basic(personas.postmaster).get(page_url()))

    positions = [page.index(f"<legend>{title}</legend>") for title, _ in R.DOMAIN_ADMIN_RIGHT_GROUPS]
    assert positions == sorted(positions)
    for _title, group in R.DOMAIN_ADMIN_RIGHT_GROUPS:
        for name, text in group.items():
            assert f'data-right="{name}"' in page, name
            assert text.replace("&", "&amp;") in page, name
    assert "CanAdminSubDomains" in page and "Administer other Domains" in page


def test_the_account_settings_page_links_to_it(personas, as_basic):
    page = main_of(as_basic(personas.postmaster).get("/Master/Users/Domains/client1.test/Accounts/user"))

    assert f'href="{page_url()}"' in page


@pytest.mark.parametrize("persona", ["postmaster", "all_domains"])
def test_all_domains_or_master_grants_and_revokes(personas, as_basic, persona):
    from tests.helpers import set_separate_realms

    set_separate_realms(persona != "postmaster")
    scheme = "/Master/Users" if persona == "postmaster" else "/Users"
    client = as_basic(getattr(personas, persona))
    assert client.get(page_url(scheme=scheme)).status_code == 200
    form = {"administrator": "on", "rights": ["CanCreateAccounts", "MailToUnknown"]}

    assert client.post(page_url(scheme=scheme), form).status_code == 302
    assert _rights(personas.plain_user) == ["Domain", "CanCreateAccounts", "MailToUnknown"]
    entry = AuditEntry.objects.get(event="account.rights")
    assert entry.before == "()" and entry.after == "(Domain,CanCreateAccounts,MailToUnknown)"
    assert entry.actor_name == getattr(personas, persona).address

    assert client.post(page_url(scheme=scheme), {"rights": ["CanCreateAccounts"]}).status_code == 302
    assert _rights(personas.plain_user) == []


def test_the_new_domain_administrator_can_then_use_its_right(personas, as_basic):
    client = as_basic(personas.postmaster)
    client.post(page_url(), {"administrator": "on", "rights": ["CanCreateAccounts"]})
    new_admin = Account.objects.get(pk=personas.plain_user.pk)

    created = as_basic(new_admin).post("/Domain/Domains/client1.test/Accounts",
                                       {"name": "fresh", "kind": "MultiMailbox"})

    assert created.status_code == 302 and Account.objects.filter(name="fresh").exists()


@pytest.mark.parametrize("persona", ["domains_read", "domain_admin_with_right"])
def test_readers_see_the_rights_read_only_and_cannot_change_them(personas, as_basic, persona):
    from tests.helpers import set_separate_realms

    set_separate_realms(True)
    scheme = "/Users" if persona == "domains_read" else "/Domain"
    client = as_basic(getattr(personas, persona))
    url = page_url(name="weakadmin", scheme=scheme)

    page = main_of(client.get(url))
    assert "Read-only" in page and 'value="CanCreateAccounts" disabled' in page and ">Update<" not in page

    refused = client.post(url, {"administrator": "on", "rights": ["CanCreateAccounts", "CanAdminSubDomains"]})
    assert refused.status_code == 403 and "AllDomains" in main_of(refused)
    assert _rights(personas.domain_admin_without_right) == ["Domain"]
    assert not AuditEntry.objects.filter(event="account.rights").exists()


def test_a_domain_administrator_cannot_see_rights_outside_its_domains(personas, as_basic):
    response = as_basic(personas.other_domain_admin).get(page_url())

    assert response.status_code == 403
    assert _rights(personas.plain_user) == []


def test_unknown_rights_are_refused(personas, as_basic):
    refused = as_basic(personas.postmaster).post(page_url(), {"administrator": "on", "rights": ["Bogus"]})

    assert refused.status_code == 400
    assert _rights(personas.plain_user) == []


def test_server_rights_of_a_main_domain_account_show_with_a_link_to_the_master_realm(postmaster, as_basic):
    make_account(None, "watcher", rights=["Monitor"])

    page = main_of(as_basic(postmaster).get(page_url("watcher", postmaster.domain.name)))

    assert "<code>Monitor</code>" in page and 'href="/Master/Master/Rights"' in page


def test_the_footer_names_the_administrator_viewing_the_page_not_the_accounts_state(personas, as_basic):
    page = as_basic(personas.postmaster).get(page_url("weakadmin")).content.decode()
    footer = page[page.index('<footer class="bottom">'):]

    assert "postmaster@mail.example.test" in footer and "True" not in footer
    assert 'name="administrator" value="on" checked' in page  # weakadmin is a Domain Administrator
    assert "Log out" in footer and "Preferences" in footer
