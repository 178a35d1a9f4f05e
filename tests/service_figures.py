"""How many services each module has (and how many take an actor), and how many its tests call
directly as allowed and as refused actors: `.venv/bin/python tests/service_figures.py` (no database).
A service without an actor (a worker's or the first start's) has no refusal to test; the test modules
name the few with an actor that check no right themselves (NO_REFUSAL) and why."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings_test")

import django

django.setup()

from tests.service_checks import coverage_rows  # noqa: E402

rows = coverage_rows()
print(f"{'module':26} {'services':>8} {'actor':>6} {'allowed':>8} {'refused':>8}")
for name, services, actor, allowed, refused in rows:
    print(f"{name:26} {services:8} {actor:6} {allowed:8} {refused:8}")
totals = [sum(row[column] for row in rows) for column in range(1, 5)]
print(f"{'total':26} {totals[0]:8} {totals[1]:6} {totals[2]:8} {totals[3]:8}")
