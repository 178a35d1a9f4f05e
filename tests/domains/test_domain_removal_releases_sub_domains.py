"""Removing a domain: the domains it administered stop naming it, so a domain created later with
its name inherits nothing (issue 16, item 20), whichever face removes it."""

import pytest

from logs.models import AuditEntry
from tests.faces import cli_http, manage_cli
from tests.factories import administered_by, make_domain, make_domain_admin

pytestmark = pytest.mark.django_db


def _remove(face: str, postmaster, as_basic, name: str) -> None:
    if face == "page":
        response = as_basic(postmaster).post(f"/Master/Users/Domains/{name}/Settings",
                                             {"action": "remove", "confirm": "on"})
        assert response.status_code == 302
    elif face == "cli":
        assert cli_http(postmaster, f"DeleteDomain {name} FORCE") == "200 OK"
    else:
        assert manage_cli(f"DeleteDomain {name} FORCE") == "200 OK"


@pytest.mark.parametrize("face", ["page", "cli", "shell"])
def test_a_domain_created_with_a_removed_domains_name_administers_none_of_its_sub_domains(
    face, postmaster, client1, as_basic
):
    sub = administered_by(make_domain("sub.test"), client1)
    make_domain_admin(client1, "parent", "CanAdminSubDomains")

    _remove(face, postmaster, as_basic, "client1.test")

    sub.refresh_from_db()
    assert sub.administrator_domain == "" and "AdministratorDomainName" not in sub.settings
    entry = AuditEntry.objects.filter(event="domain.settings", object_name="sub.test").latest("pk")
    assert entry.before == "{AdministratorDomainName=\"client1.test\";}"
    heir = make_domain_admin(make_domain("client1.test"), "heir", "CanAdminSubDomains", "CanCreateAccounts")
    assert cli_http(heir, "ListAdminDomains") == '201 ("client1.test")'
    assert cli_http(heir, "GetDomainSettings sub.test").startswith("510 ")


def test_renaming_a_domain_still_carries_its_sub_domains_along(postmaster, client1):
    sub = administered_by(make_domain("sub.test"), client1)

    assert cli_http(postmaster, "RenameDomain client1.test INTO parent.test") == "200 OK"

    sub.refresh_from_db()
    assert sub.administrator_domain == "parent.test" and sub.settings["AdministratorDomainName"] == "parent.test"
