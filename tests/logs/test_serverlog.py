"""The Server Log record format and component levels (spec/basedir.md, "SystemLogs/")."""

from datetime import datetime

import pytest

from logs import serverlog
from server.services import server_settings_update


def test_record_format_has_time_level_tag_session_and_peer():
    when = datetime(2026, 11, 25, 12, 39, 7, 349000)

    line = serverlog.format_record(when, 2, "httpa", "'postmaster' connected", 9, "[127.0.0.1]:62813")

    assert line == "12:39:07.349 2 HTTPA-000009([127.0.0.1]:62813) 'postmaster' connected\n"


def test_a_record_is_one_line_whatever_the_text():
    line = serverlog.format_record(datetime(2026, 1, 1), 3, "CLI", "two\nlines\r", None, None)

    assert line.count("\n") == 1


@pytest.mark.django_db
def test_the_general_pages_log_level_is_systems(postmaster, settings):
    server_settings_update(actor=None, updates={"LogLevel": "1"})
    serverlog.forget_levels()

    assert serverlog.log("SYSTEM", 1, "crash report") is True
    assert serverlog.log("SYSTEM", 2, "routine") is False
    assert serverlog.log("CLI", 2, "routine") is True
    today = (serverlog.log_dir() / f"{datetime.now():%Y-%m-%d}.log").read_text()
    assert " 1 SYSTEM crash report\n" in today
    assert "routine" in today and today.count("routine") == 1
