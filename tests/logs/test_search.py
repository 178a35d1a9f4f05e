"""Searching the Server Log: newest first, filters, regular expressions, time ranges, paging by
cursor, and reading in blocks rather than whole files."""

import os
from datetime import datetime

import pytest

from cgadmin.errors import InvalidInput
from logs import search as search_module
from logs.search import LogQuery, search

LINES_DAY1 = [
    "08:00:00.000 2 SYSTEM server started",
    "08:00:01.100 2 HTTPA-000001([127.0.0.1]:50000) 'postmaster' connected",
    "09:15:00.000 3 CLI-000002([10.0.0.5]:41000) login failed for 'jane@client1.test'",
    "10:30:00.000 5 QUEUE(1234) enqueued from <bob@client1.test>",
    "11:45:00.000 1 SYSTEM crash in the exporter",
]
LINES_DAY1_ROLLOVER = [
    "12:00:00.000 2 DELIVERY-000003 message 1234 delivered to jane@client1.test INBOX",
    "13:00:00.000 4 CLI-000004([10.0.0.6]:41001) ListAccounts client1.test",
]
LINES_DAY2 = [
    "07:00:00.000 2 HTTPA-000005([10.0.0.9]:50001) 'jane@client1.test' connected",
    "07:30:00.000 3 CLI-000006([10.0.0.5]:41002) login failed for 'Jane@client1.test'",
    "not a record: a stray line",
    "08:00:00.000 2 ACCOUNT(jane@client1.test): password changed",
]


@pytest.fixture
def logs(log_folder):
    log_folder.mkdir(parents=True)
    (log_folder / "2026-05-01.log").write_text("\n".join(LINES_DAY1) + "\n")
    (log_folder / "2026-05-01-1.log").write_text("\n".join(LINES_DAY1_ROLLOVER) + "\n")
    (log_folder / "2026-05-02.log").write_text("\n".join(LINES_DAY2) + "\n")
    return log_folder


def texts(page):
    return [record.line for record in page.records]


def every_page(query, limit=2, **options):
    found, cursor, pages = [], "", 0
    while True:
        page = search(query, cursor=cursor, limit=limit, **options)
        found.extend(page.records)
        pages += 1
        if not page.next_cursor:
            return found, pages
        cursor = page.next_cursor


def test_records_come_newest_first_across_files(logs):
    page = search(LogQuery(), limit=100)

    expected = list(reversed(LINES_DAY1 + LINES_DAY1_ROLLOVER + LINES_DAY2))
    assert texts(page) == expected
    assert page.next_cursor is None
    first = page.records[0]
    assert (first.file, first.level, first.tag, first.text) == (
        "2026-05-02.log", 2, "ACCOUNT", "password changed",
    )
    assert first.when == datetime(2026, 5, 2, 8, 0)


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(logs):
    found, pages = every_page(LogQuery(), limit=3)

    assert [record.line for record in found] == list(reversed(LINES_DAY1 + LINES_DAY1_ROLLOVER + LINES_DAY2))
    assert pages >= 4


def test_plain_text_is_matched_as_written(logs):
    page = search(LogQuery(text="login failed for 'jane"))

    assert texts(page) == [LINES_DAY1[2]]


def test_regular_expressions_match_within_one_line(logs):
    page = search(LogQuery(text=r"login failed for '[Jj]ane@", regex=True))

    assert texts(page) == [LINES_DAY2[1], LINES_DAY1[2]]
    assert texts(search(LogQuery(text=r"^\d\d:\d\d:\d\d\.\d+ 1 ", regex=True))) == [LINES_DAY1[4]]
    assert texts(search(LogQuery(text=r"started\s+\d", regex=True))) == []  # would span two lines


def test_a_bad_regular_expression_is_refused(logs):
    with pytest.raises(InvalidInput) as refused:
        search(LogQuery(text="(unclosed", regex=True))

    assert refused.value.field == "text"


