"""Fixtures of the logs tests: a base directory of the test's own, so Server Log files never mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from logs import serverlog


@pytest.fixture
def base_dir(settings, tmp_path) -> Path:
    """The test's own base directory (SystemLogs/ inside it starts empty)."""
    settings.CGATE_BASE = tmp_path
    serverlog.forget_levels()
    yield tmp_path
    serverlog.forget_levels()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose changes commit, as a request's do: the log levels are published after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def log_folder(base_dir) -> Path:
    return base_dir / "SystemLogs"


def records(folder: Path) -> list[str]:
    """Every record in the folder, oldest file first."""
    lines: list[str] = []
    for item in reversed(serverlog.log_files(folder)):
        lines.extend(item.path.read_text().splitlines())
    return lines
