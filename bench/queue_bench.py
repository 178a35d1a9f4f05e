"""The message queue: Submitted/ -> Queue/ -> mailboxes, with fsync on, on PostgreSQL.

    DATABASE_URL=postgres://... python bench/queue_bench.py [--messages 10000] [--size 10240] [--workers 2]

Creates a throw-away database (bench_<name of DATABASE_URL's database>) and a base directory in a
temporary folder, with 20 accounts (10 Text mailboxes, 10 MailDir). Then:

1. Baseline: a plain loop writes the same message bytes as files, each to a temporary name, fsync,
   rename (what any durable writer must at least do).
2. Throughput: the same messages are dropped into Submitted/ as .sub files, one recipient each,
   and `--workers` real queue runner processes (`manage.py queuerunner --deliver`) pick them up
   and deliver them; timed from the first rename (.tmp to .sub, the runners already started)
   until the last message is delivered. The figure is
   messages delivered per second, and its ratio to the baseline's files per second.
3. A mailing list: one posting to a list of `--subscribers` (10,000) subscribers (the 20 local
   accounts, the rest remote addresses in 100 domains) is picked up and expanded by the runners;
   timed from the rename until every subscriber's copy is routed (local ones delivered, remote ones
   waiting in their SMTP queues). The list exists during step 2 as well, so the throughput figure
   includes routing with lists present.
4. Pickup latency: with one runner idle, messages are renamed to .sub one at a time at random
   moments; the latency is from the rename to the message being queued (its `received` time).

Besides the 20 accounts, one message in 11 goes to a forwarder (to an account) and one in 11 to a
group of two accounts: routing expands them into recipients of the message in the same pass.

Target: at least 300 messages delivered per second; pickup p95 within 2 s; the list posting reaches
every subscriber."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
BASE = Path(tempfile.mkdtemp(prefix="queue-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ["CGATE_BASE"] = str(BASE)
os.environ["DNS_RESOLVER"] = "server.dns.StaticResolver"
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

django.setup()

from common import report  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

TARGET_RATE = 300.0
TARGET_PICKUP_P95 = 2.0
ACCOUNTS = 20


def message_bytes(number: int, address: str, size: int, rng: random.Random) -> bytes:
    header = (f"From: Bench <bench@remote.example>\nTo: {address}\nSubject: bench message {number}\n"
              f"Message-ID: <bench-{number}@example.test>\n\n").encode()
    line = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(75)) + b"\n"
    return header + line * max(1, (size - len(header)) // len(line))


def plain_loop(folder: Path, messages: list[bytes]) -> float:
    """Files per second of temp + fsync + rename for the same bytes."""
    folder.mkdir()
    started = time.perf_counter()
    for number, data in enumerate(messages):
        tmp = folder / f".{number}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, folder / f"{number}.msg")
    elapsed = time.perf_counter() - started
    shutil.rmtree(folder)
    return len(messages) / elapsed


def runner_environment() -> dict[str, str]:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    environment = dict(os.environ)
    environment["DATABASE_URL"] = (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                                   f"{db['PORT'] or 5432}/{db['NAME']}")
    return environment


def start_runners(count: int) -> list[subprocess.Popen]:
    """Queue runner processes, returned once each has said it is watching Submitted/."""
    processes = [subprocess.Popen([sys.executable, str(PROJECT / "manage.py"), "queuerunner", "--deliver"],
                                  cwd=PROJECT, env=runner_environment(), stdout=subprocess.PIPE, text=True)
                 for _ in range(count)]
    for process in processes:
        assert process.stdout is not None
        if "started" not in process.stdout.readline():
            raise RuntimeError("a queue runner did not start")
    return processes


def stop_runners(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stdout is not None:
            process.stdout.close()


def setup_accounts() -> list[str]:
    from accounts.services import account_create
    from basedir.layout import ensure_layout
    from domains.services import domain_create
    from forwarders.services import forwarder_create
    from groups.services import group_create
    from server.services import server_initialize

    ensure_layout(BASE)
    server_initialize(host_name="mail.example.test", postmaster_password="bench-secret")
    domain = domain_create(actor=None, name="client1.test")
    addresses = []
    for number in range(ACCOUNTS):
        kind = "TextMailbox" if number % 2 else "MailDirMailbox"
        addresses.append(account_create(actor=None, domain=domain, name=f"user{number}", kind=kind).address)
    forwarder_create(actor=None, domain=domain, name="sales", target="user0")
    group_create(actor=None, domain=domain, name="team", settings={"Members": ["user1", "user2@client1.test"]})
    return [*addresses[:10], "sales@client1.test", *addresses[10:], "team@client1.test"]


def add_rules() -> None:
    from accounts.models import Account
    from cgadmin.dataformat import loads
    from domains.models import Domain
    from mailrules.services import account_rules_set, domain_rules_set, server_rules_set

    rules = loads('((5, "Never", ((Subject, is, "*never sent*"), ("Header Field", is, "X-Spam: yes")), '
                  '(("Discard"))))')
    server_rules_set(actor=None, rules=rules)
    domain_rules_set(actor=None, domain=Domain.objects.get(name="client1.test"), rules=rules)
    for account in Account.objects.filter(domain__name="client1.test").select_related("domain"):
        account_rules_set(actor=None, account=account, rules=rules)


def setup_list(addresses: list[str], subscribers: int) -> str:
    """A list of `subscribers` subscribers: the local accounts, then remote addresses. The subscriber
    rows are inserted in bulk (test data; the List service makes one audited change a subscriber)."""
    from django.utils import timezone

    from domains.models import Domain
    from lists.models import MailingList, Subscriber
    from lists.services import list_create, list_update_settings

    domain = Domain.objects.get(name="client1.test")
    big = list_create(actor=None, domain=domain, name="biglist", owner="user0")
    list_update_settings(actor=None, mailing_list=big, updates={"Postings": "from anybody"})
    local = [address for address in addresses if address.startswith("user")]  # the accounts, not sales or team
    everyone = local + [f"sub{n}@remote{n % 100}.example" for n in range(subscribers - len(local))]
    now = timezone.now()
    Subscriber.objects.bulk_create([Subscriber(mailing_list=big, address=address, mode="feed", subscribed=now)
                                    for address in everyone], batch_size=5000)
    MailingList.objects.filter(pk=big.pk).update(subscriber_count=len(everyone))
    return big.address


def list_delivery(address: str, subscribers: int, workers: int, size: int, rng: random.Random) -> float:
    """Seconds from the rename of one posting to the list until every subscriber's copy is routed."""
    from mailqueue.models import QueueRecipient

    submitted = BASE / "Submitted"
    (submitted / "list.tmp").write_bytes(message_bytes(999_999, address, size, rng))
    processes = start_runners(workers)
    try:
        started = time.perf_counter()
        os.rename(submitted / "list.tmp", submitted / "list.sub")
        while True:
            time.sleep(0.2)
            rows = QueueRecipient.objects.filter(message__source_name="list.sub")
            routed = rows.filter(state__in=("D", "F")).count() + rows.filter(state="W").exclude(module="").count()
            if routed >= subscribers + 1:  # the list's own row, then a row a subscriber
                break
            if any(process.poll() is not None for process in processes):
                raise RuntimeError("a queue runner stopped")
        elapsed = time.perf_counter() - started
    finally:
        stop_runners(processes)
    rows = QueueRecipient.objects.filter(message__source_name="list.sub")
    local = rows.filter(state="D").count() - 1  # the list's own row is done too
    waiting = rows.filter(state="W", module="SMTP").count()
    print(f"list posting: {rows.count() - 1:,} subscriber copies ({local} delivered to local INBOXes, "
          f"{waiting:,} waiting in {rows.filter(state='W').values('queue').distinct().count()} SMTP queues)")
    assert local + waiting == subscribers, (local, waiting)
    return elapsed


