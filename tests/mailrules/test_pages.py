"""The Rules pages as an administrator uses them: rows in, CommuniGate's rule form stored; the
Expert text; what is refused stays as it was and is said above the rules."""

from __future__ import annotations

import pytest

from accounts.models import Account
from accounts.services import account_update_webadmin_prefs
from domains.models import Domain
from mailrules.services import server_rules
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/Master/Users/Domains/client1.test/Accounts/jane/Rules"


@pytest.fixture
def jane(client1):
    return factories.make_account(client1, "jane")


def test_rows_become_a_rule_and_a_removed_rule_goes(as_basic, postmaster, jane):
    client = as_basic(postmaster)
    response = client.post(URL, {
        "rule-0-name": "Away", "rule-0-priority": "3",
        "rule-0-cond-0-field": "Human Generated", "rule-0-cond-0-op": "is", "rule-0-cond-0-param": "",
        "rule-0-cond-1-field": "Message Size", "rule-0-cond-1-op": "less than", "rule-0-cond-1-param": "1M",
        "rule-0-cond-2-field": "", "rule-0-cond-2-op": "is", "rule-0-cond-2-param": "",
        "rule-0-act-0-name": "Reply with", "rule-0-act-0-param": "Back on Monday.",
        "rule-0-act-1-name": "", "rule-0-act-1-param": "",
        "rule-1-name": "", "rule-1-priority": "5",
    })
    assert response.status_code == 302
    assert Account.objects.get(pk=jane.pk).settings["Rules"] == [
        ["3", "Away", [["Human Generated", "---"], ["Message Size", "less than", "1M"]],
         [["Reply with", "Back on Monday."]]]]
    page = client.get(URL).content.decode()
    assert 'value="Away"' in page and "Back on Monday." in page

    assert client.post(URL, {"rule-0-name": "Away", "rule-0-priority": "3", "rule-0-delete": "on"}).status_code == 302
    assert "Rules" not in Account.objects.get(pk=jane.pk).settings


def test_a_bad_row_is_refused_with_what_is_wrong(as_basic, postmaster, jane):
    response = as_basic(postmaster).post(URL, {
        "rule-0-name": "Big", "rule-0-priority": "5",
        "rule-0-cond-0-field": "Message Size", "rule-0-cond-0-op": "greater than", "rule-0-cond-0-param": "huge",
        "rule-0-act-0-name": "Discard", "rule-0-act-0-param": ""})
    assert response.status_code == 400
    assert "the Message Size must be a size such as 100K" in response.content.decode()
    assert "Rules" not in Account.objects.get(pk=jane.pk).settings


def test_the_expert_text_is_offered_and_taken_at_the_expert_level_only(as_basic, postmaster, client1):
    client = as_basic(postmaster)
    domain_url = "/Master/Users/Domains/client1.test/Rules"
    assert "data-format text" not in client.get(domain_url).content.decode()
    account_update_webadmin_prefs(actor=None, account=postmaster, updates={"InterfaceType": "Expert"})
    assert "data-format text" in client.get(domain_url).content.decode()

    response = client.post(domain_url, {"use_expert": "on",
                                        "expert": '((5, "Virus", ((Subject, is, "*virus*")), (("Discard"))))'})

    assert response.status_code == 302
    assert Domain.objects.get(pk=client1.pk).settings["Rules"] == [
        ["5", "Virus", [["Subject", "is", "*virus*"]], [["Discard"]]]]


def test_server_rules_page(as_basic, postmaster):
    response = as_basic(postmaster).post("/Master/Settings/Rules", {
        "rule-0-name": "Copy", "rule-0-priority": "9", "rule-0-act-0-name": "Mirror to",
        "rule-0-act-0-param": "archive@mail.example.test"})
    assert response.status_code == 302
    assert server_rules() == [["9", "Copy", [], [["Mirror to", "archive@mail.example.test"]]]]
