"""Server Log search against `grep -F` on the same ~1 GB of logs.

    python bench/log_search_bench.py [--size-mb 1024] [--keep DIR]

Generates realistic SystemLogs/ files (one file a day plus rollovers, records of every component)
in a temporary folder, then times, on the same files and the same query:
  - `grep -F QUERY files...` (LC_ALL=C, output read through a pipe), and
  - logs.search, newest first, page by page (100 records a page, cursor to cursor) to the end.
Both must find the same number of lines. Prints both times and the ratio (target: at most 2.0).
Each figure is the best of three runs, after one warm-up run that brings the files into the page
cache for both sides alike."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report

from logs.search import LogQuery, search

RARE = "needle.user@rare-client.example"
MEDIUM = "login failed"
FILE_SIZE = 100 * 1024 * 1024
PAGE = 100


def _bodies(rng: random.Random, count: int) -> list[str]:
    users = [f"user{n}" for n in range(2000)] + ["postmaster", "jane", "bob", "sales", "info"]
    domains = [f"client{n}.test" for n in range(60)] + ["example.com", "mail.example.test"]
    tags = ("HTTPA", "CLI", "DELIVERY", "QUEUE", "ACCOUNT", "PIPE", "EXPORT", "SYSTEM", "SMTP")
    bodies = []
    for _ in range(count):
        user, domain = rng.choice(users), rng.choice(domains)
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        session, port, qid = rng.randrange(1, 999999), rng.randrange(1024, 65535), rng.randrange(10**6, 10**7)
        tag = rng.choice(tags)
        level = rng.choice((2, 2, 3, 4, 4, 5, 5, 5))
        if tag == "HTTPA":
            body = rng.choice((
                f"HTTPA-{session:06d}([{ip}]:{port}) '{user}@{domain}' connected",
                f"HTTPA-{session:06d}([{ip}]:{port}) GET /Master/Users/Domains 200 {rng.randrange(200, 90000)}",
                f"HTTPA-{session:06d}([{ip}]:{port}) closed",
            ))
        elif tag == "CLI":
            body = rng.choice((
                f"CLI-{session:06d}([{ip}]:{port}) '{user}@{domain}' connected",
                f"CLI-{session:06d}([{ip}]:{port}) UpdateAccountSettings {user}@{domain}",
                f"CLI-{session:06d}([{ip}]:{port}) login failed for '{user}@{domain}'" if rng.random() < 0.02
                else f"CLI-{session:06d}([{ip}]:{port}) ListAccounts {domain}",
            ))
        elif tag == "DELIVERY":
            size = rng.randrange(900, 90000)
            body = f"DELIVERY-{session:06d} message {qid} delivered to {user}@{domain} INBOX ({size})"
        elif tag == "QUEUE":
            body = f"QUEUE({qid}) enqueued from <{user}@{domain}> for {rng.randrange(1, 8)} recipient(s)"
        elif tag == "ACCOUNT":
            body = f"ACCOUNT({user}@{domain}): {rng.choice(('Master access granted', 'password changed', 'opened'))}"
        elif tag == "PIPE":
            body = f"PIPE Submitted/{qid}.sub accepted as {qid}"
        elif tag == "EXPORT":
            body = f"EXPORT(domain {domain}) wrote Domains/{domain}/Settings/Domain.settings"
        elif tag == "SMTP":
            body = f"SMTP-{session:06d}([{ip}]:{port}) relay to {domain} refused: 550 unknown user {user}"
        else:
            body = f"SYSTEM worker heartbeat, queue {rng.randrange(0, 500)} messages, {rng.randrange(1, 90)}% disk free"
        bodies.append(f" {level} {body}\n")
    return bodies


def generate(folder: Path, total_bytes: int, seed: int = 8) -> list[Path]:
    """~total_bytes of Server Log files, 100 MB each, oldest day first; RARE planted ~200 times."""
    rng = random.Random(seed)
    bodies = _bodies(rng, 50_000)
    rare = [f" 3 CLI-{n:06d}([10.9.9.9]:4242) login failed for '{RARE}'\n" for n in range(50)]
    folder.mkdir(parents=True, exist_ok=True)
    files, written = [], 0
    day, index = date(2026, 5, 1), 0
    while written < total_bytes:
        path = folder / (f"{day:%Y-%m-%d}.log" if index == 0 else f"{day:%Y-%m-%d}-{index}.log")
        written += _write_file(path, rng, bodies, rare, min(FILE_SIZE, total_bytes - written), index)
        files.append(path)
        index += 1
        if index == 3:
            day, index = day + timedelta(days=1), 0
    return files


def _write_file(path: Path, rng: random.Random, bodies: list[str], rare: list[str], size: int, index: int) -> int:
    chunk_lines = 20_000
    seconds_per_file = 8 * 3600  # three files a day
    first_second = index * seconds_per_file
    approx_lines = max(1, size // 95)
    written, line_number = 0, 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        while written < size:
            picked = rng.choices(bodies, k=chunk_lines)
            for _ in range(rng.randrange(0, 2)):
                picked[rng.randrange(chunk_lines)] = rng.choice(rare)
            parts = []
            for offset, body in enumerate(picked):
                second = first_second + (line_number + offset) * seconds_per_file // approx_lines
                second = min(second, 86399)
                clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{offset % 1000:03d}"
                parts.append(clock + body)
            text = "".join(parts)
            handle.write(text)
            written += len(text.encode("utf-8"))
            line_number += chunk_lines
    return written


def time_grep(query: str, files: list[Path]) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        ["grep", "-F", "--", query, *map(str, files)], stdout=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    elapsed = time.perf_counter() - started
    return elapsed, result.stdout.count(b"\n")


def time_search(query: str, folder: Path) -> tuple[float, int]:
    started = time.perf_counter()
    found, cursor, pages = 0, "", 0
    while True:
        page = search(LogQuery(text=query), cursor=cursor, limit=PAGE, folder=folder)
        found += len(page.records)
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    return time.perf_counter() - started, found


def best_of(runs: int, measure, *args) -> tuple[float, int]:
    results = [measure(*args) for _ in range(runs)]
    counts = {count for _, count in results}
    assert len(counts) == 1, f"runs disagree: {counts}"
    return min(seconds for seconds, _ in results), counts.pop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--keep", help="generate into (or reuse) this folder and keep it")
    arguments = parser.parse_args()
    folder = Path(arguments.keep) if arguments.keep else Path(tempfile.mkdtemp(prefix="cgadmin-logbench-"))
    try:
        files = sorted(folder.glob("*.log"))
        if not files:
            started = time.perf_counter()
            files = generate(folder, arguments.size_mb * 1024 * 1024)
            print(f"generated {len(files)} files, {sum(f.stat().st_size for f in files) / 2**20:.0f} MB "
                  f"in {time.perf_counter() - started:.1f} s ({folder})")
        total = sum(f.stat().st_size for f in files)
        worst = 0.0
        for label, query in (("rare", RARE), ("medium", MEDIUM)):
            time_grep(query, files)  # warm-up: both sides read from the page cache
            grep_seconds, grep_count = best_of(3, time_grep, query, files)
            ours_seconds, ours_count = best_of(3, time_search, query, folder)
            if grep_count != ours_count:
                print(f"MISMATCH for {query!r}: grep found {grep_count} lines, search found {ours_count}")
                return 1
            ratio = ours_seconds / grep_seconds
            worst = max(worst, ratio)
            print(f"{label:6s} query {query!r}: {grep_count} lines in {total / 2**20:.0f} MB | "
                  f"grep -F {grep_seconds:.3f} s | search {ours_seconds:.3f} s | ratio {ratio:.2f}")
            report(f"search {label} text in {total / 2**20:.0f} MB of logs", ours_seconds, "s",
                   baseline=grep_seconds, baseline_name="grep -F", ratio=ratio,
                   target="ratio <= 2 (time / grep's)", passed=ratio <= 2.0)
        verdict = "PASS" if worst <= 2.0 else "FAIL"
        print(f"log search / grep -F worst ratio: {worst:.2f} (target <= 2.00) {verdict}")
        return 0 if worst <= 2.0 else 1
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
