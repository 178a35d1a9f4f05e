"""The command table: usage lines, case-insensitive names and keywords, argument errors that say what."""

import re

import pytest

from cli.registry import ArgumentError, all_verbs, lookup, make_verb


def _handler(call, **arguments):
    return arguments


def _parse(usage: str, line: str) -> dict:
    verb = make_verb(usage, _handler, rights="test", section="Test")
    return verb.parse_arguments(line, 0)


def test_required_arguments_and_keywords_in_any_case():
    usage = "RenameDomain domain:str INTO new_name:str"

    assert _parse(usage, 'a.test into "b.test"') == {"domain": "a.test", "new_name": "b.test"}
    assert _parse(usage, "a.test INTO b.test") == {"domain": "a.test", "new_name": "b.test"}


def test_a_missing_keyword_is_named():
    with pytest.raises(ArgumentError, match="expected INTO after domain"):
        _parse("RenameDomain domain:str INTO new_name:str", "a.test b.test")


def test_a_quoted_word_is_not_a_keyword():
    with pytest.raises(ArgumentError, match="expected INTO"):
        _parse("RenameDomain domain:str INTO new_name:str", 'a.test "INTO" b.test')


def test_optional_flags_and_keyword_values():
    usage = "ListDomainObjects domain:str [FILTER filter:str] limit:num [ACCOUNTS] [ALIASES] [COOKIE cookie:str]"

    assert _parse(usage, "d.test 10") == {
        "domain": "d.test", "filter": None, "limit": 10, "accounts": False, "aliases": False, "cookie": None,
    }
    assert _parse(usage, 'd.test filter "ab" #5 Accounts aliases COOKIE x1') == {
        "domain": "d.test", "filter": "ab", "limit": 5, "accounts": True, "aliases": True, "cookie": "x1",
    }


def test_optional_arguments_are_taken_by_kind():
    usage = "UpdateDomainSettings [domain:str] settings:dict"

    assert _parse(usage, "{a=b;}") == {"domain": None, "settings": {"a": "b"}}
    assert _parse(usage, "d.test {a=b;}") == {"domain": "d.test", "settings": {"a": "b"}}


def test_wrong_kind_missing_and_extra_arguments_are_named():
    usage = "SetDomainSettings domain:str settings:dict"

    with pytest.raises(ArgumentError, match="the settings must be a dictionary"):
        _parse(usage, "d.test (a)")
    with pytest.raises(ArgumentError, match="the settings is missing"):
        _parse(usage, "d.test")
    with pytest.raises(ArgumentError, match="unexpected 'extra' after the arguments"):
        _parse(usage, "d.test {} extra")


def test_malformed_data_names_the_position():
    with pytest.raises(ArgumentError, match=r"bad data at \d+: expected"):
        _parse("ECHO value:any", "{a=b}")


def test_bad_usage_lines_are_refused_when_declared():
    with pytest.raises(ValueError, match="name:kind"):
        make_verb("Broken domain", _handler, rights="", section="")
    with pytest.raises(ValueError, match="name:kind"):
        make_verb("Broken domain:text", _handler, rights="", section="")


def test_verbs_are_found_in_any_case():
    assert lookup("noop") is lookup("NOOP") is lookup("NoOp") is not None
    assert lookup("NoSuchVerb") is None


def test_every_existing_account_or_domain_argument_takes_the_current_account_shorthand():
    plain = [entry.usage for entry in all_verbs()
             if re.search(r"\b(account|domain):str\b", entry.usage) and not entry.usage.startswith("CreateDomain ")]

    assert plain == []  # name:acct / name:dom, so `*` works there as everywhere (CreateDomain names a new one)
