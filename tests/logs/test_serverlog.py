"""The Server Log: record format, files and rollover, component levels, --logAll, --logToConsole
(spec/basedir.md, "SystemLogs/")."""

import os
import subprocess
import sys
from datetime import date, datetime

import pytest
from django.conf import settings as django_settings

from cgadmin.errors import AccessDenied, InvalidInput
from logs import serverlog
from logs.models import AuditEntry
from logs.selectors import log_settings
from logs.services import log_all_set, log_settings_update, log_write
from server.selectors import server_settings
from server.services import server_settings_update
from tests import factories
from tests.logs.conftest import records


def test_record_format_has_time_level_tag_session_and_peer():
    when = datetime(2026, 11, 25, 12, 39, 7, 349000)

    line = serverlog.format_record(when, 2, "httpa", "'postmaster' connected", 9, "[127.0.0.1]:62813")

    assert line == "12:39:07.349 2 HTTPA-000009([127.0.0.1]:62813) 'postmaster' connected\n"


def test_record_without_session_or_peer():
    when = datetime(2026, 11, 25, 12, 39, 7, 350000)

    line = serverlog.format_record(when, 2, "ACCOUNT", "(postmaster): ok", None, None)

    assert line == "12:39:07.350 2 ACCOUNT (postmaster): ok\n"


def test_a_record_is_one_line_whatever_the_text():
    line = serverlog.format_record(datetime(2026, 1, 1), 3, "CLI", "two\nlines\r", None, None)

    assert line.count("\n") == 1


def test_file_names_are_one_a_day_then_numbered():
    assert serverlog.file_name(date(2026, 3, 9)) == "2026-03-09.log"
    assert serverlog.file_name(date(2026, 3, 9), 2) == "2026-03-09-2.log"
    assert serverlog.parse_file_name("2026-03-09-2.log") == (date(2026, 3, 9), 2)
    assert serverlog.parse_file_name("2026-03-09.log") == (date(2026, 3, 9), 0)
    assert serverlog.parse_file_name("2026-13-09.log") is None
    assert serverlog.parse_file_name("notes.txt") is None


def test_records_go_to_todays_file(log_folder):
    assert serverlog.log("SYSTEM", 2, "hello") is True

    today = log_folder / f"{date.today():%Y-%m-%d}.log"
    line = today.read_text()
    assert line.endswith(" 2 SYSTEM hello\n")
    assert serverlog.parse_file_name(today.name) is not None


def test_a_file_past_the_size_limit_rolls_over_to_numbered_files(log_folder):
    serverlog.publish_config({}, 200)

    for number in range(12):
        serverlog.log("CLI", 2, f"record number {number:02d} with some padding text")

    files = serverlog.log_files(log_folder)
    day = f"{date.today():%Y-%m-%d}"
    # 59-byte records: the fourth passes 200 bytes, so each file holds four and the next one is opened.
    assert [item.name for item in reversed(files)] == [f"{day}.log", f"{day}-1.log", f"{day}-2.log", f"{day}-3.log"]
    assert [item.size for item in reversed(files)] == [236, 236, 236, 0]
    lines = records(log_folder)
    expected = [f"record number {number:02d} with some padding text" for number in range(12)]
    assert [line[19:] for line in lines] == expected


def test_a_writer_follows_a_newer_file_another_process_started(log_folder):
    serverlog.log("SYSTEM", 2, "first")
    newer = serverlog.start_new_file()
    serverlog._writer.next_checked_at = 0  # another process's file is noticed within a second

    serverlog.log("SYSTEM", 2, "second")

    assert newer.name.endswith("-1.log")
    assert newer.read_text().endswith(" SYSTEM second\n")


@pytest.mark.django_db
def test_the_general_pages_log_level_is_systems(postmaster, log_folder, committed):
    with committed():
        server_settings_update(actor=None, updates={"LogLevel": "1"})

    assert serverlog.log("SYSTEM", 1, "crash report") is True
    assert serverlog.log("SYSTEM", 2, "routine") is False
    assert serverlog.log("CLI", 2, "routine") is True
    text = "\n".join(records(log_folder))
    assert " 1 SYSTEM crash report" in text
    assert text.count("routine") == 1


@pytest.mark.django_db
def test_each_component_records_up_to_its_own_level(postmaster, log_folder, committed):
    with committed():
        log_settings_update(actor=None, updates={"Levels": {"CLI": 4, "queue": "1"}})

    assert serverlog.log("CLI", 4, "low-level detail") is True
    assert serverlog.log("CLI", 5, "all info") is False
    assert serverlog.log("QUEUE", 1, "crash") is True
    assert serverlog.log("QUEUE", 2, "major") is False
    assert serverlog.log("PIPE", 2, "major") is True  # untouched components keep Major
    assert serverlog.log("PIPE", 3, "problem") is False
    assert log_settings()["Levels"]["CLI"] == 4


@pytest.mark.django_db
def test_a_level_update_names_only_the_components_it_changes(postmaster, log_folder):
    log_settings_update(actor=None, updates={"Levels": {"CLI": 4, "QUEUE": 1}})
    log_settings_update(actor=None, updates={"Levels": {"QUEUE": "default", "HTTPA": 3}})

    levels = log_settings()["Levels"]
    assert (levels["CLI"], levels["QUEUE"], levels["HTTPA"]) == (4, 2, 3)


