"""The base directory exporter: a full export of many accounts, and the sync latency of single changes.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        python bench/export_bench.py [--accounts 100000] [--changes 200] [--rate 20] [--no-latency]

Creates a throw-away database (bench_<name of DATABASE_URL's database>) and a throw-away base
directory (under $TMPDIR, on the disk it measures), bulk-creates the accounts (20 domains, each
account with a few settings and preferences), then:

1. Full export: `basedir.export.export_full()` writes every account's three files (plus the
   server and domain files). Accounts per second, target at least 1,000/s. The baseline, in the
   same run: a plain loop that writes the same files (the same folders, the three files of each
   account with the same contents) one at a time with the same durability, as spec/basedir.md
   says for one file: mkdir + fsync of the parent, then per file a temporary file, write, fsync,
   rename, fsync the folder (basedir.atomic). The ratio is export speed / plain loop speed. The
   loop writes at most --baseline-accounts accounts (default 10,000): its rate is what counts.
2. Sync latency: a real Celery worker (2 processes) runs, and the benchmark changes one random
   account's RealName through the real service (accounts.services.account_update_settings) at a
   steady rate. A reader thread polls each changed account.settings until the new value is there:
   latency = seen on disk - committed. p50 and p99, target p99 under 1 s. The baseline is one
   temp+fsync+rename of one file (the least a single change costs on this disk).

The database, the broker's Redis database (give the benchmark one of its own) and the base
directory are emptied at the end."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
WORK = Path(tempfile.mkdtemp(prefix="cgadmin-export-bench-"))
os.environ["CGATE_BASE"] = str(WORK / "CommuniGate")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")  # a Redis database of its own
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from common import create_throwaway_database, drop_throwaway_database, report  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

DOMAINS = 20
TARGET_ACCOUNTS_PER_SECOND = 1000.0
TARGET_P99_MS = 1000.0


def populate(count: int) -> list[int]:
    """The Main Domain and postmaster (as the first start makes them), DOMAINS domains, the accounts."""
    from accounts.models import Account
    from basedir.models import ExportOutbox
    from domains.models import Domain
    from server.services import server_initialize

    started = time.perf_counter()
    server_initialize(host_name="mail.bench.test", postmaster_password="bench-secret")
    domains = [Domain.objects.create(name=f"client{n}.test", settings={"MailToUnknown": "Rejected"})
               for n in range(DOMAINS)]
    rng = random.Random(6)
    accounts = []
    for index in range(count):
        accounts.append(Account(
            domain=domains[index % DOMAINS], name=f"user{index:06d}", password="md5$bench$" + "0" * 32,
            settings={"RealName": f"User {index}", "MaxAccountSize": f"{rng.choice((10, 50, 100))}M",
                      "AccessModes": ["Mail", "POP", "IMAP", "WebMail"]},
            prefs={"TimeZone": rng.choice(("UTC", "Europe/Paris", "America/New_York")), "Language": "english"},
            info={"LastLogin": "2026-11-28 10:00:00"},
        ))
    Account.objects.bulk_create(accounts, batch_size=5000)
    ExportOutbox.objects.all().delete()  # bulk creation is not a change to export: the full export writes all
    print(f"created {count:,} accounts in {DOMAINS} domains in {time.perf_counter() - started:.1f} s")
    return list(Account.objects.exclude(name="postmaster").values_list("pk", flat=True))


def full_export(count: int, jobs: int = 1) -> float:
    from basedir.export import export_full

    started = time.perf_counter()
    result = export_full(jobs=jobs)
    elapsed = time.perf_counter() - started
    print(f"full export ({jobs} process{'es' if jobs > 1 else ''}): {result.accounts:,} accounts, "
          f"{result.files_written:,} files in {elapsed:.1f} s "
          f"= {result.accounts / elapsed:,.0f} accounts/s")
    return result.accounts / elapsed


def plain_loop(accounts: int, samples: tuple[bytes, bytes, bytes]) -> float:
    """Accounts per second of a loop that writes the same files as the export, one at a time, each
    made durable as spec/basedir.md says: the account's folder (mkdir, fsync its parent), then each
    of its three files through basedir.atomic (temporary file, write, fsync, rename, fsync the
    folder). Same folders, same files and sizes, same durability: the disk's limit one by one."""
    from basedir.atomic import write_file_atomic
    from basedir.files import make_folder

    root = WORK / "plain" / "Domains"
    started = time.perf_counter()
    for index in range(accounts):
        folder = root / f"client{index % DOMAINS}.test" / f"user{index:06d}.macnt"
        make_folder(folder)
        for name, data in zip(("account.settings", "account.info", "account.prefs"), samples, strict=True):
            write_file_atomic(folder / name, data, skip_unchanged=False)
    elapsed = time.perf_counter() - started
    shutil.rmtree(WORK / "plain", ignore_errors=True)
    print(f"plain loop: {accounts:,} accounts ({3 * accounts:,} files) in {elapsed:.1f} s = "
          f"{accounts / elapsed:,.0f} accounts/s ({3 * accounts / elapsed:,.0f} files/s)")
    return accounts / elapsed