def test_filters_by_component_and_level(logs):
    assert texts(search(LogQuery(tag="cli"))) == [LINES_DAY2[1], LINES_DAY1_ROLLOVER[1], LINES_DAY1[2]]
    assert texts(search(LogQuery(tag="CLI", max_level=3))) == [LINES_DAY2[1], LINES_DAY1[2]]
    assert texts(search(LogQuery(max_level=1))) == [LINES_DAY1[4]]
    assert texts(search(LogQuery(text="client1", tag="HTTPA"))) == [LINES_DAY2[0]]


def test_a_time_range_limits_the_records(logs):
    query = LogQuery(since=datetime(2026, 5, 1, 10, 0), until=datetime(2026, 5, 2, 7, 10))

    assert texts(search(query)) == [LINES_DAY2[0], *reversed(LINES_DAY1_ROLLOVER), LINES_DAY1[4], LINES_DAY1[3]]
    only_morning = LogQuery(since=datetime(2026, 5, 1, 8, 0), until=datetime(2026, 5, 1, 9, 0))
    assert texts(search(only_morning)) == [LINES_DAY1[1], LINES_DAY1[0]]


def test_one_file_only(logs):
    page = search(LogQuery(file="2026-05-01-1.log"))

    assert texts(page) == list(reversed(LINES_DAY1_ROLLOVER))


def test_a_bad_cursor_is_refused(logs):
    for cursor in ("../../etc/passwd:0", "2026-05-01.log:x", "nonsense"):
        with pytest.raises(InvalidInput):
            search(LogQuery(), cursor=cursor)


def test_a_cursor_into_a_deleted_file_goes_on_with_older_files(logs):
    first = search(LogQuery(), limit=5)
    assert first.next_cursor.startswith("2026-05-01-1.log:")
    (logs / "2026-05-01-1.log").unlink()  # retention deleted it meanwhile

    after_retention = search(LogQuery(), cursor=first.next_cursor)

    assert texts(after_retention) == list(reversed(LINES_DAY1))


@pytest.fixture
def big_log(log_folder):
    """About 6 MB in one file: 60 000 records, one per second from midnight."""
    log_folder.mkdir(parents=True)
    lines = []
    for number in range(60_000):
        second = number
        clock = f"{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000"
        tag = ("HTTPA", "CLI", "DELIVERY", "QUEUE")[number % 4]
        padding = "x" * 40
        head = f"{clock} {2 + number % 4} {tag}-{number:06d}([10.0.0.1]:4000)"
        lines.append(f"{head} record number {number:05d} {padding}")
    (log_folder / "2026-06-01.log").write_text("\n".join(lines) + "\n")
    return lines


def test_large_files_are_read_in_blocks_from_the_end(big_log, monkeypatch):
    reads = []
    real_preadv = os.preadv

    def recording_preadv(fd, buffers, offset):
        reads.append(sum(len(buffer) for buffer in buffers))
        return real_preadv(fd, buffers, offset)

    monkeypatch.setattr(search_module.os, "preadv", recording_preadv)

    page = search(LogQuery(), limit=50)

    assert texts(page) == list(reversed(big_log[-50:]))
    assert sum(reads) <= search_module.FIRST_BLOCK_SIZE
    reads.clear()
    found, _ = every_page(LogQuery(text="record number 0000"), limit=3)
    assert [record.line for record in found] == list(reversed(big_log[:10]))
    assert max(reads) <= search_module.BLOCK_SIZE


def test_blocks_cut_between_lines_lose_nothing(big_log, monkeypatch):
    monkeypatch.setattr(search_module, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(search_module, "FIRST_BLOCK_SIZE", 1000)

    found, _ = every_page(LogQuery(tag="QUEUE", text="record number 4"), limit=500)

    expected = [line for line in big_log if " QUEUE-" in line and "record number 4" in line]
    assert [record.line for record in found] == list(reversed(expected))


def test_a_time_range_in_a_large_file_finds_its_edges(big_log):
    query = LogQuery(since=datetime(2026, 6, 1, 10, 0, 0), until=datetime(2026, 6, 1, 10, 0, 4))

    assert texts(search(query)) == list(reversed(big_log[36000:36005]))
