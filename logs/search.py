"""Searching the Server Log: newest first, page by page, without reading whole files into memory.

Files are memory-mapped and scanned backwards in large blocks (each block cut at a line start).
A plain-text filter is found with the mapped bytes' own `find` over the whole block (the fast
string search grep -F also relies on), and only the lines that hold a match are decoded and parsed;
the level, tag and time filters then apply to those few lines. A regular expression runs over the
block the same way. A page ends after `limit` records or `max_scan` bytes, whichever comes first,
and its cursor (file and offset) says where the next page goes on.

Records in a file are in time order, so a time range skips whole files by their day, starts the
newest file at the end of the range (a binary search), and stops at its beginning."""

from __future__ import annotations

import errno
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from cgadmin.errors import InvalidInput
from cgadmin.userregex import PatternError, compile_pattern
from logs import serverlog

BLOCK_SIZE = 8 * 1024 * 1024
FIRST_BLOCK_SIZE = 64 * 1024  # blocks grow from here, so a page near the end of a file reads little
DEFAULT_PAGE = 100
MAX_PAGE = 1000
MAX_PATTERN = 1000
_NEWLINE = b"\n"
_RECORD_HEAD = re.compile(rb"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) (\d) ([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class LogQuery:
    text: str = ""
    regex: bool = False
    tag: str = ""
    max_level: int | None = None  # records of this level and below
    since: datetime | None = None
    until: datetime | None = None
    file: str = ""  # one file only (its name)

    def matcher(self) -> Any:
        """The text as a pattern, on RE2 (cgadmin.userregex): no pattern makes a search slow."""
        if not self.regex or not self.text:
            return None
        if len(self.text) > MAX_PATTERN:
            raise InvalidInput("the regular expression is too long", field="text")
        try:
            return compile_pattern(self.text.encode("utf-8"), multiline=True)
        except PatternError as error:
            raise InvalidInput(f"not a regular expression: {error}", field="text")


@dataclass(frozen=True)
class Record:
    file: str
    day: date
    offset: int  # where the line starts in its file
    time: time | None
    level: int | None
    tag: str
    head: str  # TAG-NNNNNN(peer)
    text: str
    line: str

    @property
    def level_name(self) -> str:
        """The level's name (Major, Problems, ...), as the Log Settings page calls it."""
        names = serverlog.LEVEL_NAMES
        return names[self.level] if self.level is not None and 0 <= self.level < len(names) else ""

    @property
    def when(self) -> datetime | None:
        return datetime.combine(self.day, self.time) if self.time is not None else None


@dataclass
class SearchPage:
    records: list[Record] = field(default_factory=list)
    next_cursor: str | None = None
    scanned: int = 0  # bytes looked at for this page


def parse_line(raw: bytes, file_name: str, day: date, offset: int) -> Record:
    """A record's fields; a line that is not a record keeps its text with no time, level or tag."""
    line = raw.decode("utf-8", "replace")
    match = _RECORD_HEAD.match(raw)
    if match is None:
        return Record(file_name, day, offset, None, None, "", "", line, line)
    hour, minute, second, milli = (int(match.group(n)) for n in range(1, 5))
    head_end = line.find(" ", 15)
    head = line[15:head_end] if head_end >= 0 else line[15:]
    text = line[head_end + 1:] if head_end >= 0 else ""
    try:
        clock = time(hour, minute, second, milli * 1000)
    except ValueError:
        clock = None
    return Record(file_name, day, offset, clock, int(match.group(5)), match.group(6).decode("ascii"), head, text, line)


# --- cursors -----------------------------------------------------------------------------------

def encode_cursor(file_name: str, offset: int) -> str:
    return f"{file_name}:{offset}"


def decode_cursor(cursor: str) -> tuple[str, int]:
    name, _, offset = cursor.rpartition(":")
    if serverlog.parse_file_name(name) is None or not offset.isdigit():
        raise InvalidInput("the page cursor is not valid: start from the first page", field="cursor")
    return name, int(offset)


# --- scanning ----------------------------------------------------------------------------------
# The block functions work on a buffer holding [base, base + length) of the file; spans are
# positions in the buffer.

def _line_bounds(buffer: bytearray, start: int, end: int, position: int) -> tuple[int, int]:
    line_start = buffer.rfind(_NEWLINE, start, position) + 1 or start
    line_end = buffer.find(_NEWLINE, position, end)
    return max(line_start, start), end if line_end < 0 else line_end


def _plain_matches(buffer: bytearray, needle: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line holding needle in [start, end), in file order."""
    found = []
    position = buffer.find(needle, start, end)
    while position >= 0:
        line_start, line_end = _line_bounds(buffer, start, end, position)
        found.append((line_start, line_end))
        position = buffer.find(needle, line_end + 1, end) if line_end + 1 < end else -1
    return found


def _regex_matches(buffer: bytearray, pattern: Any, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    position = start
    while position < end:
        match = pattern.search(buffer, position, end)
        if match is None:
            break
        line_start, line_end = _line_bounds(buffer, start, end, match.start())
        if pattern.search(buffer, line_start, line_end) is not None:  # a match across lines is not one
            found.append((line_start, line_end))
        position = line_end + 1
    return found


def _all_lines(buffer: bytearray, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    position = start
    while position < end:
        line_end = buffer.find(_NEWLINE, position, end)
        if line_end < 0:
            line_end = end
        if line_end > position:
            found.append((position, line_end))
        position = line_end + 1
    return found


def _needle(query: LogQuery) -> bytes | None:
    """The literal every matching line must hold (None: every line is a candidate)."""
    if query.text and not query.regex:
        return query.text.encode("utf-8")
    if query.tag and not query.text:
        return f" {query.tag.upper()}".encode("ascii", "replace")
    return None


def _parse_time(head: bytes) -> time | None:
    match = _RECORD_HEAD.match(head)
    if match is None:
        return None
    try:
        return time(int(match.group(1)), int(match.group(2)), int(match.group(3)), int(match.group(4)) * 1000)
    except ValueError:
        return None


def _time_at(fd: int, offset: int) -> time | None:
    return _parse_time(os.pread(fd, 40, offset))


def _next_line_start(fd: int, offset: int, end: int) -> int | None:
    """The first line start after offset (None when there is none before end)."""
    position = offset
    while position < end:
        chunk = os.pread(fd, min(4096, end - position), position)
        if not chunk:
            return None
        newline = chunk.find(_NEWLINE)
        if newline >= 0:
            return position + newline + 1 if position + newline + 1 < end else None
        position += len(chunk)
    return None


def _end_before(fd: int, size: int, limit: time) -> int:
    """The offset just past the last record at or before `limit` (records are in time order)."""
    low, high = 0, size  # the answer is in [low, high]; low is always a line start
    while high - low > 4096:
        middle = (low + high) // 2
        line_start = _next_line_start(fd, middle, high)
        if line_start is None:
            high = middle
            continue
        stamp = _time_at(fd, line_start)
        if stamp is None or stamp <= limit:
            low = line_start
        else:
            high = line_start
    position = low
    while position < size:
        stamp = _time_at(fd, position)
        if stamp is not None and stamp > limit:
            return position
        line_start = _next_line_start(fd, position, size)
        if line_start is None:
            return size
        position = line_start
    return size


def _accepts(record: Record, query: LogQuery) -> bool:
    if query.max_level is not None and (record.level is None or record.level > query.max_level):
        return False
    if query.tag and record.tag.upper() != query.tag.upper():
        return False
    when = record.when
    if query.since is not None and (when is None or when < query.since):
        return False
    return not (query.until is not None and (when is None or when > query.until))


def _files(query: LogQuery, folder: Path, cursor_file: str | None) -> Iterator[serverlog.LogFile]:
    files = serverlog.log_files(folder)
    if query.file:
        files = [item for item in files if item.name == query.file]
    started = cursor_file is None
    cursor_order = serverlog.parse_file_name(cursor_file) if cursor_file else None
    for item in files:
        if not started:
            if item.name == cursor_file:
                started = True
            elif cursor_order is not None and item.order < cursor_order:
                started = True  # the cursor's file is gone (deleted by retention): go on from older ones
            else:
                continue
        if query.until is not None and item.day > query.until.date():
            continue
        if query.since is not None and item.day < query.since.date():
            break
        yield item


_GO_ON, _PAGE_FULL, _RANGE_DONE = "go on", "page full", "range done"
_buffers = threading.local()


def _read_buffer() -> bytearray:
    """This thread's block buffer, made once: zeroing 8 MB for every page would cost more than a search."""
    buffer = getattr(_buffers, "block", None)
    if buffer is None:
        buffer = _buffers.block = bytearray(BLOCK_SIZE)
    return buffer


@dataclass
class _Scan:
    """One page's search: the query compiled once, and one read buffer for every block."""

    query: LogQuery
    limit: int
    max_scan: int | None
    page: SearchPage
    pattern: Any = None  # an RE2 pattern
    needle: bytes | None = None
    buffer: bytearray = field(default_factory=lambda: _read_buffer())

    def spans(self, start: int, end: int) -> list[tuple[int, int]]:
        if self.needle is not None:
            return _plain_matches(self.buffer, self.needle, start, end)
        if self.pattern is not None:
            return _regex_matches(self.buffer, self.pattern, start, end)
        return _all_lines(self.buffer, start, end)

    def file(self, item: serverlog.LogFile, end: int | None) -> str:
        """Scan one file backwards into the page: the page is full (cursor set), the time range
        is done, or go on with the next older file."""
        try:
            handle = open(os.open(item.path, os.O_RDONLY | os.O_NOFOLLOW), "rb", buffering=0)  # noqa: SIM115
        except (FileNotFoundError, IsADirectoryError):
            return _GO_ON
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            return _GO_ON  # a link planted in SystemLogs/ is never shown
        with handle:
            size = os.fstat(handle.fileno()).st_size
            size = min(size, end) if end is not None else size
            if size <= 0:
                return _GO_ON
            return self._scan(handle, size, item)

    def _scan(self, handle: BinaryIO, size: int, item: serverlog.LogFile) -> str:
        query, page, view = self.query, self.page, memoryview(self.buffer)
        fd = handle.fileno()
        if query.until is not None and item.day == query.until.date():
            size = _end_before(fd, size, query.until.time())
        position, block_size = size, FIRST_BLOCK_SIZE
        while position > 0:
            if self.max_scan is not None and page.scanned >= self.max_scan:
                page.next_cursor = encode_cursor(item.name, position)
                return _PAGE_FULL
            base = max(0, position - block_size)
            block_size = min(block_size * 2, BLOCK_SIZE)
            length = os.preadv(fd, [view[: position - base]], base)
            first = 0
            if base > 0:
                newline = self.buffer.find(_NEWLINE, 0, length)
                first = newline + 1 if 0 <= newline < length - 1 else 0  # a line longer than a block is cut
            page.scanned += length - first
            for line_start, line_end in reversed(self.spans(first, length)):
                record = parse_line(bytes(view[line_start:line_end]), item.name, item.day, base + line_start)
                if not _accepts(record, query):
                    continue
                page.records.append(record)
                if len(page.records) >= self.limit:
                    # at a file's first line, the cursor (name, 0) sends the next page to older files
                    page.next_cursor = encode_cursor(item.name, base + line_start)
                    return _PAGE_FULL
            if query.since is not None and item.day == query.since.date():
                oldest = _parse_time(bytes(view[first:first + 40]))
                if oldest is not None and oldest < query.since.time():
                    return _RANGE_DONE  # everything older is out of the range
            position = base + first
        return _GO_ON


def search(
    query: LogQuery, *, cursor: str = "", limit: int = DEFAULT_PAGE, max_scan: int | None = None,
    folder: Path | None = None,
) -> SearchPage:
    """One page of matching records, newest first, and the cursor of the next page (None at the end)."""
    cursor_file, cursor_offset = decode_cursor(cursor) if cursor else (None, None)
    scan = _Scan(query, max(1, min(limit, MAX_PAGE)), max_scan, SearchPage(), query.matcher(), _needle(query))
    for item in _files(query, folder or serverlog.log_dir(), cursor_file):
        if scan.file(item, cursor_offset if item.name == cursor_file else None) is not _GO_ON:
            break
    return scan.page
