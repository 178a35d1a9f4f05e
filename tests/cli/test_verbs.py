"""What the verbs of the Domains and Accounts sections answer (spec/cli.md), beyond who may run
them (the permission matrix): the data they return, the changes they make, and the codes of the
spec's Answers table (500 syntax, 512 unknown domain, 513 unknown account, 520 exists)."""

from __future__ import annotations

import pytest

from accounts.models import Account, AccountAlias
from cgadmin.dataformat import loads
from cli.dispatch import execute
from domains.models import Domain
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(postmaster):
    """Run a command line as postmaster; answer (code, data or text)."""

    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


# --- effective settings: the layers under the explicit values ------------------------------------


def test_get_account_effective_settings_shows_each_inherited_layer_and_the_explicit_value_on_top(run, client1):
    factories.make_account(client1, "u1", RealName="Ann")
    assert run("UpdateServerAccountDefaults {MaxAccountSize=100M; MaxMessageSize=10M; MailToAll=NO;}")[0] == 200
    assert run("UpdateAccountDefaults client1.test {MaxAccountSize=200M; MaxMessageSize=20M;}")[0] == 200
    assert run("UpdateAccountTemplate client1.test {MaxAccountSize=300M;}")[0] == 200

    code, explicit = run("GetAccountSettings u1@client1.test")
    code_effective, effective = run("GetAccountEffectiveSettings u1@client1.test")

    assert code == code_effective == 201
    assert "MaxAccountSize" not in explicit and explicit["RealName"] == "Ann"
    assert effective["RealName"] == "Ann"  # explicit
    assert effective["MaxAccountSize"] == "300M"  # the template over the domain and server defaults
    assert effective["MaxMessageSize"] == "20M"  # the domain's Account Defaults over the server's
    assert effective["MailToAll"] == "NO"  # the server-wide Account Defaults
    assert effective["RulesAllowed"] == "Any"  # the catalogue's default, nobody set it


def test_get_account_one_setting_reads_the_effective_value_and_null_for_an_unknown_key(run, client1):
    factories.make_account(client1, "u1")
    run("UpdateAccountDefaults client1.test {MaxMessageSize=20M;}")

    assert run("GetAccountOneSetting u1@client1.test MaxMessageSize") == (201, "20M")
    assert run("GetAccountOneSetting u1@client1.test NoSuchKey") == (201, None)


def test_get_domain_effective_settings_shows_the_domain_defaults_under_the_explicit_values(run, client1):
    run("UpdateDomainDefaults {WebBanner=\"from the defaults\"; TrailerText=\"server trailer\";}")
    run("UpdateDomainSettings client1.test {TrailerText=\"own trailer\";}")

    code, effective = run("GetDomainEffectiveSettings client1.test")

    assert code == 201
    assert effective["WebBanner"] == "from the defaults"
    assert effective["TrailerText"] == "own trailer"
    assert effective["Foldering"] == "flat"


# --- "default" removes a key ------------------------------------------------------------------------


def test_update_account_settings_with_default_removes_the_key_and_keeps_the_others(run, client1):
    factories.make_account(client1, "u1", RealName="Ann", MaxAccountSize="5M")

    assert run("UpdateAccountSettings u1@client1.test {MaxAccountSize=default; RealName=\"Bo\";}") == (200, "OK")

    explicit = run("GetAccountSettings u1@client1.test")[1]
    assert "MaxAccountSize" not in explicit and explicit["RealName"] == "Bo"
    assert run("GetAccountEffectiveSettings u1@client1.test")[1]["MaxAccountSize"] == "unlimited"


def test_update_domain_settings_with_default_removes_the_key(run, client1):
    run("UpdateDomainSettings client1.test {MailToUnknown=Discarded; WebBanner=hello;}")

    assert run("UpdateDomainSettings client1.test {MailToUnknown=default;}") == (200, "OK")

    explicit = run("GetDomainSettings client1.test")[1]
    assert "MailToUnknown" not in explicit and explicit["WebBanner"] == "hello"
    assert run("GetDomainEffectiveSettings client1.test")[1]["MailToUnknown"] == "Rejected"


def test_set_account_settings_replaces_every_explicit_setting(run, client1):
    factories.make_account(client1, "u1", RealName="Ann", MaxAccountSize="5M")

    assert run("SetAccountSettings u1@client1.test {MaxMessageSize=1M;}")[0] == 200

    explicit = run("GetAccountSettings u1@client1.test")[1]
    assert "RealName" not in explicit and "MaxAccountSize" not in explicit and explicit["MaxMessageSize"] == "1M"


