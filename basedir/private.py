"""The base directory's secrets: where they are, which of them others may read, and the repair a
start makes.

The embedded default's state folder (`<base>/cgadmin`: the SQLite database with its -wal and -shm,
the broker's folders, the file cache, the A-crpt and session keys, the fault files, the beat
schedule) and the crash reports are the server user's only: folders 0700, files 0600. An
account.settings file holds the account's stored password: the exporter writes it 0640, so others
have no bits on it either."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from basedir import paths
from cgadmin.private import OTHERS, exposed, make_private, repair_tree

CRASH_REPORTS = "CrashReport-*.txt"  # server.crash writes them in the base directory
OTHER_USERS = 0o007  # the bits of users outside the server user's group


def state_folder() -> Path:
    return Path(settings.CGADMIN_STATE_DIR)


def _crash_reports() -> list[Path]:
    return sorted(paths.base().glob(CRASH_REPORTS))


def exposed_secrets() -> list[Path]:
    """Every file or folder holding secrets that the server user's group or others may use."""
    found = exposed(state_folder())
    found += [report for report in _crash_reports() if report.lstat().st_mode & OTHERS]
    return found


def repair_secrets() -> list[Path]:
    """Take the group's and others' bits off every secret (a start does it); those that had any."""
    repaired = repair_tree(state_folder())
    repaired += [report for report in _crash_reports() if make_private(report)]
    return repaired


def readable_by_others(path: Path) -> bool:
    """Whether users outside the server user's group may read or write the file (not for a link)."""
    try:
        return bool(path.lstat().st_mode & OTHER_USERS) and not path.is_symlink()
    except FileNotFoundError:
        return False
