"""mailrules.services called directly, as the personas of tests/conftest.py: rules are checked and
stored where CommuniGate keeps them, RulesAllowed limits an account's actions, and every change is
audited and marked for the exporter (tests/service_checks.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Account
from basedir.outbox import ACCOUNT, DOMAIN, SERVER
from cgadmin.dataformat import loads
from cgadmin.errors import InvalidInput
from domains.models import Domain
from logs.events import Event
from mailrules import services as S
from mailrules.models import RepliedAddress
from server import documents
from tests import factories
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db

JUNK = loads('(5, "Junk", ((Subject, is, "*[SPAM]*")), (("Store in", Junk), ("Stop Processing")))')
AWAY = loads('(3, "Away", ((From, "not in", "*@client1.test")), (("Reply with", "I am away")))')
REDIRECT = loads('(2, "Boss", ((From, is, "boss@*")), (("Redirect to", "me@remote.example")))')


def test_account_rules_set(personas):
    user = personas.plain_user
    for actor in (personas.domain_admin_with_right, personas.other_domain_admin, personas.domains_read,
                  personas.settings_admin):
        call_refused(S.account_rules_set, actor=actor, account=user, rules=[JUNK])

    call = call_allowed(S.account_rules_set, actor=user, account=user, rules=[JUNK, AWAY])

    stored = Account.objects.get(pk=user.pk).settings["Rules"]
    assert [rule[1] for rule in stored] == ["Junk", "Away"]
    assert stored[0] == ["5", "Junk", [["Subject", "is", "*[SPAM]*"]], [["Store in", "Junk"], ["Stop Processing"]]]
    call.audited(Event.ACCOUNT_RULES, actor=user, object_name="user@client1.test", before={"Rules": []})
    call.marked((ACCOUNT, user.pk))


def test_account_rules_set_by_a_domain_administrator_with_rules_allowed(personas):
    admin = factories.make_domain_admin(personas.client1, "rulesadmin", "RulesAllowed")
    user = personas.plain_user

    call = call_allowed(S.account_rules_set, actor=admin, account=user, rules=[REDIRECT])

    assert S.stored_rules(Account.objects.get(pk=user.pk).settings)[0][1] == "Boss"
    call.audited(Event.ACCOUNT_RULES, actor=admin, after={"Rules": [S.stored_rules(user.settings)[0]]})
    call.marked((ACCOUNT, user.pk))


def test_empty_rules_remove_the_key(personas):
    user = personas.plain_user
    S.account_rules_set(actor=None, account=user, rules=[JUNK])

    call = call_allowed(S.account_rules_set, actor=None, account=user, rules=[])

    assert "Rules" not in Account.objects.get(pk=user.pk).settings
    call.audited(Event.ACCOUNT_RULES, actor=None, after={"Rules": []})
    call.marked((ACCOUNT, user.pk))


@pytest.mark.parametrize(("allowed", "rules", "refused"), [
    ("None", [JUNK], "rules"),
    ("Filter Only", [AWAY], "Reply with"),
    ("No Redirect", [REDIRECT], "Redirect to"),
])
def test_rules_allowed_limits_the_actions(personas, allowed, rules, refused):
    user = factories.make_account(personas.client1, "limited", RulesAllowed=allowed)

    error = call_refused(S.account_rules_set, actor=user, account=user, rules=rules)
    assert refused in error.message and allowed in error.message
    error = call_refused(S.account_rules_set, actor=None, account=user, rules=rules)


def test_rules_allowed_lets_what_it_names(personas):
    user = factories.make_account(personas.client1, "filters", RulesAllowed="Filter Only")

    call = call_allowed(S.account_rules_set, actor=user, account=user, rules=[JUNK])

    assert S.stored_rules(Account.objects.get(pk=user.pk).settings)[0][1] == "Junk"
    call.audited(Event.ACCOUNT_RULES, actor=user)
    call.marked((ACCOUNT, user.pk))


@pytest.mark.parametrize(("rules", "message"), [
    ("(5, Junk)", "must be an array (priority, name, conditions, actions"),
    ('((12, "Junk", (), ()))', "priority must be a number from 0 (inactive) to 9"),
    ('((5, "Junk", ((Color, is, red)), ()))', "unknown condition 'Color'"),
    ('((5, "Junk", ((Subject, "greater than", x)), ()))', "Subject takes the operation"),
    ('((5, "Junk", (("Message Size", "greater than", lots)), ()))', "Message Size must be a size"),
    ('((5, "Junk", (("Header Field", is, "no colon")), ()))', "Header Field parameter is 'Field-Name: picture'"),
    ('((5, "Junk", (), (("Explode"))))', "unknown action 'Explode'"),
    ('((5, "Junk", (), (("Store in"))))', "Store in needs a parameter"),
    ('((5, "Junk", (), ()), (4, "junk", (), ()))', "two rules are named 'junk'"),
])
def test_bad_rules_are_refused_with_what_is_wrong(personas, rules, message):
    error = call_refused(S.account_rules_set, error=InvalidInput, actor=None, account=personas.plain_user,
                         rules=loads(rules))
    assert message in error.message


def test_account_rule_update(personas):
    user = personas.plain_user
    S.account_rules_set(actor=None, account=user, rules=[JUNK, AWAY])
    call_refused(S.account_rule_update, actor=personas.domain_admin_with_right, account=user, change="Junk")
    call_refused(S.account_rule_update, error=InvalidInput, actor=user, account=user, change=["7", "Missing"])

    priority = call_allowed(S.account_rule_update, actor=user, account=user, change=["8", "Away"])
    replaced = call_allowed(S.account_rule_update, actor=user, account=user,
                            change=loads('(1, "Junk", (), (("Discard")))'))
    removed = call_allowed(S.account_rule_update, actor=user, account=user, change="Away")
    quiet = call_allowed(S.account_rule_update, actor=user, account=user, change="Never There")

    assert S.stored_rules(Account.objects.get(pk=user.pk).settings) == [["1", "Junk", [], [["Discard"]]]]
    assert priority.result[1][0] == "8"
    priority.audited(Event.ACCOUNT_RULES, actor=user)
    replaced.audited(Event.ACCOUNT_RULES, actor=user)
    removed.audited(Event.ACCOUNT_RULES, actor=user)
    quiet.audits_nothing("removing a rule that is not there changes nothing")
    for call in (priority, replaced, removed):
        call.marked((ACCOUNT, user.pk))
    quiet.marks_nothing("nothing changed")


def test_signal_rules_are_kept_apart(personas):
    user = personas.plain_user
    S.account_rules_set(actor=None, account=user, rules=[JUNK])
    call_refused(S.account_rules_set, actor=personas.domain_admin_with_right, account=user,
                 rules=loads('((5, "Calls", (), (("Reject"))))'), kind="signal")

    call = call_allowed(S.account_rules_set, actor=user, account=user, rules=loads('((5, "Calls", (), (("Reject"))))'),
                        kind="signal")

    settings = Account.objects.get(pk=user.pk).settings
    assert settings["SignalRules"] == [["5", "Calls", [], [["Reject"]]]] and settings["Rules"][0][1] == "Junk"
    call.audited(Event.ACCOUNT_RULES, actor=user, after={"SignalRules": settings["SignalRules"]})
    call.marked((ACCOUNT, user.pk))


def test_domain_rules_set(personas):
    client1 = personas.client1
    for actor in (personas.domain_admin_with_right, personas.plain_user, personas.domains_read,
                  personas.other_domain_admin):
        call_refused(S.domain_rules_set, actor=actor, domain=client1, rules=[JUNK])
    admin = factories.make_domain_admin(client1, "rulesadmin", "RulesAllowed")

    call = call_allowed(S.domain_rules_set, actor=admin, domain=client1, rules=[JUNK])

    assert Domain.objects.get(pk=client1.pk).settings["Rules"][0][1] == "Junk"
    call.audited(Event.DOMAIN_RULES, actor=admin, object_name="client1.test", before={"Rules": []})
    call.marked((DOMAIN, client1.pk))


def test_server_rules_set(personas):
    for actor in (personas.all_domains, personas.domain_admin_with_right, personas.monitor):
        call_refused(S.server_rules_set, actor=actor, rules=[JUNK])

    call = call_allowed(S.server_rules_set, actor=personas.settings_admin, rules=[REDIRECT])
    signal = call_allowed(S.server_rules_set, actor=personas.postmaster, rules=[], kind="signal")

    assert documents.read("Rules") == {"Rules": [S.server_rules()[0]]} and S.server_rules()[0][1] == "Boss"
    call.audited(Event.SERVER_RULES, actor=personas.settings_admin, object_name="Rules", before={"Rules": []})
    call.marked((SERVER, "Rules"))
    signal.audits_nothing("no signal rules before, none after")
    signal.marks_nothing("nothing changed")


def test_account_subset_remove(personas):
    user = personas.plain_user
    other = personas.other_domain_admin
    RepliedAddress.objects.create(account=user, address="friend@remote.example", replied_at=timezone.now())
    RepliedAddress.objects.create(account=other, address="friend@remote.example", replied_at=timezone.now())
    call_refused(S.account_subset_remove, actor=personas.domain_admin_without_right, account=user,
                 subset="RepliedAddresses")
    call_refused(S.account_subset_remove, error=InvalidInput, actor=user, account=user, subset="Elsewhere")

    call = call_allowed(S.account_subset_remove, actor=user, account=user, subset="repliedaddresses")

    assert call.result == 1
    assert list(RepliedAddress.objects.values_list("account_id", flat=True)) == [other.pk]
    call.audited(Event.ACCOUNT_SUBSET_REMOVE, actor=user, before={"Subset": "RepliedAddresses", "Entries": "1"})
    call.marks_nothing("data sets are not part of the base directory")


def test_every_public_service_of_mailrules_is_tested():
    helpers = {"stored_rules": "reads the rules kept in a settings dictionary",
               "server_rules": "reads the server-wide rules"}
    assert untested_services(S, __file__, not_services=helpers) == []
