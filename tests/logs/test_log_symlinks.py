"""SystemLogs/ with a symbolic link planted in it: the Server Log never appends where the link
points, and the Logs pages never show or serve what it points to."""

from __future__ import annotations

from datetime import date

import pytest

from logs import serverlog


@pytest.fixture
def secret(tmp_path_factory):
    folder = tmp_path_factory.mktemp("root-only")
    folder.chmod(0o700)
    path = folder / "shadow"
    path.write_text("00:00:00.000 2 SYSTEM root:secret-hash\n")  # shaped like a record, so a reader would show it
    return path


def test_the_server_log_never_appends_through_a_link(log_folder, secret):
    log_folder.mkdir(exist_ok=True)
    serverlog._writer.reset()  # a descriptor another test left open would hide the link
    (log_folder / serverlog.file_name(date.today(), 0)).symlink_to(secret)

    serverlog.log("SYSTEM", serverlog.MAJOR, "a record that must not land in root's file")

    assert secret.read_text() == "00:00:00.000 2 SYSTEM root:secret-hash\n"


@pytest.mark.django_db
def test_the_logs_pages_never_serve_a_link(postmaster, as_basic, log_folder, secret):
    log_folder.mkdir(exist_ok=True)
    (log_folder / "2026-05-01.log").symlink_to(secret)
    client = as_basic(postmaster)

    assert client.get("/Master/Monitors/Logs/2026-05-01.log").status_code == 404
    for query in ({}, {"text": "secret"}):
        assert "secret-hash" not in client.get("/Master/Monitors/Logs", query).content.decode()
