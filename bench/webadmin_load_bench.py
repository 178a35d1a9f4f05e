"""WebAdmin throughput under load: the Accounts list against the Django admin changelist of the same table.

    python bench/webadmin_load_bench.py [--accounts 1000] [--seconds 10]

Needs wrk (Debian's package; `make bench` installs it when missing), PostgreSQL (DATABASE_URL; a
throw-away database bench_webadmin is created, migrated and dropped) and Redis for the shared
cache, as in production (BENCH_REDIS_URL, default redis://127.0.0.1:6379/9). Starts two gunicorns
with the repository's settings (cgadmin/gunicorn.conf.py) on free ports: the WebAdmin, and the
same code with django.contrib.admin (bench/admin_changelist.py). Logs in as postmaster through the
login form and lets wrk load, with that session, the domain's Accounts list (first page, 50 rows)
and the admin changelist of the same rows (50 a page, by name), at 8 and 64 connections. Target:
the Accounts list serves at least as many requests a second as the changelist; p99 is printed."""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
from common import report

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-postmaster"
DATABASE = "bench_webadmin"
WARM_UP_SECONDS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL, without the database name."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
    return url.rsplit("/", 1)[0]


def recreate_database() -> None:
    with psycopg.connect(server_url() + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(server_url() + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def environment(base: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cgadmin.settings",
        "DATABASE_URL": f"{server_url()}/{DATABASE}",
        "CGATE_BASE": str(base),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "CGADMIN_POSTMASTER_PASSWORD": PASSWORD,
        # The shared cache as production runs it (Redis), not the embedded file cache of `make run`.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    }


POPULATE = """
import django, sys
django.setup()
from accounts.services import account_create
from domains.services import domain_create
from server.services import server_initialize
server_initialize(host_name="mail.bench.test", postmaster_password=sys.argv[1])
domain = domain_create(actor=None, name="client1.test")
for index in range(int(sys.argv[2])):
    account_create(actor=None, domain=domain, name=f"user{index:06d}", password=None)
"""


def populate(env: dict[str, str], accounts: int) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT, env=env, check=True)
    subprocess.run([sys.executable, "-c", POPULATE, PASSWORD, str(accounts)], cwd=PROJECT, env=env, check=True)


def start_gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", app, "--config", "cgadmin/gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn for {app} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def session_cookie(port: int) -> str:
    """Log in through the login form, as a browser does; the session cookie wrk will send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "name": "postmaster", "password": PASSWORD,
                                   "next": "/Master/Settings/General"}).encode()
    opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/login/", data=form,
                                       headers={"Referer": f"http://127.0.0.1:{port}/login/"}))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


@dataclass
class Load:
    rate: float  # requests a second
    p50: str
    p99: str
    latency_ms: dict[str, float]


def milliseconds(text: str) -> float:
    """wrk's latency text (850.00us, 12.3ms, 1.20s) in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, connections: int, seconds: int, cookie: str = "") -> Load:
    """Requests per second and the latency distribution (wrk --latency)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"wrk saw error responses from {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if len(percentiles) != 4:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{output}")
    latency = {key: milliseconds(value) for key, value in percentiles.items()}
    return Load(rate, percentiles["50"], percentiles["99"], latency)


def interleaved(baseline: str, measured: str, connections: int, seconds: int, cookie: str) -> tuple[Load, Load]:
    """Both pages in the order baseline, measured, measured, baseline (half the time each), so a
    change of the machine's load during the run weighs on both alike. Rates are averaged; the p99
    kept is the worse of the two halves."""
    half = max(1, seconds // 2)
    first = wrk(baseline, connections, half, cookie)
    second, third = wrk(measured, connections, half, cookie), wrk(measured, connections, half, cookie)
    fourth = wrk(baseline, connections, half, cookie)
    return combined(first, fourth), combined(second, third)


def combined(one: Load, other: Load) -> Load:
    worse = one if one.latency_ms["99"] >= other.latency_ms["99"] else other
    median = one if one.latency_ms["50"] >= other.latency_ms["50"] else other
    return Load((one.rate + other.rate) / 2, median.p50, worse.p99, {**median.latency_ms, "99": worse.latency_ms["99"]})


def check_page(url: str, cookie: str, expect: str) -> None:
    """The page answers 200 with the rows for this session (not a login redirect): what wrk will load."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.build_opener(NoRedirect).open(request) as response:
        page = response.read().decode()
    if expect not in page:
        raise RuntimeError(f"{url} does not show {expect!r}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        print("this benchmark needs wrk: `make bench` installs it (Debian's package), or apt-get install wrk")
        return 2
    base = Path(tempfile.mkdtemp(prefix="cgadmin-loadbench-"))
    env = environment(base)
    recreate_database()
    processes = []
    missed = False
    try:
        populate(env, options.accounts)
        changelist_port, webadmin_port = free_port(), free_port()
        processes.append(start_gunicorn("bench.admin_changelist:wsgi()", changelist_port, dict(env)))
        processes.append(start_gunicorn("cgadmin.wsgi:application", webadmin_port, env))
        cookie = session_cookie(webadmin_port)
        accounts = f"http://127.0.0.1:{webadmin_port}/Master/Users/Domains/client1.test/Accounts"
        changelist = f"http://127.0.0.1:{changelist_port}/admin/accounts/account/"
        check_page(accounts, cookie, "user000049")
        check_page(changelist, cookie, "user000049")
        for url in (changelist, accounts):  # every gunicorn worker loads its templates and connects first
            subprocess.run(["wrk", "-t2", "-c16", f"-d{WARM_UP_SECONDS}s", "-H", f"Cookie: {cookie}", url],
                           capture_output=True, check=True)
        for connections in (8, 64):
            admin, ours = interleaved(changelist, accounts, connections, options.seconds, cookie)
            print(f"{connections} connections, {options.accounts:,} accounts: admin changelist {admin.rate:,.0f} req/s "
                  f"(p50 {admin.p50}, p99 {admin.p99}); Accounts list {ours.rate:,.0f} req/s "
                  f"(p50 {ours.p50}, p99 {ours.p99}): {ours.rate / admin.rate:.2f}x")
            passed = ours.rate >= admin.rate
            missed = missed or not passed
            report(f"Accounts list, {connections} connections", ours.rate, "req/s", baseline=admin.rate,
                   baseline_name="admin changelist", ratio=ours.rate / admin.rate, target=">= changelist",
                   passed=passed)
            report(f"Accounts list p99, {connections} connections", ours.latency_ms["99"], "ms",
                   baseline=admin.latency_ms["99"], baseline_name="admin changelist p99")
    finally:
        for process in processes:
            stop(process)
        drop_database()
        shutil.rmtree(base, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
