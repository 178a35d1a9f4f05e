"""The logs app's CLI verbs as a provisioning script uses them: Log Manager settings, WriteLog,
SetLogAll, and the server, domain and account alerts."""

from __future__ import annotations

import pytest

from cgadmin import dataformat
from cli.dispatch import execute
from logs import serverlog
from logs.models import Alert, AuditEntry
from tests import factories
from tests.logs.conftest import records

pytestmark = pytest.mark.django_db


def data(answer) -> object:
    assert answer.ok, answer.line()
    return dataformat.loads(answer.data)


def test_log_settings_are_read_and_changed_over_the_cli(postmaster, base_dir):
    settings = data(execute("GetLogSettings", actor=postmaster))
    assert settings["Levels"]["SYSTEM"] == 2 and settings["LogAll"] == "NO"

    answer = execute("UpdateLogSettings {KeepDays=7; Levels={CLI=5;};}", actor=postmaster)

    assert answer.code == 200
    settings = data(execute("GetLogSettings", actor=postmaster))
    assert settings["KeepDays"] == 7 and settings["Levels"]["CLI"] == 5
    assert AuditEntry.objects.filter(event="log.settings", interface="CLI").exists()


def test_a_bad_log_setting_is_refused_and_changes_nothing(postmaster, base_dir):
    answer = execute("UpdateLogSettings {KeepDays=7; Levels={CLI=9;};}", actor=postmaster)

    assert answer.code == 500 and "log level" in answer.text
    assert data(execute("GetLogSettings", actor=postmaster))["KeepDays"] == 30


def test_write_log_writes_a_system_record(postmaster, log_folder):
    assert execute('WriteLog 2 "backup started"', actor=postmaster).code == 200

    assert any(" SYSTEM " in line and line.endswith("backup started") for line in records(log_folder))


def test_write_log_names_a_bad_level(postmaster, log_folder):
    answer = execute('WriteLog 7 "text"', actor=postmaster)

    assert answer.code == 500 and "not a log level" in answer.text


def test_set_log_all_switches_recording_of_everything(postmaster, base_dir):
    assert execute("SetLogAll on", actor=postmaster).code == 200
    assert serverlog.log_all_flag() and data(execute("GetLogSettings", actor=postmaster))["LogAll"] == "YES"

    assert execute("SETLOGALL OFF", actor=postmaster).code == 200
    assert not serverlog.log_all_flag()


def test_set_log_all_wants_on_or_off(postmaster, base_dir):
    answer = execute("SetLogAll maybe", actor=postmaster)

    assert answer.code == 500 and "ON or OFF" in answer.text


def test_a_server_alert_is_posted_listed_and_removed(postmaster):
    assert execute('PostServerAlert "restart at noon"', actor=postmaster).code == 200
    assert execute('PostServerAlert "disk replaced"', actor=postmaster).code == 200

    alerts = data(execute("GetServerAlerts", actor=postmaster))
    assert sorted(alerts.values()) == ["disk replaced", "restart at noon"]  # two stamps even in one second
    stamp = next(key for key, text in alerts.items() if text == "restart at noon")

    assert execute(f"RemoveServerAlert {stamp}", actor=postmaster).code == 200
    assert list(data(execute("GetServerAlerts", actor=postmaster)).values()) == ["disk replaced"]
    assert list(AuditEntry.objects.filter(event__startswith="alert.").values_list("event", flat=True)) == [
        "alert.remove", "alert.post", "alert.post"]


def test_removing_an_unknown_alert_says_so(postmaster):
    answer = execute("RemoveServerAlert 20200101T000000Z", actor=postmaster)

    assert answer.code == 501 and "no alert" in answer.text


def test_set_replaces_every_alert_and_checks_each_one(postmaster, client1):
    execute('PostDomainAlert client1.test ALERT "old"', actor=postmaster)

    answer = execute('SetDomainAlerts client1.test {20261128T120000Z="new";}', actor=postmaster)

    assert answer.code == 200
    assert data(execute("GetDomainAlerts client1.test", actor=postmaster)) == {"20261128T120000Z": "new"}
    refused = execute('SetDomainAlerts client1.test {"bad stamp"="x";}', actor=postmaster)
    assert refused.code == 500 and "time stamp" in refused.text
    assert data(execute("GetDomainAlerts client1.test", actor=postmaster)) == {"20261128T120000Z": "new"}


def test_a_domain_administrator_with_can_post_alerts_posts_to_its_own_domain_only(client1, client2):
    admin = factories.make_domain_admin(client1, "alerter", "CanPostAlerts")
    user = factories.make_account(client1, "user")

    assert execute('PostDomainAlert client1.test ALERT "maintenance tonight"', actor=admin).code == 200
    assert execute('PostAccountAlert user ALERT "your quota is almost used"', actor=admin).code == 200
    assert execute('PostDomainAlert client2.test ALERT "x"', actor=admin).code == 510

    assert list(data(execute("GetDomainAlerts", actor=admin)).values()) == ["maintenance tonight"]
    assert list(data(execute("GetAccountAlerts user@client1.test", actor=user)).values()) == [
        "your quota is almost used"]
    entry = AuditEntry.objects.filter(event="alert.post").first()
    assert entry.domain_name == "client1.test" and entry.actor_name == "alerter@client1.test"


def test_a_domain_administrator_without_can_post_alerts_is_refused(client1):
    admin = factories.make_domain_admin(client1, "admin", "CanCreateAccounts")

    answer = execute('PostDomainAlert client1.test ALERT "x"', actor=admin)

    assert answer.line() == "510 not enough access rights"  # CommuniGate's text; the log names CanPostAlerts
    assert not Alert.objects.exists()


def test_the_log_manager_verbs_need_monitor_with_can_tune_logger_settings(db, postmaster):
    tuner = factories.make_account(None, "tuner", rights=["Monitor", "CanTuneLoggerSettings"])
    half = factories.make_account(None, "halfright", rights=["CanTuneLoggerSettings"])

    assert execute("UpdateLogSettings {KeepDays=5;}", actor=tuner).code == 200
    assert execute("SetLogAll OFF", actor=tuner).code == 200
    assert execute("UpdateLogSettings {KeepDays=6;}", actor=half).code == 510
    assert execute("GetLogSettings", actor=half).code == 510