@pytest.mark.django_db
def test_systems_level_in_the_log_settings_is_the_general_pages(postmaster, log_folder, committed):
    with committed():
        log_settings_update(actor=None, updates={"Levels": {"SYSTEM": 5}})

    assert str(server_settings()["LogLevel"]) == "5"
    assert serverlog.log("SYSTEM", 5, "everything") is True
    server_settings_update(actor=None, updates={"LogLevel": 0})
    assert log_settings()["Levels"]["SYSTEM"] == 0


@pytest.mark.django_db
def test_log_settings_changes_are_audited_and_checked(postmaster, log_folder):
    log_settings_update(actor=postmaster, updates={"RotationPeriod": "6h", "KeepDays": 7})

    entry = AuditEntry.objects.filter(event="log.settings").latest("id")
    assert entry.actor_name == postmaster.address
    assert entry.before == "{KeepDays=default;RotationPeriod=default;}"
    assert entry.after == "{KeepDays=#7;RotationPeriod=6h;}"
    with pytest.raises(InvalidInput):
        log_settings_update(actor=None, updates={"RotationPeriod": "5m", "KeepDays": 1})
    with pytest.raises(InvalidInput):
        log_settings_update(actor=None, updates={"Levels": {"CLI": 9}})
    with pytest.raises(InvalidInput):
        log_settings_update(actor=None, updates={"RotationSize": "12"})
    values = log_settings()
    assert (values["RotationPeriod"], values["KeepDays"], values["Levels"]["CLI"]) == ("6h", 7, 2)


@pytest.mark.django_db
def test_changing_the_log_manager_needs_can_tune_logger_settings(personas, log_folder):
    tuner = factories.make_account(None, "tuner", rights=["Monitor", "CanTuneLoggerSettings"])
    right_without_realm = factories.make_account(None, "halfright", rights=["CanTuneLoggerSettings"])

    for refused in (personas.monitor, personas.settings_admin, personas.domain_admin_with_right, right_without_realm):
        with pytest.raises(AccessDenied):
            log_settings_update(actor=refused, updates={"KeepDays": 3})
        with pytest.raises(AccessDenied):
            log_all_set(actor=refused, enabled=True)
    log_settings_update(actor=tuner, updates={"KeepDays": 3})
    log_settings_update(actor=personas.postmaster, updates={"KeepDays": 4})
    assert log_settings()["KeepDays"] == 4


@pytest.mark.django_db
def test_log_all_records_everything_until_switched_off(postmaster, log_folder):
    log_settings_update(actor=None, updates={"Levels": {"CLI": 0}})
    assert serverlog.log("CLI", 5, "hidden") is False

    log_all_set(actor=postmaster, enabled=True)
    assert serverlog.log("CLI", 5, "shown") is True
    assert log_settings()["LogAll"] == "YES"
    log_all_set(actor=postmaster, enabled=False)
    assert serverlog.log("CLI", 5, "hidden again") is False
    assert [entry.after for entry in AuditEntry.objects.filter(event="log.all").order_by("id")] == [
        "{LogAll=YES;}", "{LogAll=NO;}",
    ]


def test_the_log_all_option_records_everything(log_folder, monkeypatch):
    serverlog.publish_config({"CLI": 0}, None)
    monkeypatch.setenv(serverlog.ENV_LOG_ALL, "1")

    assert serverlog.log("CLI", 5, "all info") is True


@pytest.mark.slow
@pytest.mark.django_db
def test_set_log_all_reaches_other_processes(postmaster, log_folder):
    log_all_set(actor=None, enabled=True)
    probe = "import django; django.setup(); from logs import serverlog; print(serverlog.log_all())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cgadmin.settings_test"}
    env.pop(serverlog.ENV_LOG_ALL, None)

    answer = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60,
                            cwd=django_settings.PROJECT_DIR)

    assert answer.stdout.strip() == "True", answer.stderr


def test_log_to_console_copies_records_to_stdout(log_folder, monkeypatch, capfd):
    monkeypatch.setenv(serverlog.ENV_LOG_TO_CONSOLE, "1")

    serverlog.log("SYSTEM", 1, "to the console too")

    assert capfd.readouterr().out.endswith(" 1 SYSTEM to the console too\n")


@pytest.mark.django_db
def test_write_log_writes_a_system_record(personas, log_folder):
    assert log_write(actor=personas.postmaster, level=1, text="from a script") is True
    assert log_write(actor=personas.monitor, level="2", text="monitoring note") is True

    text = "\n".join(records(log_folder))
    assert " 1 SYSTEM from a script" in text and " 2 SYSTEM monitoring note" in text
    with pytest.raises(AccessDenied):
        log_write(actor=personas.domain_admin_with_right, level=1, text="nope")
    with pytest.raises(InvalidInput):
        log_write(actor=None, level=7, text="bad level")


def test_many_records_at_once_follow_each_components_level(log_folder):
    serverlog.publish_config({"QUEUE": 5, "PIPE": 2}, None)
    serverlog.forget_levels()

    written = serverlog.log_many([("QUEUE", 5, "detail kept"), ("PIPE", 2, "major kept"),
                                  ("PIPE", 5, "detail dropped"), ("QUEUE", 2, "two\nlines")])

    assert written == 3
    assert [line.split(" ", 1)[1] for line in records(log_folder)] == [
        "5 QUEUE detail kept", "2 PIPE major kept", "2 QUEUE two lines"]
    assert serverlog.log_many([("PIPE", 6, "dropped")]) == 0
