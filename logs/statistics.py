"""Server statistics: the counters components bump (logs.stats) and the gauges read from the
database, sampled once a minute into StatSample rows, and the series the Monitors charts draw.

Counters only grow (until the cache is emptied), so a chart shows their growth per interval;
gauges (queue sizes, accounts, domains) show the value read at the end of each interval."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from logs import stats
from logs.models import StatSample

LOGIN_INTERFACES = ("WebAdmin", "CLI")
COUNTERS: tuple[str, ...] = (
    *(f"login.{name}" for name in LOGIN_INTERFACES),
    *(f"login.failed.{name}" for name in LOGIN_INTERFACES),
    "mail.submitted",
    "mail.delivered",
    "mail.rejected",
)
GAUGES: tuple[str, ...] = ("queue.messages", "queue.recipients", "accounts", "domains")
KEEP = timedelta(days=8)  # a week of charts, and a day to spare


def login_counter(interface: str, *, failed: bool) -> str:
    """The counter of (failed) logins through this interface: login.WebAdmin, login.failed.CLI, ..."""
    return f"login.failed.{interface}" if failed else f"login.{interface}"


def _queue_messages() -> int:
    from mailqueue.models import QueuedMessage

    return QueuedMessage.objects.filter(state=QueuedMessage.QUEUED).count()


def _queue_recipients() -> int:
    from mailqueue.models import QueueRecipient

    return QueueRecipient.objects.filter(state=QueueRecipient.WAITING).count()


def _accounts() -> int:
    from accounts.models import Account

    return Account.objects.count()


def _domains() -> int:
    from domains.models import Domain

    return Domain.objects.count()


_GAUGE_READERS: dict[str, Callable[[], int]] = {
    "queue.messages": _queue_messages,
    "queue.recipients": _queue_recipients,
    "accounts": _accounts,
    "domains": _domains,
}


def read_values() -> dict[str, int]:
    """Every counter and gauge now."""
    values = {name: stats.value(name) for name in COUNTERS}
    values.update({name: reader() for name, reader in _GAUGE_READERS.items()})
    return values


def sample(now: datetime | None = None) -> StatSample:
    """Record one sample (the beat task does this every minute) and drop those past a week."""
    now = now or timezone.now()
    row = StatSample.objects.create(time=now, values=read_values())
    StatSample.objects.filter(time__lt=now - KEEP).delete()
    return row


# --- series for the charts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    name: str
    label: str
    span: timedelta
    step: timedelta


PERIODS: dict[str, Period] = {
    "hour": Period("hour", "Last hour", timedelta(hours=1), timedelta(minutes=1)),
    "day": Period("day", "Last day", timedelta(days=1), timedelta(minutes=15)),
    "week": Period("week", "Last week", timedelta(days=7), timedelta(hours=1)),
}


@dataclass(frozen=True)
class Series:
    """Values per interval (None where no sample fell), starting at `start`, `step` apart."""

    start: datetime
    step: timedelta
    values: dict[str, list[float | None]]


def series(period: Period, names: Sequence[str], now: datetime | None = None) -> Series:
    """Counters as growth per interval, gauges as their last value in each interval."""
    now = now or timezone.now()
    buckets = int(period.span / period.step)
    start = now - period.step * buckets
    rows = StatSample.objects.filter(time__gt=start - period.step, time__lte=now).order_by("time")
    values: dict[str, list[float | None]] = {name: [None] * buckets for name in names}
    previous: dict | None = None
    for row in rows.values_list("time", "values").iterator(chunk_size=2000):
        when, reading = row
        index = int((when - start) / period.step)
        if 0 <= index < buckets:
            for name in names:
                _add(values[name], index, name, reading, previous)
        previous = reading
    return Series(start, period.step, values)


def _add(bucket: list[float | None], index: int, name: str, reading: dict, previous: dict | None) -> None:
    current = reading.get(name)
    if current is None:
        return
    if name not in COUNTERS:
        bucket[index] = current
        return
    if previous is None or previous.get(name) is None:
        growth = 0  # the first sample only sets where counting starts
    else:
        before = previous[name]
        growth = current - before if current >= before else current  # the cache was emptied: counted anew
    bucket[index] = (bucket[index] or 0) + growth


CHARTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (  # title, unit, lines
    ("Logins", "logins per interval", (("WebAdmin", "login.WebAdmin"), ("CLI", "login.CLI"))),
    ("Failed logins", "failed logins per interval", (("WebAdmin", "login.failed.WebAdmin"),
                                                     ("CLI", "login.failed.CLI"))),
    ("Messages", "messages per interval", (("Submitted", "mail.submitted"), ("Delivered", "mail.delivered"),
                                           ("Rejected", "mail.rejected"))),
    ("Queue", "messages or recipients", (("Messages queued", "queue.messages"),
                                         ("Recipients waiting", "queue.recipients"))),
    ("Accounts", "accounts", (("Accounts", "accounts"),)),
    ("Domains", "domains", (("Domains", "domains"),)),
)


def latest() -> StatSample | None:
    """The last sample taken."""
    return StatSample.objects.order_by("-time").first()


@dataclass(frozen=True)
class Recent:
    """Gauges as of the last sample and how much each counter grew since `since` (two rows read)."""

    taken: datetime | None
    gauges: dict[str, int]
    grown: dict[str, int]


def recent(since: datetime) -> Recent:
    """The overview's figures: read from the minute samples, never by counting large tables."""
    last = latest()
    if last is None:
        return Recent(None, {name: 0 for name in GAUGES}, {name: 0 for name in COUNTERS})
    first = StatSample.objects.filter(time__gte=since).order_by("time").first() or last
    grown = {name: max(0, int(last.values.get(name, 0)) - int(first.values.get(name, 0))) for name in COUNTERS}
    return Recent(last.time, {name: int(last.values.get(name, 0)) for name in GAUGES}, grown)
