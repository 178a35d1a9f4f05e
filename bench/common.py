"""What every benchmark shares: one machine-readable line per figure, collected by bench/run.py.

A benchmark prints whatever helps a reader, and calls report() once per headline figure; run.py
gathers those lines from every benchmark into one table (figure, baseline from the same run, ratio)."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RESULT_PREFIX = "@@bench-result "
# Names for generated accounts and directory records (first.lastN): lower-case ASCII, as account names are.
FIRST = ("james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth",
         "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen",
         "anna", "olga", "ivan", "jose", "maria", "li", "wei", "yuki", "hans", "ingrid", "pierre", "chloe",
         "ahmed", "fatima", "raj", "priya", "zoe", "xavier", "quentin", "uma")
LAST = ("smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson",
        "muller", "schmidt", "ivanov", "petrova", "nakamura", "chen", "wang", "dubois", "rossi", "kowalski")


def create_throwaway_database() -> str:
    """A new, migrated database bench_<name of DATABASE_URL's database> (Django set up); the original name."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    original = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"bench_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return original


def drop_throwaway_database(original: str) -> None:
    """Drop what create_throwaway_database made and point Django back at the original database."""
    from django.db import connection

    connection.creation.destroy_test_db(original, verbosity=0)


@contextmanager
def throwaway_database() -> Iterator[None]:
    """create_throwaway_database, dropped afterwards."""
    original = create_throwaway_database()
    try:
        yield
    finally:
        drop_throwaway_database(original)


def report(
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    ratio: float | None = None,
    target: str = "",
    passed: bool | None = None,
) -> None:
    """Print one headline figure with its same-run baseline, for bench/run.py's table."""
    if ratio is None and baseline and value:
        ratio = baseline / value if unit.endswith("ms") or unit == "s" else value / baseline
    line = {
        "figure": figure, "value": value, "unit": unit, "baseline": baseline, "baseline_name": baseline_name,
        "ratio": ratio, "target": target, "passed": passed,
    }
    print(RESULT_PREFIX + json.dumps(line), flush=True)


def machine() -> str:
    """One line naming the machine the figures came from."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        lines = cpuinfo.read_text().splitlines()
        names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 2**20:.0f} GiB"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}, load average {load}"
