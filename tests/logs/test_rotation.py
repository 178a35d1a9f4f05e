"""The Log Manager's rotation and retention (the beat task), and the OS system log records."""

import socket
from datetime import date, datetime, timedelta

import pytest

from cgadmin.celery import app
from logs import oslog, serverlog
from logs.rotation import rotate
from logs.services import log_settings_update
from logs.tasks import rotate_logs

pytestmark = pytest.mark.django_db


def write_file(folder, day, index, first_time="08:00:00.000", size=100):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / serverlog.file_name(day, index)
    line = f"{first_time} 2 SYSTEM started\n"
    path.write_text(line + "x" * max(0, size - len(line)))
    return path


def test_a_new_file_starts_when_the_current_one_is_older_than_the_period(postmaster, log_folder):
    log_settings_update(actor=None, updates={"RotationPeriod": "6h"})
    today = date(2026, 5, 4)
    write_file(log_folder, today, 0, "01:00:00.000")

    assert rotate(datetime(2026, 5, 4, 6, 59)).started is None
    started = rotate(datetime(2026, 5, 4, 7, 0, 1)).started

    assert started is not None and started.name == "2026-05-04-1.log"
    assert serverlog.current_file(log_folder, today) == started
    assert rotate(datetime(2026, 5, 4, 7, 0, 2)).started is None  # the new file is empty: nothing to rotate


def test_a_new_file_starts_when_the_current_one_passes_the_size(postmaster, log_folder):
    log_settings_update(actor=None, updates={"RotationSize": "64K", "RotationPeriod": "never"})
    today = date(2026, 5, 4)
    write_file(log_folder, today, 0, size=1000)
    assert rotate(datetime(2026, 5, 4, 23, 0)).started is None

    write_file(log_folder, today, 0, size=70 * 1024)
    assert rotate(datetime(2026, 5, 4, 23, 0)).started.name == "2026-05-04-1.log"


def test_files_older_than_the_retention_are_deleted(postmaster, log_folder):
    log_settings_update(actor=None, updates={"KeepDays": 3})
    today = date(2026, 5, 10)
    for days_back in range(6):
        write_file(log_folder, today - timedelta(days=days_back), 0)
    write_file(log_folder, today - timedelta(days=5), 1)
    (log_folder / "README.txt").write_text("not a log file")

    deleted = rotate(datetime(2026, 5, 10, 12, 0)).deleted

    assert sorted(deleted) == ["2026-05-05-1.log", "2026-05-05.log", "2026-05-06.log"]
    assert sorted(item.name for item in serverlog.log_files(log_folder)) == [
        "2026-05-07.log", "2026-05-08.log", "2026-05-09.log", "2026-05-10.log",
    ]
    assert (log_folder / "README.txt").exists()


def test_keep_days_zero_keeps_every_file(postmaster, log_folder):
    log_settings_update(actor=None, updates={"KeepDays": 0})
    write_file(log_folder, date(2020, 1, 1), 0)

    assert rotate(datetime(2026, 5, 10, 12, 0)).deleted == []


def test_the_rotation_task_runs_every_minute_under_beat(postmaster, log_folder):
    schedule = app.conf.beat_schedule["logs.rotate"]

    assert schedule == {"task": "logs.tasks.rotate_logs", "schedule": 60}
    assert rotate_logs.delay().get() == []


@pytest.fixture
def syslog_socket(settings, tmp_path):
    path = tmp_path / "log.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(2)
    settings.OS_SYSLOG_SOCKET = str(path)
    yield server
    server.close()


def test_start_and_stop_are_recorded_in_the_os_log(syslog_socket):
    assert oslog.server_started("/var/CommuniGate", "6.3.0") is True
    assert oslog.server_stopped("/var/CommuniGate") is True

    started, stopped = syslog_socket.recv(4096).decode(), syslog_socket.recv(4096).decode()
    assert started.startswith("<21>cgadmin[") and started.endswith("]: server 6.3.0 started on /var/CommuniGate")
    assert stopped.endswith("server on /var/CommuniGate stopped (shutdown)")


def test_program_errors_and_fatal_signals_are_recorded_once_a_minute(syslog_socket):
    assert oslog.program_error("the exporter lost its lock (test)") is True
    assert oslog.program_error("the exporter lost its lock (test)") is False
    assert oslog.fatal_signal("worker", 11) is True

    error, fatal = syslog_socket.recv(4096).decode(), syslog_socket.recv(4096).decode()
    assert error.startswith("<19>") and "program error: the exporter lost its lock (test)" in error
    assert fatal.startswith("<18>") and fatal.endswith("worker terminated by signal SIGSEGV (11)")
    assert oslog.is_fatal_signal(-11) and not oslog.is_fatal_signal(-15) and not oslog.is_fatal_signal(1)


def test_without_a_syslog_socket_records_are_dropped_silently(settings, tmp_path):
    settings.OS_SYSLOG_SOCKET = str(tmp_path / "absent.sock")

    assert oslog.server_started("/base", "6.3.0") is False
