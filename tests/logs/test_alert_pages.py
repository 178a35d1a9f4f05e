"""Domain and account alerts posted and removed from the WebAdmin, as PostDomainAlert and
PostAccountAlert do over the CLI."""

import pytest

from logs.alerts import ACCOUNT, DOMAIN, alerts_read
from tests.factories import make_account, make_domain_admin

pytestmark = pytest.mark.django_db
DOMAIN_ALERTS = "/Master/Users/Domains/client1.test/Alerts"
ACCOUNT_ALERTS = "/Domain/Domains/client1.test/Accounts/jane/Alerts"  # the Domain WebAdmin


def test_a_domain_alert_is_posted_shown_and_removed_from_its_page(postmaster, client1, as_basic):
    client = as_basic(postmaster)
    posted = client.post(DOMAIN_ALERTS, {"action": "post", "text": "Maintenance at noon"})
    stamp, text = next(iter(alerts_read(postmaster, DOMAIN, "client1.test").items()))
    page = client.get(DOMAIN_ALERTS).content.decode()
    asked = client.post(DOMAIN_ALERTS, {"action": "remove", "stamp": stamp})
    unticked = client.post(DOMAIN_ALERTS, {"action": "remove", "stamp": stamp, "confirming": "1"})
    still = alerts_read(postmaster, DOMAIN, "client1.test")
    client.post(DOMAIN_ALERTS, {"action": "remove", "stamp": stamp, "confirming": "1", "confirm": "on"})

    assert posted.status_code == 302 and text == "Maintenance at noon"
    assert "Maintenance at noon" in page and "<h1>Alerts of client1.test</h1>" in page
    assert '<th><span class="visually-hidden">Actions</span></th>' in page
    assert f'aria-label="Remove the alert posted {stamp}"' in page
    assert asked.status_code == 200 and f"Yes, remove the alert posted {stamp}" in asked.content.decode()
    assert "Maintenance at noon" in asked.content.decode()
    assert unticked.status_code == 400 and 'role="alert"' in unticked.content.decode()
    assert "nothing was changed" in unticked.content.decode() and still == {stamp: text}
    assert alerts_read(postmaster, DOMAIN, "client1.test") == {}


def test_a_server_alert_is_removed_only_when_confirmed(postmaster, as_basic):
    from logs.alerts import SERVER
    from logs.services import alert_post

    stamp = alert_post(actor=None, scope=SERVER, text="Upgrade tonight")
    client = as_basic(postmaster)
    asked = client.post("/Master/Monitors/Notifications", {"action": "remove", "stamp": stamp})
    assert asked.status_code == 200 and "Upgrade tonight" in asked.content.decode()
    assert alerts_read(postmaster, SERVER) == {stamp: "Upgrade tonight"}
    client.post("/Master/Monitors/Notifications", {"action": "remove", "stamp": stamp, "confirm": "on"})
    assert alerts_read(postmaster, SERVER) == {}


def test_an_account_alert_needs_can_post_alerts_and_a_reader_sees_it_without_the_form(postmaster, client1, as_basic):
    make_account(client1, "jane")
    poster = make_domain_admin(client1, "poster", "CanPostAlerts")
    reader = make_domain_admin(client1, "reader", "BasicSettings")

    as_basic(poster).post(ACCOUNT_ALERTS, {"action": "post", "text": "Your quota was raised"})
    refused = as_basic(reader).post(ACCOUNT_ALERTS, {"action": "post", "text": "not from me"})
    seen = as_basic(reader).get(ACCOUNT_ALERTS).content.decode()

    assert list(alerts_read(postmaster, ACCOUNT, "jane@client1.test").values()) == ["Your quota was raised"]
    assert refused.status_code in (302, 403) and "not from me" not in seen
    assert "Your quota was raised" in seen and 'name="text"' not in seen
