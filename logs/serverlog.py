"""The Server Log (SystemLogs/): one record a line, `HH:MM:SS.mmm L TAG[-NNNNNN][(peer)] text`.

Every component writes through `log()`. A component set to level N records levels N and below;
--logAll records everything. Lines are appended with one write() on an O_APPEND descriptor, so
records from many processes never interleave within a line."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings

NONE, CRASHES, MAJOR, PROBLEMS, LOW_LEVEL, ALL_INFO = range(6)
LEVEL_NAMES = ("None", "Crashes", "Major", "Problems", "Low-Level", "All Info")
DEFAULT_LEVEL = MAJOR
TAGS = ("SYSTEM", "HTTPA", "CLI", "PIPE", "QUEUE", "DELIVERY", "ACCOUNT", "EXPORT", "DIRECTORY", "SNMP")
_LEVEL_CACHE_SECONDS = 2.0

_lock = threading.Lock()
_levels: dict[str, int] = {}
_levels_read_at = 0.0


def log_dir() -> Path:
    return Path(settings.CGATE_BASE) / "SystemLogs"


def log_all() -> bool:
    return os.environ.get("CGADMIN_LOG_ALL") == "1"


def _read_levels() -> dict[str, int]:
    from server import documents

    levels = {tag: DEFAULT_LEVEL for tag in TAGS}
    stored = documents.read(documents.LOG).get("Levels") or {}
    for tag, value in dict(stored).items():  # type: ignore[arg-type]
        if str(value).isdigit():
            levels[str(tag).upper()] = int(value)
    main_level = documents.read(documents.MAIN).get("LogLevel")
    if main_level is not None and str(main_level).isdigit():
        levels["SYSTEM"] = int(main_level)  # the General page's Server Internals Log
    return levels


def component_level(tag: str) -> int:
    """The level a component records at (re-read from the settings every couple of seconds)."""
    global _levels, _levels_read_at
    now = time.monotonic()
    if now - _levels_read_at > _LEVEL_CACHE_SECONDS:
        try:
            _levels = _read_levels()
        except Exception:
            _levels = _levels or {}
        _levels_read_at = now
    return _levels.get(tag.upper(), DEFAULT_LEVEL)


def forget_levels() -> None:
    """Make the next record re-read the levels (after the settings changed)."""
    global _levels_read_at
    _levels_read_at = 0.0


def format_record(when: datetime, level: int, tag: str, text: str, session: int | None, peer: str | None) -> str:
    head = tag.upper()
    if session is not None:
        head += f"-{session:06d}"
    if peer:
        head += f"({peer})"
    clean = text.replace("\r", " ").replace("\n", " ")
    return f"{when:%H:%M:%S}.{when.microsecond // 1000:03d} {level} {head} {clean}\n"


def log(tag: str, level: int, text: str, *, session: int | None = None, peer: str | None = None) -> bool:
    """Record one line if the component's level (or --logAll) lets it through; True if written."""
    if not log_all() and level > component_level(tag):
        return False
    now = datetime.now()
    line = format_record(now, level, tag, text, session, peer)
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%d}.log"
    data = line.encode("utf-8")
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    if os.environ.get("CGADMIN_LOG_TO_CONSOLE") == "1":
        os.write(1, data)
    return True
