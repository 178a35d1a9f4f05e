"""The Server Log (SystemLogs/): one record a line, `HH:MM:SS.mmm L TAG[-NNNNNN][(peer)] text`.

Every component writes through `log()`. A component set to level N records levels N and below;
--logAll (or the CLI's SetLogAll) records everything. Lines are appended with one write() on an
O_APPEND descriptor, so records from many processes never interleave within a line.

Files: `YYYY-MM-DD.log` a day; when the day's file passes the size limit (or the rotation task
starts a new one every N hours) the next is `YYYY-MM-DD-1.log`, `-2`, ... Every process writes to
the highest-numbered file of the day, and notices within a second when another one moved on.

The levels in force come from the shared cache (published from the Log and Main documents when
they change and every minute by the rotation task), never from the database: logging must not
add queries to the request that logs."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

NONE, CRASHES, MAJOR, PROBLEMS, LOW_LEVEL, ALL_INFO = range(6)
LEVEL_NAMES = ("None", "Crashes", "Major", "Problems", "Low-Level", "All Info")
DEFAULT_LEVEL = MAJOR
TAGS = (
    "SYSTEM", "HTTPA", "CLI", "PIPE", "QUEUE", "DELIVERY", "ACCOUNT", "EXPORT", "DIRECTORY", "SNMP", "STATS",
)
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024
_CONFIG_CACHE_SECONDS = 2.0
_NEXT_FILE_CHECK_SECONDS = 1.0

CONFIG_KEY = "cg:log:config"  # {"levels": {TAG: level}, "max_size": bytes or None}
LOG_ALL_KEY = "cg:log:all"  # SetLogAll ON at run time (every process reads it with the levels)

ENV_LOG_ALL = "CGADMIN_LOG_ALL"  # --logAll, set by cgserver for its children
ENV_LOG_TO_CONSOLE = "CGADMIN_LOG_TO_CONSOLE"  # --logToConsole

FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-(\d+))?\.log$")


def log_dir() -> Path:
    return Path(settings.CGATE_BASE) / "SystemLogs"


def file_name(day: date, index: int = 0) -> str:
    """`YYYY-MM-DD.log` for the day's first file, `YYYY-MM-DD-N.log` for the ones after it."""
    return f"{day:%Y-%m-%d}.log" if index == 0 else f"{day:%Y-%m-%d}-{index}.log"


def parse_file_name(name: str) -> tuple[date, int] | None:
    """(day, index) of a Server Log file name; None for anything else in the folder."""
    match = FILE_NAME.match(name)
    if match is None:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day, int(match.group(4) or 0)


@dataclass(frozen=True)
class LogFile:
    name: str
    path: Path
    day: date
    index: int
    size: int
    modified: float

    @property
    def order(self) -> tuple[date, int]:
        return self.day, self.index


