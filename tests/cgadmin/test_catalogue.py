"""The settings catalogue: typed validation and layered effective values."""

import pytest

from accounts.settings_schema import ACCOUNT
from cgadmin.catalogue import (
    DEFAULT,
    Layer,
    apply_update,
    effective,
    parse_duration,
    parse_flow,
    parse_size,
)
from cgadmin.errors import InvalidInput
from domains.settings_schema import DOMAIN


@pytest.mark.parametrize(("text", "size"), [("100K", 102400), ("10M", 10485760), (1024, 1024), ("unlimited", None)])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("10h", 36000), ("15d", 1296000),
                                               ("never", None), (60, 60)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_flows_take_counts_and_periods_as_clients_send_them():
    assert parse_flow(["10", "1m"]) == (10, 60)
    assert parse_flow(["-1", 3600]) == (None, 3600)
    with pytest.raises(InvalidInput):
        parse_flow(["10"])


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MaxAccountSize", "lots", "MaxAccountSize: 'lots' is not a size"),
        ("PWDAllowed", "maybe", "PWDAllowed: 'maybe' is not YES or NO"),
        ("RulesAllowed", "Some", "RulesAllowed: 'Some' is not one of"),
        ("AccessModes", ["Mail", "Telepathy"], "unknown services"),
        ("RealName", "two\nlines", "must be one line"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(name, value, message):
    with pytest.raises(InvalidInput) as error:
        ACCOUNT.validate_update({name: value})
    assert message in error.value.message
    assert error.value.field == name


def test_values_keep_their_type_and_names_their_catalogue_spelling():
    checked = ACCOUNT.validate_update({"maxaccountsize": "10M", "pwdallowed": "no", "Custom1": "#12"})

    assert checked == {"MaxAccountSize": "10M", "PWDAllowed": "NO", "Custom1": "#12"}


def test_domain_settings_this_server_has_no_field_for_are_kept_as_communigate_keeps_them():
    assert DOMAIN.validate_update({"DKIM": {"Enabled": "YES"}, "foldering": "flat"}) == {
        "DKIM": {"Enabled": "YES"}, "Foldering": "flat"}
    assert DOMAIN.right_for("DKIM") is None  # server administrators only
    with pytest.raises(InvalidInput, match="Foldering"):
        DOMAIN.validate_update({"Foldering": "sideways"})  # a known setting's value is still checked


def test_default_removes_an_explicit_value():
    assert apply_update({"A": "1", "B": "2"}, {"A": DEFAULT, "C": "3"}) == {"B": "2", "C": "3"}


def test_effective_values_come_from_the_last_layer_that_has_them():
    merged = effective(ACCOUNT, [
        Layer("server defaults", {"MaxAccountSize": "100M", "RealName": "x"}),
        Layer("domain defaults", {"MaxAccountSize": "50M"}),
        Layer("template", {}),
        Layer("explicit", {"RealName": "Jane"}),
    ])

    assert (merged["MaxAccountSize"].value, merged["MaxAccountSize"].source) == ("50M", "domain defaults")
    assert (merged["RealName"].value, merged["RealName"].source) == ("Jane", "explicit")
    assert merged["PWDAllowed"].source == "default"