# --- ListDomainObjects ------------------------------------------------------------------------------


@pytest.fixture
def objects(client1):
    for name in ("anna", "bert", "carl", "dora"):
        factories.make_account(client1, name)
    from accounts.services import account_set_aliases

    account_set_aliases(actor=None, account=Account.objects.get(domain=client1, name="anna"), aliases=["annie"])
    account_set_aliases(actor=None, account=Account.objects.get(domain=client1, name="bert"), aliases=["bertie"])
    return client1


def test_list_domain_objects_answers_the_totals_and_the_objects_by_name(run, objects):
    code, answer = run("ListDomainObjects client1.test 100")

    assert code == 201
    assert answer == ["4", {"anna": "macnt", "annie": ["anna"], "bert": "macnt", "bertie": ["bert"], "carl": "macnt",
                            "dora": "macnt"}, "2", "0"]


def test_list_domain_objects_pages_with_a_limit_and_the_cookie_it_answers(run, objects):
    first = run("ListDomainObjects client1.test 4")[1]
    assert list(first[1]) == ["anna", "annie", "bert", "bertie"] and first[4] == "bertie"

    second = run(f"ListDomainObjects client1.test 4 COOKIE {first[4]}")[1]
    assert list(second[1]) == ["carl", "dora"]
    assert len(second) == 4  # nothing follows: no cookie
    assert second[0] == "4" and second[2] == "2"  # the totals are the domain's, whatever the page


def test_list_domain_objects_filters_by_a_part_of_the_name_and_by_kind(run, objects):
    assert list(run("ListDomainObjects client1.test FILTER ert 10")[1][1]) == ["bert", "bertie"]
    assert list(run("ListDomainObjects client1.test FILTER ERT 10")[1][1]) == ["bert", "bertie"]
    assert list(run("ListDomainObjects client1.test 10 ACCOUNTS")[1][1]) == ["anna", "bert", "carl", "dora"]
    assert list(run("ListDomainObjects client1.test 10 aliases")[1][1]) == ["annie", "bertie"]
    assert run("ListDomainObjects client1.test FILTER zzz 10")[1] == ["4", {}, "2", "0"]


def test_list_domain_objects_refuses_a_bad_limit(run, objects):
    assert run("ListDomainObjects client1.test")[0] == 500
    assert run("ListDomainObjects client1.test many")[0] == 500
    assert run("ListDomainObjects client1.test -1")[0] == 500


# --- DeleteDomain ------------------------------------------------------------------------------------


def test_delete_domain_without_force_refuses_a_domain_with_accounts_and_removes_nothing(run, client1):
    factories.make_account(client1, "u1")

    code, text = run("DeleteDomain client1.test")

    assert code == 501 and "FORCE" in text
    assert Domain.objects.filter(name="client1.test").exists()
    assert Account.objects.filter(domain=client1, name="u1").exists()


def test_delete_domain_with_force_removes_it_with_its_accounts_and_aliases(run, client1):
    factories.make_account(client1, "u1")
    run("SetAccountAliases u1@client1.test (u1alias)")

    assert run("DeleteDomain client1.test force") == (200, "OK")

    assert not Domain.objects.filter(name="client1.test").exists()
    assert not Account.objects.filter(name="u1").exists() and not AccountAlias.objects.exists()
    assert run("GetDomainSettings client1.test")[0] == 512


def test_delete_domain_of_an_empty_domain_needs_no_force(run, client2):
    assert run("DeleteDomain client2.test") == (200, "OK")
    assert not Domain.objects.filter(name="client2.test").exists()


def test_the_main_domain_is_never_deleted(run, main):
    assert run(f"DeleteDomain {main.name} FORCE")[0] == 501
    assert Domain.objects.filter(pk=main.pk).exists()


# --- rights --------------------------------------------------------------------------------------------