def log_files(folder: Path | None = None) -> list[LogFile]:
    """The Server Log files, newest first (by day, then rollover number)."""
    folder = folder or log_dir()
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        parsed = parse_file_name(entry.name)
        if parsed is None or not entry.is_file():
            continue
        stat = entry.stat()
        found.append(LogFile(entry.name, Path(entry.path), parsed[0], parsed[1], stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda item: item.order, reverse=True)


def latest_index(folder: Path, day: date) -> int:
    """The highest rollover number of the day's files (0 when there is none yet)."""
    prefix = f"{day:%Y-%m-%d}"
    best = 0
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        if name.startswith(prefix):
            parsed = parse_file_name(name)
            if parsed is not None and parsed[0] == day:
                best = max(best, parsed[1])
    return best


def current_file(folder: Path | None = None, day: date | None = None) -> Path:
    """The file records go to now: the day's highest-numbered one."""
    folder = folder or log_dir()
    day = day or date.today()
    return folder / file_name(day, latest_index(folder, day))


# --- levels and switches -----------------------------------------------------------------------

@dataclass
class _Config:
    levels: dict[str, int]
    max_size: int | None
    log_all: bool
    read_at: float


_config = _Config({}, DEFAULT_MAX_FILE_SIZE, False, -1e9)


def _refresh_config() -> _Config:
    global _config
    now = time.monotonic()
    if now - _config.read_at <= _CONFIG_CACHE_SECONDS:
        return _config
    try:
        found = cache.get_many([CONFIG_KEY, LOG_ALL_KEY])
    except Exception:  # the cache being down must never stop a record
        found = {}
    published = found.get(CONFIG_KEY) or {}
    _config = _Config(
        dict(published.get("levels") or {}),
        published.get("max_size", DEFAULT_MAX_FILE_SIZE),
        bool(found.get(LOG_ALL_KEY)),
        now,
    )
    return _config


def forget_levels() -> None:
    """Make the next record re-read the levels and switches (after they changed)."""
    _config.read_at = -1e9


def log_all() -> bool:
    """--logAll given to the server, or SetLogAll ON at run time."""
    return os.environ.get(ENV_LOG_ALL) == "1" or _refresh_config().log_all


def log_to_console() -> bool:
    return os.environ.get(ENV_LOG_TO_CONSOLE) == "1"


def component_level(tag: str) -> int:
    """The level a component records at."""
    return _refresh_config().levels.get(tag.upper(), DEFAULT_LEVEL)


def max_file_size() -> int | None:
    return _refresh_config().max_size


def publish_config(levels: dict[str, int], max_size: int | None) -> None:
    """Share the levels and the file size limit with every process (the settings changed)."""
    cache.set(CONFIG_KEY, {"levels": dict(levels), "max_size": max_size}, None)
    forget_levels()


def set_log_all_flag(enabled: bool) -> None:
    """SetLogAll: every process records everything (within a couple of seconds) until OFF."""
    if enabled:
        cache.set(LOG_ALL_KEY, True, None)
    else:
        cache.delete(LOG_ALL_KEY)
    forget_levels()


def log_all_flag() -> bool:
    return bool(cache.get(LOG_ALL_KEY))


# --- records -----------------------------------------------------------------------------------

def format_record(when: datetime, level: int, tag: str, text: str, session: int | None, peer: str | None) -> str:
    head = tag.upper()
    if session is not None:
        head += f"-{session:06d}"
    if peer:
        head += f"({peer})"
    clean = text.replace("\r", " ").replace("\n", " ")
    return f"{when:%H:%M:%S}.{when.microsecond // 1000:03d} {level} {head} {clean}\n"


class _Writer:
    """The open file of this process, moved on at midnight, at the size limit, or when another
    process (or the rotation task) started a newer file."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.folder: Path | None = None
        self.day: date | None = None
        self.index = 0
        self.next_checked_at = 0.0

    def reset(self) -> None:
        self.lock = threading.Lock()
        self._close()

    def _close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        self.fd = None
        self.day = None

    def _open(self, folder: Path, day: date, index: int) -> int:
        self._close()
        # O_NOFOLLOW: a link planted in SystemLogs/ never gets the records appended where it points
        fd = os.open(folder / file_name(day, index), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
        self.fd, self.folder, self.day, self.index = fd, folder, day, index
        self.next_checked_at = time.monotonic() + _NEXT_FILE_CHECK_SECONDS
        return fd

    def _descriptor(self, folder: Path, day: date) -> int:
        if self.fd is None or self.day != day or self.folder != folder:
            folder.mkdir(parents=True, exist_ok=True)
            return self._open(folder, day, latest_index(folder, day))
        now = time.monotonic()
        if now >= self.next_checked_at:
            self.next_checked_at = now + _NEXT_FILE_CHECK_SECONDS
            newest = latest_index(folder, day)
            if newest > self.index:
                return self._open(folder, day, newest)
            if not (folder / file_name(day, self.index)).exists():  # deleted or moved away
                return self._open(folder, day, newest)
        return self.fd

    def write(self, folder: Path, day: date, data: bytes, limit: int | None) -> None:
        with self.lock:
            fd = self._descriptor(folder, day)
            os.write(fd, data)
            if limit is not None and os.fstat(fd).st_size >= limit:
                # The next record goes to a new file; O_CREAT without O_EXCL lets processes agree.
                self._open(folder, day, max(self.index, latest_index(folder, day)) + 1)


_writer = _Writer()
os.register_at_fork(after_in_child=_writer.reset)


def log(tag: str, level: int, text: str, *, session: int | None = None, peer: str | None = None) -> bool:
    """Record one line if the component's level (or --logAll) lets it through; True if written."""
    if not log_all() and level > component_level(tag):
        return False
    now = datetime.now()
    # backslashreplace: a text quoting a file name that is not UTF-8 (a lone surrogate) is still logged.
    data = format_record(now, level, tag, text, session, peer).encode("utf-8", "backslashreplace")
    try:
        _writer.write(log_dir(), now.date(), data, max_file_size())
    except OSError as error:
        from logs import notifications, oslog

        oslog.program_error(f"cannot write the Server Log in {log_dir()}")
        with contextlib.suppress(Exception):  # the cache being down must never stop the caller
            notifications.report_server_log_failure(log_dir(), error)
    if log_to_console():
        with contextlib.suppress(OSError):
            os.write(1, data)
    return True


def log_many(records: list[tuple[str, int, str]], *, peer: str | None = None) -> int:
    """Record many (tag, level, text) lines as log() does each, with one write: for a batch's
    records (a delivery pass logs a few lines a message). How many were written."""
    everything = log_all()
    now = datetime.now()
    lines = [format_record(now, level, tag, text, None, peer) for tag, level, text in records
             if everything or level <= component_level(tag)]
    if not lines:
        return 0
    data = "".join(lines).encode("utf-8", "backslashreplace")
    try:
        _writer.write(log_dir(), now.date(), data, max_file_size())
    except OSError as error:
        from logs import notifications, oslog

        oslog.program_error(f"cannot write the Server Log in {log_dir()}")
        with contextlib.suppress(Exception):
            notifications.report_server_log_failure(log_dir(), error)
    if log_to_console():
        with contextlib.suppress(OSError):
            os.write(1, data)
    return len(lines)


def start_new_file(day: date | None = None) -> Path:
    """Start the day's next file now (the rotation task, every N hours)."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    day = day or date.today()
    current = latest_index(folder, day)
    if not (folder / file_name(day, current)).exists() or (folder / file_name(day, current)).stat().st_size == 0:
        path = folder / file_name(day, current)
    else:
        path = folder / file_name(day, current + 1)
    path.touch(mode=0o640, exist_ok=True)
    return path