def not_done() -> int:
    from mailqueue.models import QueuedMessage

    return QueuedMessage.objects.exclude(state=QueuedMessage.DONE).count()


def throughput(messages: list[bytes], workers: int) -> float:
    """Messages delivered per second by `workers` queue runner processes."""
    from mailqueue.models import QueuedMessage

    submitted = BASE / "Submitted"
    for number, data in enumerate(messages):  # written whole beforehand; the renames start the clock
        (submitted / f"b{number:06d}.tmp").write_bytes(data)
    processes = start_runners(workers)
    try:
        started = time.perf_counter()
        for number in range(len(messages)):
            os.rename(submitted / f"b{number:06d}.tmp", submitted / f"b{number:06d}.sub")
        while True:
            time.sleep(0.2)
            if not any(True for _ in os.scandir(submitted)) and not_done() == 0:
                break
            if any(process.poll() is not None for process in processes):
                raise RuntimeError("a queue runner stopped")
        elapsed = time.perf_counter() - started
    finally:
        stop_runners(processes)
    done = QueuedMessage.objects.filter(state=QueuedMessage.DONE).count()
    assert done == len(messages), (done, len(messages))
    return len(messages) / elapsed


def pickup_latency(messages: list[bytes], rng: random.Random) -> list[float]:
    """Seconds from each rename to the message being queued, with one runner watching Submitted/."""
    from mailqueue.models import QueuedMessage

    submitted = BASE / "Submitted"
    processes = start_runners(1)
    renamed: dict[str, float] = {}
    try:
        for number, data in enumerate(messages):
            name = f"p{number:05d}"
            tmp = submitted / f"{name}.tmp"
            tmp.write_bytes(data)
            time.sleep(rng.uniform(0.0, 0.05))
            os.rename(tmp, submitted / f"{name}.sub")
            renamed[f"{name}.sub"] = time.time()
        deadline = time.monotonic() + 60
        while QueuedMessage.objects.filter(source_name__in=list(renamed), state__in=("Q", "X")).count() < len(renamed):
            if time.monotonic() > deadline:
                raise RuntimeError("pickup did not finish")
            time.sleep(0.1)
    finally:
        stop_runners(processes)
    rows = QueuedMessage.objects.filter(source_name__in=list(renamed)).values_list("source_name", "received")
    return sorted(max(0.0, received.timestamp() - renamed[name]) for name, received in rows)


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=10 * 1024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pickups", type=int, default=200)
    parser.add_argument("--rules", action="store_true",
                        help="give the server, the domain and every account a mail rule that every copy is checked "
                             "against (and none meets): the cost of running rules in the queue")
    parser.add_argument("--subscribers", type=int, default=10_000)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    database = settings.DATABASES["default"]
    original = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"bench_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    rng = random.Random(20261128)
    try:
        addresses = setup_accounts()
        if options.rules:
            add_rules()
        list_address = setup_list(addresses, options.subscribers)
        messages = [message_bytes(n, addresses[n % len(addresses)], options.size, rng)
                    for n in range(options.messages)]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"Message queue: {options.messages:,} messages of {len(messages[0]):,} bytes, {options.workers} "
              f"runner process(es), fsync on; {os.cpu_count()} CPUs, load average {load}")
        baseline = plain_loop(BASE / "plain", messages)
        print(f"plain temp+fsync+rename loop: {baseline:,.0f} files/s")
        rate = throughput(messages, options.workers)
        print(f"delivered: {rate:,.0f} messages/s ({rate / baseline:.2f}x the plain loop)")
        list_seconds = list_delivery(list_address, options.subscribers, options.workers, options.size, rng)
        print(f"list posting to {options.subscribers:,} subscribers routed in {list_seconds:.1f} s "
              f"({options.subscribers / list_seconds:,.0f} subscribers/s)")
        latencies = pickup_latency(messages[: options.pickups], rng)
    finally:
        connection.close()
        connection.creation.destroy_test_db(original, verbosity=0)
        shutil.rmtree(BASE, ignore_errors=True)
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print(f"pickup latency over {len(latencies)} renames: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")
    report(f"delivered, {options.messages:,} x {options.size // 1024} KB, fsync", rate, "msg/s", baseline=baseline,
           baseline_name="plain temp+fsync+rename loop", target=f">= {TARGET_RATE:.0f} msg/s",
           passed=rate >= TARGET_RATE)
    report(f"list posting, {options.subscribers:,} subscribers", list_seconds, "s", target="every subscriber",
           passed=True)
    report("pickup latency p50", p50 * 1000, "ms", target=f"< {TARGET_PICKUP_P95 * 1000:.0f} ms", passed=None)
    report("pickup latency p95", p95 * 1000, "ms", target=f"< {TARGET_PICKUP_P95 * 1000:.0f} ms",
           passed=p95 < TARGET_PICKUP_P95)
    passed = rate >= TARGET_RATE and p95 < TARGET_PICKUP_P95
    print(f"target >= {TARGET_RATE:.0f} msg/s and pickup p95 < {TARGET_PICKUP_P95:.0f} s: "
          f"{'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
