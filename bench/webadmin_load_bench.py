"""WebAdmin throughput under load: wrk with 8 and 64 connections against the real WebAdmin.

    python bench/webadmin_load_bench.py [--accounts 1000] [--seconds 10]

Needs wrk (`apt-get install wrk`), PostgreSQL (DATABASE_URL; a throw-away database
bench_webadmin is created, migrated and dropped) and Redis for the shared cache, as in production
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/9). Starts gunicorn with the repository's settings
(cgadmin/gunicorn.conf.py) on a free port, logs in as postmaster through the login form, and lets
wrk load two pages with that session: the domain's Accounts list (first page) and the General
page. The baseline is a minimal Django view (bench/minimal_django.py: no middleware, no database)
served by the same gunicorn settings: the framework's own ceiling on this machine. The ratio is
WebAdmin requests/s divided by that ceiling."""

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
from pathlib import Path

import psycopg
from common import report

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-postmaster"
DATABASE = "bench_webadmin"


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


def wrk(url: str, connections: int, seconds: int, cookie: str = "") -> tuple[float, str]:
    """Requests per second, and wrk's latency line."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise RuntimeError(f"wrk saw error responses from {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output)
    return rate, f"latency avg {latency.group(1)}, max {latency.group(3)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        print("this benchmark needs wrk: apt-get install wrk")
        return 2
    base = Path(tempfile.mkdtemp(prefix="cgadmin-loadbench-"))
    env = environment(base)
    recreate_database()
    processes = []
    try:
        populate(env, options.accounts)
        baseline_port, webadmin_port = free_port(), free_port()
        processes.append(start_gunicorn("bench.minimal_django:wsgi()", baseline_port, dict(env)))
        processes.append(start_gunicorn("cgadmin.wsgi:application", webadmin_port, env))
        cookie = session_cookie(webadmin_port)
        pages = {"Accounts list": "/Master/Users/Domains/client1.test/Accounts",
                 "General page": "/Master/Settings/General"}
        for connections in (8, 64):
            ceiling, ceiling_latency = wrk(f"http://127.0.0.1:{baseline_port}/", connections, options.seconds)
            print(f"{connections} connections: minimal Django view {ceiling:,.0f} req/s ({ceiling_latency})")
            for label, path in pages.items():
                rate, latency = wrk(f"http://127.0.0.1:{webadmin_port}{path}", connections, options.seconds, cookie)
                print(f"{connections} connections: {label} ({options.accounts:,} accounts) {rate:,.0f} req/s "
                      f"({latency}), {rate / ceiling:.2f} of the ceiling")
                report(f"{label}, {connections} connections", rate, "req/s", baseline=ceiling,
                       baseline_name="minimal Django view", ratio=rate / ceiling)
    finally:
        for process in processes:
            stop(process)
        drop_database()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
