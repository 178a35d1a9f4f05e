"""Central Directory search: 100,000 records on PostgreSQL, searched by prefix of name or e-mail.

    DATABASE_URL=postgres://... python bench/directory_bench.py [--records 100000] [--runs 30]

Creates a throw-away database (bench_<name of DATABASE_URL's database>), migrates it, bulk-creates
the records (spread over 20 domain units and the Local Unit), and times the real selector
(directory.selectors.search_records: rules applied, one page of 50 records built) for several
prefixes, from the server's side: the query and the page, no HTTP. Then it drops the search indexes
and times the same calls again: that is the baseline, and the ratio is baseline / indexed.
The target: every median and p95 with the indexes under 50 ms. The database is dropped at the end."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")

import django

django.setup()

import common  # noqa: E402
from common import FIRST, report, throwaway_database  # noqa: E402
from django.db import connection  # noqa: E402

TARGET_MS = 50.0
DOMAINS = 20
SEARCH_INDEXES = ("directory_name_key", "directory_real_name_id", "directory_email_id")
LAST = (*common.LAST, "müller")  # one real name beyond ASCII
# (label, prefix): single letters (thousands of matches, early and late in the order), common and
# rare names, a real name, an address (filled in from the data), no match.
PREFIXES = [("1 letter", "a"), ("1 letter", "m"), ("1 letter", "z"), ("name", "jo"), ("name", "mary.s"),
            ("real name", "Garcia"), ("e-mail", ""), ("rare", "quentin.k"), ("none", "zzq")]


def _records(count: int, domains: list, rng: random.Random) -> list:
    from directory.models import DirectoryRecord, search_key

    records = []
    seen: set[tuple[int, str]] = set()
    while len(records) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = domains[rng.randrange(len(domains))]
        short = rng.random() < 0.5
        name = f"{first}.{last[0]}{rng.randrange(10000)}" if short else f"{first}.{last}{rng.randrange(100)}"
        name = name.encode("ascii", "ignore").decode()
        if (domain.pk, name) in seen:
            continue
        seen.add((domain.pk, name))
        real = f"{last.capitalize()} {first.capitalize()}"
        email = f"{name}@{domain.name}"
        records.append(DirectoryRecord(
            domain=domain, name=name, real_name=real, email=email, domain_name=domain.name,
            public={"title": rng.choice(("Engineer", "Sales", "Support"))},
            name_key=search_key(name), real_name_key=search_key(real), email_key=search_key(email)))
    return records


def populate(count: int) -> None:
    from directory.models import DirectoryRecord
    from domains.models import Domain

    rng = random.Random(20261125)
    domains = Domain.objects.bulk_create([Domain(name=f"client{n}.test") for n in range(DOMAINS)])
    started = time.perf_counter()
    DirectoryRecord.objects.bulk_create(_records(count - 100, domains, rng), batch_size=5000)
    DirectoryRecord.objects.bulk_create([DirectoryRecord(name=f"desk {n}", name_key=f"desk {n}") for n in range(100)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_directoryrecord")
    print(f"created {DirectoryRecord.objects.count():,} records in {time.perf_counter() - started:.1f} s")


def time_search(prefix: str, runs: int) -> tuple[float, float, int]:
    """Median and p95 in ms of one page (50 records) of the search, and the page's size."""
    from directory.selectors import search_records

    search_records(viewer=None, prefix=prefix)  # warm: plans, caches
    times = []
    found = 0
    for _ in range(runs):
        started = time.perf_counter()
        page = search_records(viewer=None, prefix=prefix)
        times.append((time.perf_counter() - started) * 1000)
        found = len(page.records)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], found


def matches(prefix: str) -> int:
    from django.db.models import Q

    from directory.models import DirectoryRecord, search_key

    key = search_key(prefix)
    return DirectoryRecord.objects.filter(Q(name_key__startswith=key) | Q(real_name_key__startswith=key)
                                          | Q(email_key__startswith=key)).count()


def an_address_prefix() -> str:
    """The start of one record's address, up to a few letters of its domain."""
    from directory.models import DirectoryRecord

    records = DirectoryRecord.objects.filter(domain__isnull=False).order_by("id").values_list("email", flat=True)
    email = records[min(777, records.count() // 2)]  # one from the middle of a small set
    local, _, domain = email.partition("@")
    return f"{local}@{domain[:4]}"


def measure(runs: int) -> dict[str, tuple[float, float, int]]:
    return {prefix: time_search(prefix, runs) for _label, prefix in PREFIXES}


def drop_search_indexes() -> None:
    with connection.cursor() as cursor:
        for name in SEARCH_INDEXES:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ANALYZE directory_directoryrecord")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    with throwaway_database():
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"Central Directory search: PostgreSQL {version}, {options.runs} runs per prefix, one page of 50; "
              f"{os.cpu_count()} CPUs, load average {load}")
        populate(options.records)
        PREFIXES[PREFIXES.index(("e-mail", ""))] = ("e-mail", an_address_prefix())
        counts = {prefix: matches(prefix) for _label, prefix in PREFIXES}
        indexed = measure(options.runs)
        drop_search_indexes()
        baseline = measure(max(5, options.runs // 3))
    print(f"{'prefix':<28}{'matches':>9}{'median ms':>11}{'p95 ms':>9}{'no-index median':>17}{'ratio':>8}")
    worst = 0.0
    for label, prefix in PREFIXES:
        median, p95, _found = indexed[prefix]
        base_median = baseline[prefix][0]
        worst = max(worst, median, p95)
        print(f"{label + ' ' + repr(prefix):<28}{counts[prefix]:>9,}{median:>11.2f}{p95:>9.2f}{base_median:>17.2f}"
              f"{base_median / median:>7.1f}x")
        report(f"search {label} {prefix!r}, {options.records:,} records, median", median, "ms",
               baseline=base_median, baseline_name="without the indexes", target=f"< {TARGET_MS:.0f} ms",
               passed=max(median, p95) < TARGET_MS)
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"slowest median/p95 with indexes: {worst:.2f} ms (target < {TARGET_MS:.0f} ms): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