def one_file_ms(runs: int = 50) -> float:
    """The median time of one temp+fsync+rename of one small file."""
    folder = WORK / "one"
    folder.mkdir()
    times = []
    for index in range(runs):
        started = time.perf_counter()
        temp = folder / ".a.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        os.write(fd, b"{RealName = x%d;}\n" % index)
        os.fsync(fd)
        os.close(fd)
        os.replace(temp, folder / "a.settings")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def start_worker() -> subprocess.Popen:
    database = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                                         f"{database['NAME']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cgadmin", "worker", "--concurrency", "2", "--without-heartbeat",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


class Watcher(threading.Thread):
    """Polls every pending change's file until its new value is on disk."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pending: dict[Path, tuple[bytes, float]] = {}
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.done = threading.Event()

    def expect(self, path: Path, marker: bytes, committed: float) -> None:
        with self.lock:
            self.pending[path] = (marker, committed)

    def run(self) -> None:
        while not (self.done.is_set() and not self.pending):
            with self.lock:
                items = list(self.pending.items())
            now = time.perf_counter()
            for path, (marker, committed) in items:
                try:
                    seen = marker in path.read_bytes()
                except FileNotFoundError:
                    seen = False
                if seen:
                    with self.lock:
                        if self.pending.get(path, (None,))[0] == marker:
                            del self.pending[path]
                    self.latencies.append((now - committed) * 1000)
            time.sleep(0.002)


def _change(watcher: Watcher, account_id: int, marker: bytes) -> None:
    """Change one account's RealName through the real service; the watcher waits for it on disk."""
    from accounts.models import Account
    from accounts.services import account_update_settings
    from basedir.models import ExportedDomain
    from basedir.paths import account_file_paths, account_relative

    account = Account.objects.select_related("domain").get(pk=account_id)
    domain_state = ExportedDomain.objects.get(pk=account.domain_id)
    relative = account_relative(account.name, account.kind, domain_state.foldering)
    path = account_file_paths(settings.CGATE_BASE / domain_state.path, relative)[0]
    account_update_settings(actor=None, account=account, updates={"RealName": marker.decode()})
    watcher.expect(path, marker, time.perf_counter())


