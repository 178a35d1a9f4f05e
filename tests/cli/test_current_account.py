"""The current-account shorthand in account and domain names: `*` is the logged-in account (where
an account is named) or its domain (where a domain is named), `name@*` an account of that domain.
It names, and never grants: the rights are those of the account it stands for."""

from __future__ import annotations

import pytest

from accounts.models import Account
from cgadmin.dataformat import loads
from cli.dispatch import execute
from tests import factories

pytestmark = pytest.mark.django_db


def answer(line: str, actor: Account | None) -> tuple[int, object]:
    result = execute(line, actor=actor)
    return result.code, (loads(result.data) if result.data is not None else result.text)


def test_a_star_is_the_logged_in_account_quoted_or_not(client1):
    user = factories.make_account(client1, "u1", RealName="Ann")

    assert answer("GetAccountSettings *", user) == (201, {"RealName": "Ann"})
    assert answer('GetAccountSettings "*"', user) == (201, {"RealName": "Ann"})
    assert answer("GetAccountRights *", user) == (201, [])
    assert answer("GetAccountLocation *", user) == answer("GetAccountLocation u1@client1.test", user)


def test_a_star_where_a_domain_is_named_is_the_logged_in_accounts_domain(client1):
    admin = factories.make_domain_admin(client1, "admin", "WebBanner", "CanCreateAccounts")

    assert answer("UpdateDomainSettings * {WebBanner=hi;}", admin) == (200, "OK")  # optional domain, then a dict
    assert answer("GetDomainSettings *", admin) == (201, {"WebBanner": "hi"})
    assert answer("ListAccounts *", admin) == answer("ListAccounts client1.test", admin)
    assert answer("ListDomainObjects * 10 ACCOUNTS", admin)[1][1] == {"admin": "macnt"}


def test_name_at_star_is_an_account_of_the_logged_in_accounts_domain(client1, postmaster):
    admin = factories.make_domain_admin(client1, "admin", "CanCreateAccounts")

    assert answer("CreateAccount new@*", admin) == (200, "OK")
    assert answer('CreateAccount "other@*"', admin) == (200, "OK")

    assert Account.objects.filter(domain=client1, name__in=["new", "other"]).count() == 2
    assert answer("GetAccountSettings new@*", postmaster)[0] == 513  # postmaster's domain is the Main Domain


def test_the_shorthand_grants_nothing_the_account_could_not_do_by_name(client1):
    user = factories.make_account(client1, "u1")
    factories.make_account(client1, "u2")

    assert answer("DeleteAccount *", user)[0] == 510
    assert answer("GetAccountSettings u2@*", user)[0] == 510
    assert answer("DeleteDomain * FORCE", user)[0] == 510
    assert Account.objects.filter(domain=client1).count() == 2


def test_at_the_shell_there_is_no_logged_in_account_so_a_star_is_refused(postmaster, client1):
    code, text = answer("GetAccountSettings *", None)
    assert code == 500 and "logged-in account" in text
    assert answer("GetDomainSettings *", None)[0] == 500
    assert answer("CreateAccount new@*", None)[0] == 500
    assert not Account.objects.filter(name="new").exists()


def test_a_star_elsewhere_is_no_name(client1, postmaster):
    user = factories.make_account(client1, "u1")

    assert answer("GetAccountSettings u*", user)[0] == 500
    assert answer("GetAccountSettings *@client1.test", user)[0] == 500
    assert answer('GetAccountSettings "*@client1.test"', postmaster)[0] == 513  # "*" is no account's name
    assert answer("ECHO *", user)[0] == 500  # only account and domain names take the shorthand
