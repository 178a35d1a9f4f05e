"""Users realm list pages at scale: the Accounts page of a domain with 100,000 accounts (and, with
--million, 1,000,000), and the Domains page with 1,000 domains, against Django's own admin.

    DATABASE_URL=postgres://... python bench/users_bench.py [--accounts 100000] [--million] [--runs 15]

Creates a throw-away database (bench_<name of DATABASE_URL's database>) under bench/users_settings.py
(the product plus a Django admin site over the same tables, bench-only), fills it with
bench/users_generate.py, logs in as postmaster with a session, and times whole requests on the
server side (Django's test client: middleware, session, view, queries, template; no network):
- Accounts page: the first page, a filtered page, a page 90% deep (50 rows each);
- Domains page: the first page and a filtered page;
- the same lists as Django admin changelists (COUNT for its paginator, OFFSET pages, icontains search).
Prints each median, its SQL query count, and the ratio admin / ours. Targets: every median of ours
at most 50 ms at 100,000 accounts, and at most 1.5x that at 1,000,000. The database is dropped."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.users_settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # no worker runs here
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")

import django

django.setup()

import users_generate as generator  # noqa: E402
from common import report as report_figure  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGET_MS = 50.0
SCALE_LIMIT = 1.5
PAGE = 50
USERS = f"/Master/Users/Domains/{generator.BIG_DOMAIN}/Accounts"
ADMIN_ACCOUNTS = "/benchadmin/accounts/account/"
ADMIN_DOMAINS = "/benchadmin/domains/domain/"
CPU_MEDIANS: dict[tuple[str, tuple], float] = {}


def logged_in_client() -> Client:
    """postmaster with a WebAdmin session that opened the Master realm (no password hashing per request)."""
    from accounts.models import Account
    from realms.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_TIME, SESSION_REALMS

    client = Client()
    client.force_login(Account.objects.get(name="postmaster", domain__is_main=True),
                       backend="realms.auth.AccountBackend")
    session = client.session
    now = int(time.time())
    session[SESSION_REALMS], session[SESSION_LOGIN_TIME], session[SESSION_LAST_SEEN] = ["Master"], now, now
    session.save()
    return client


def time_page(client: Client, url: str, params: dict[str, str], runs: int, must_show: str) -> tuple[float, int]:
    """Median milliseconds of the whole request, and its SQL query count. (The Python process's own
    CPU time is kept in CPU_MEDIANS: on a loaded machine it shows what the page costs when it runs.)"""
    response = client.get(url, params)  # warm: plans, templates, caches
    body = response.content.decode()
    if response.status_code != 200 or must_show not in body:
        raise SystemExit(f"{url} {params}: status {response.status_code}, {must_show!r} not on the page")
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    CPU_MEDIANS[(url, tuple(sorted(params.items())))] = statistics.median(cpu)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(times), len(queries)


def account_name_at(fraction: float) -> str:
    from accounts.models import Account

    accounts = Account.objects.filter(domain__name=generator.BIG_DOMAIN).order_by("name")
    position = int(accounts.count() * fraction)
    return accounts.values_list("name", flat=True)[position]


def cases() -> list[tuple[str, str, dict[str, str], str, dict[str, str], str]]:
    """(label, our url, our params, admin url, admin params, a text each page must show)."""
    from accounts.models import Account

    total = Account.objects.filter(domain__name=generator.BIG_DOMAIN).count()
    deep_name = account_name_at(0.9)
    deep_page = str(int(total * 0.9) // PAGE)  # the admin's pages count from 0 in ?p=
    first = account_name_at(0)
    return [
        ("Accounts: first page", USERS, {"limit": str(PAGE)}, ADMIN_ACCOUNTS, {}, first),
        ("Accounts: filter 'mary.s'", USERS, {"limit": str(PAGE), "filter": "mary.s"}, ADMIN_ACCOUNTS,
         {"q": "mary.s"}, "mary.s"),
        ("Accounts: 90% deep", USERS, {"limit": str(PAGE), "after": deep_name}, ADMIN_ACCOUNTS,
         {"p": deep_page}, ""),
        ("Domains: first page", "/Master/Users/Domains", {"limit": str(PAGE)}, ADMIN_DOMAINS, {}, "d0001.bench.test"),
        ("Domains: filter 'd00'", "/Master/Users/Domains", {"limit": str(PAGE), "filter": "d00"}, ADMIN_DOMAINS,
         {"q": "d00"}, "d0050.bench.test"),
    ]


def measure(runs: int) -> list[tuple[str, float, int, float, int]]:
    """Each case: (label, our median, our queries, admin median, admin queries); prints CPU medians."""
    client = logged_in_client()
    results = []
    for label, url, params, admin_url, admin_params, shown in cases():
        ours, our_queries = time_page(client, url, params, runs, shown)
        theirs, their_queries = time_page(client, admin_url, admin_params, max(3, runs // 3), shown)
        results.append((label, ours, our_queries, theirs, their_queries))
        our_cpu = CPU_MEDIANS[(url, tuple(sorted(params.items())))]
        their_cpu = CPU_MEDIANS[(admin_url, tuple(sorted(admin_params.items())))]
        print(f"  {label}: Python CPU median {our_cpu:.1f} ms (admin {their_cpu:.1f} ms)")
    return results


def report(accounts: int, results: list[tuple[str, float, int, float, int]], target_ms: float) -> None:
    """The table of one size, and one headline figure a page for bench/run.py."""
    print(f"at {accounts:,} accounts:")
    print(f"{'page':<30}{'median ms':>10}{'queries':>9}{'admin ms':>10}{'admin q':>9}{'ratio':>8}")
    for label, ours, our_queries, theirs, their_queries in results:
        print(f"{label:<30}{ours:>10.1f}{our_queries:>9}{theirs:>10.1f}{their_queries:>9}{theirs / ours:>7.1f}x")
    for label, ours, _queries, theirs, _their_queries in results:
        report_figure(f"{label}, {accounts:,} accounts, median", ours, "ms", baseline=theirs,
                      baseline_name="Django admin changelist", target=f"<= {target_ms:.0f} ms",
                      passed=ours <= target_ms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="then grow the domain to 1,000,000 accounts")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    failed = False
    with generator.throwaway_database():
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"Users realm lists: PostgreSQL {version}, {options.runs} runs a page (admin: a third), "
              f"{PAGE} rows a page; {os.cpu_count()} CPUs, load average {load}")
        timings = generator.generate(domains=options.domains, accounts=options.accounts)
        differences = generator.check_equivalence(generator.big_domain_id())
        print(f"generated {options.domains:,} domains and {options.accounts:,} accounts: "
              + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in timings.items()))
        for difference in differences:
            print("DIFFERENT from account_create:", difference)
        report_figure(f"generate {options.domains:,} domains and {options.accounts:,} accounts", timings["total"],
                      "s", target="< 60 s", passed=timings["total"] < 60 and not differences)
        failed |= bool(differences) or timings["total"] >= 60
        small = measure(options.runs)
        report(options.accounts, small, TARGET_MS)
        slowest = max(result[1] for result in small)
        print(f"slowest median: {slowest:.1f} ms (target <= {TARGET_MS:.0f} ms): "
              f"{'PASS' if slowest <= TARGET_MS else 'FAIL'}")
        failed |= slowest > TARGET_MS
        if options.million:
            started = time.perf_counter()
            generator.grow(generator.big_domain_id(), 1_000_000 - options.accounts - 1, start=options.accounts + 1)
            print(f"grew the domain to 1,000,000 accounts in {time.perf_counter() - started:.1f} s")
            large = measure(options.runs)
            report(1_000_000, large, TARGET_MS * SCALE_LIMIT)
            for (label, big, *_), (_, small_median, *_rest) in zip(large, small, strict=True):
                print(f"{label}: {big / small_median:.2f}x its median at {options.accounts:,} accounts")
            worst = max(result[1] for result in large)
            print(f"slowest median: {worst:.1f} ms (target <= {SCALE_LIMIT}x {TARGET_MS:.0f} ms): "
                  f"{'PASS' if worst <= TARGET_MS * SCALE_LIMIT else 'FAIL'}")
            failed |= worst > TARGET_MS * SCALE_LIMIT
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