def sync_latency(account_ids: list[int], changes: int, rate: float) -> tuple[float, float]:
    worker = start_worker()
    watcher = Watcher()
    rng = random.Random(7)
    try:
        watcher.start()
        chosen = rng.sample(account_ids, changes + 1)
        warm_up = chosen.pop()
        started = time.perf_counter()
        _change(watcher, warm_up, b"WarmUp")  # the stream starts once the worker has written one change
        deadline = time.monotonic() + 300
        while watcher.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        watcher.latencies.clear()
        print(f"worker ready: the first change took {time.perf_counter() - started:.1f} s (start-up included)")
        interval = 1.0 / rate
        next_at = time.perf_counter()
        for number, account_id in enumerate(chosen):
            _change(watcher, account_id, f"Changed{number:05d}".encode())
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        watcher.done.set()
        watcher.join(timeout=60)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    latencies = sorted(watcher.latencies)
    if len(latencies) < changes:
        print(f"only {len(latencies)} of {changes} changes reached the disk within 60 s")
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(f"sync latency over {len(latencies)} changes at {rate:g}/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
          f"max {latencies[-1]:.0f} ms")
    return p50, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=int(os.environ.get("EXPORT_BENCH_ACCOUNTS", 100_000)),
                        help="accounts to export (default 100,000, or $EXPORT_BENCH_ACCOUNTS under bench/run.py)")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="changes per second")
    parser.add_argument("--baseline-accounts", type=int, default=10_000,
                        help="accounts the plain loop writes (its rate is the baseline; default 10,000: one by "
                             "one, 7 fsyncs an account, 100,000 would take most of an hour here)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes of the full export (domains side by side)")
    parser.add_argument("--no-latency", action="store_true", help="the full export and its baseline only")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    original_database = create_throwaway_database()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"base directory exporter: {options.accounts:,} accounts, base directory in {WORK}; "
          f"{os.cpu_count()} CPUs, load average {load}")
    try:
        account_ids = populate(options.accounts)
        export_speed = full_export(options.accounts, options.jobs)
        folder = Path(settings.CGATE_BASE) / "Domains" / "client0.test" / "user000000.macnt"
        samples = tuple((folder / name).read_bytes() for name in ("account.settings", "account.info", "account.prefs"))
        plain_accounts = plain_loop(min(options.accounts, options.baseline_accounts), samples)
        if options.no_latency:
            return _report(options, export_speed, plain_accounts, None)
        single_ms = one_file_ms()
        p50, p99 = sync_latency(account_ids, options.changes, options.rate)
    finally:
        drop_throwaway_database(original_database)
        with_broker_cleaned()
        shutil.rmtree(WORK, ignore_errors=True)
    return _report(options, export_speed, plain_accounts, (p50, p99, single_ms))


def _report(options: argparse.Namespace, export_speed: float, plain_accounts: float,
            latency: tuple[float, float, float] | None) -> int:
    report(f"full export of {options.accounts:,} accounts ({options.jobs} process(es))", export_speed, "accounts/s",
           baseline=plain_accounts, baseline_name="plain loop: same files one by one (atomic write each)",
           target=f">= {TARGET_ACCOUNTS_PER_SECOND:,.0f}/s", passed=export_speed >= TARGET_ACCOUNTS_PER_SECOND)
    if latency is None:
        return 0 if export_speed >= TARGET_ACCOUNTS_PER_SECOND else 1
    p50, p99, single_ms = latency
    report(f"sync latency p50 ({options.rate:g} changes/s)", p50, "ms", baseline=single_ms,
           baseline_name="one temp+fsync+rename", target="", passed=None)
    report(f"sync latency p99 ({options.rate:g} changes/s)", p99, "ms", baseline=single_ms,
           baseline_name="one temp+fsync+rename", target=f"< {TARGET_P99_MS:.0f} ms", passed=p99 < TARGET_P99_MS)
    return 0 if export_speed >= TARGET_ACCOUNTS_PER_SECOND and p99 < TARGET_P99_MS else 1


def with_broker_cleaned() -> None:
    """Drop the tasks left in the benchmark's broker database (the sweep's, a slow worker's)."""
    from cgadmin.celery import app

    try:
        app.connection_for_write().default_channel.client.flushdb()
    except Exception as error:
        print(f"could not clean the broker: {error}")


if __name__ == "__main__":
    sys.exit(main())