def test_set_account_rights_replaces_all_rights_and_get_account_rights_reads_them(run, client1):
    factories.make_account(client1, "u1")

    assert run("SetAccountRights u1@client1.test (Domain, BasicSettings, CanCreateAccounts)") == (200, "OK")
    assert sorted(run("GetAccountRights u1@client1.test")[1]) == ["BasicSettings", "CanCreateAccounts", "Domain"]

    assert run("SetAccountRights u1@client1.test (Domain)") == (200, "OK")
    assert run("GetAccountRights u1@client1.test") == (201, ["Domain"])
    assert run("SetAccountRights u1@client1.test ()") == (200, "OK")
    assert run("GetAccountRights u1@client1.test") == (201, [])


def test_server_rights_go_to_main_domain_accounts_only(run, client1, main):
    factories.make_account(client1, "u1")
    factories.make_account(main, "ops")

    code, _text = run("SetAccountRights u1@client1.test (Monitor)")
    assert code != 200 and run("GetAccountRights u1@client1.test") == (201, [])

    assert run("SetAccountRights ops (Monitor, CanReleaseQueues)") == (200, "OK")
    assert sorted(run("GetAccountRights ops")[1]) == ["CanReleaseQueues", "Monitor"]


def test_set_account_rights_refuses_an_unknown_right_and_changes_nothing(run, client1):
    factories.make_account(client1, "u1", rights=["Domain"])

    code, text = run("SetAccountRights u1@client1.test (Domain, FlyToTheMoon)")

    assert code == 500 and "FlyToTheMoon" in text
    assert run("GetAccountRights u1@client1.test") == (201, ["Domain"])


def test_an_account_reads_its_own_rights_but_cannot_grant_itself_any(run, client1):
    user = factories.make_account(client1, "u1")

    assert run("GetAccountRights u1@client1.test", actor=user) == (201, [])
    assert run("SetAccountRights u1@client1.test (Domain)", actor=user)[0] == 510
    assert run("GetAccountRights u1@client1.test") == (201, [])


# --- the codes of the Answers table ---------------------------------------------------------------


def test_an_unknown_account_answers_513(run, client1):
    for line in ("GetAccountSettings ghost@client1.test", "DeleteAccount ghost@client1.test",
                 "GetAccountRights ghost@client1.test", "UpdateAccountSettings ghost@client1.test {RealName=x;}",
                 "RenameAccount ghost@client1.test INTO ghost2@client1.test", "GetAccountEffectiveSettings ghost"):
        assert run(line)[0] == 513, line


def test_an_unknown_domain_answers_512(run):
    for line in ("GetDomainSettings nowhere.test", "DeleteDomain nowhere.test FORCE", "ListAccounts nowhere.test",
                 "CreateAccount u1@nowhere.test", "GetAccountSettings u1@nowhere.test",
                 "ListDomainObjects nowhere.test 10", "RenameDomain nowhere.test INTO elsewhere.test"):
        assert run(line)[0] == 512, line


def test_renaming_an_account_into_an_unknown_domain_answers_512_or_510_to_who_may_not_see_every_domain(
        run, client1):
    factories.make_account(client1, "u1")
    admin = factories.make_domain_admin(client1, "admin", "CanCreateAccounts")

    assert run("RenameAccount u1@client1.test INTO u1@nowhere.test")[0] == 512
    assert run("RenameAccount u1@client1.test INTO u1@nowhere.test", actor=admin)[0] == 510
    assert run("GetAccountSettings u1@client1.test")[0] == 201


def test_a_name_taken_answers_520(run, client1, client2):
    factories.make_account(client1, "u1")
    factories.make_account(client1, "u2")

    assert run("CreateAccount u1@client1.test")[0] == 520
    assert run("CreateDomain client2.test")[0] == 520
    assert run("RenameDomain client1.test INTO client2.test")[0] == 520
    assert run("RenameAccount u1@client1.test INTO u2@client1.test")[0] == 520
    assert run("SetAccountAliases u1@client1.test (u2)")[0] == 520
    assert run("GetAccountSettings u1@client1.test")[0] == 201  # nothing changed


def test_syntax_errors_answer_500_naming_what_is_wrong(run, client1):
    cases = {
        "CreateDomain": "the domain is missing",
        "RenameDomain client1.test client2.test": "expected INTO",
        "UpdateAccountSettings u1@client1.test (a, b)": "must be a dictionary",
        "GetDomainSettings client1.test extra": "unexpected",
        "SetAccountRights u1@client1.test Domain": "must be an array",
        "FlyToTheMoon": "unknown command",
    }
    for line, words in cases.items():
        code, text = run(line)
        assert code == 500 and words in text, (line, text)
