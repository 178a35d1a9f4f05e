"""The Log Manager's housekeeping, run every minute by beat: a new file every N hours or above a
size, and files older than N days deleted. The writers themselves move on at midnight and at the
size limit; this catches files nobody wrote to for a while, and the time-based rollover."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from cgadmin.catalogue import Layer, effective_values, parse_duration, parse_size
from cgadmin.errors import InvalidInput
from logs import serverlog
from logs.settings_schema import KEEP_DAYS, LOG, ROTATION_PERIOD, ROTATION_SIZE


@dataclass
class RotationResult:
    started: Path | None = None
    deleted: list[str] = field(default_factory=list)


def _first_record_time(path: Path, day: date) -> datetime | None:
    """When the file's first record was written (its name gives the day, the record the time)."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:
            head = handle.read(12).decode("ascii", "replace")
    except OSError:
        return None
    try:
        clock = time.fromisoformat(head)
    except ValueError:
        return None
    return datetime.combine(day, clock)


def _due_for_new_file(path: Path, day: date, now: datetime, period: int | None, size_limit: int | None) -> bool:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size == 0:
        return False
    if size_limit is not None and size >= size_limit:
        return True
    if period is None:
        return False
    started = _first_record_time(path, day)
    return started is not None and now - started >= timedelta(seconds=period)


def expired_files(files: list[serverlog.LogFile], today: date, keep_days: int) -> list[serverlog.LogFile]:
    """Files of days more than keep_days before today (none when keep_days is 0)."""
    if keep_days <= 0:
        return []
    oldest_kept = today - timedelta(days=keep_days)
    return [item for item in files if item.day < oldest_kept]


def _settings() -> tuple[int | None, int | None, int]:
    from server import documents

    values = effective_values(LOG, [Layer("explicit", documents.read(documents.LOG))])
    try:
        period = parse_duration(values[ROTATION_PERIOD])
    except InvalidInput:
        period = None
    try:
        size_limit = parse_size(values[ROTATION_SIZE])
    except InvalidInput:
        size_limit = None
    try:
        keep_days = int(values[KEEP_DAYS])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        keep_days = 0
    return period, size_limit, keep_days


def rotate(now: datetime | None = None) -> RotationResult:
    """Start a new file when the current one is old or large enough; delete expired files."""
    now = now or datetime.now()
    period, size_limit, keep_days = _settings()
    folder = serverlog.log_dir()
    result = RotationResult()
    today = now.date()
    current = serverlog.current_file(folder, today)
    if _due_for_new_file(current, today, now, period, size_limit):
        result.started = serverlog.start_new_file(today)
        serverlog.log("SYSTEM", serverlog.LOW_LEVEL, f"log file {result.started.name} started")
    for item in expired_files(serverlog.log_files(folder), today, keep_days):
        try:
            os.unlink(item.path)
        except FileNotFoundError:
            continue
        result.deleted.append(item.name)
    if result.deleted:
        serverlog.log("SYSTEM", serverlog.LOW_LEVEL, f"deleted old log files: {', '.join(result.deleted)}")
    return result
