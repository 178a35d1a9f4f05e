"""The network CLI: commands over one session, and logins over many parallel connections.

    DATABASE_URL=postgres://... [REDIS_URL=redis://...] python bench/cli_bench.py [--commands 10000]
        [--parallel 50] [--logins 400] [--pbkdf2-logins 50]

(REDIS_URL defaults to redis://127.0.0.1:6379/9: the shared cache as production runs it.)

Creates a throw-away database (bench_<name of DATABASE_URL's database>) with a Main Domain, a
domain and an account, and starts the real listener as cgserver does (`manage.py clilistener`, a
separate process) on a free port. Then:

1. One session logs in as postmaster, switches to INLINE and sends `GetAccountSettings
   user1@client1.test` N times, each waiting for its answer (as scripts do). Baseline, same run:
   the same selector the verb calls (realms.access.access_account(...).settings) in a loop in this
   process, with the answer written in the data format. Target: at least 2,000 commands/s.
2. `--sessions` sessions at once (50), each sending `--per-session` of the same command (100) as
   fast as it gets its answers: the total rate and the p50/p99 of one command's round trip.
3. Logins: `--parallel` connections at once, each connecting, logging in (USER/PASS) and quitting
   again and again; the rate and the p99 of connect-to-"200 login OK". Accounts with A-crpt
   passwords (what CommuniGate usually uses), then with the one-way PBKDF2 hash (the secure default
   here, deliberately slow: its cost is the hash, not the listener).

The database is dropped at the end."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")  # the shared cache as production runs it
os.environ.setdefault("CGATE_BASE", tempfile.mkdtemp(prefix="cgadmin-cli-bench-"))

import django  # noqa: E402

django.setup()

from common import create_throwaway_database, drop_throwaway_database, report  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

PASSWORD = "bench-password"
TARGET_RATE = 2000.0
COMMAND = "GetAccountSettings user1@client1.test"
PBKDF2_ACCOUNTS = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Line:
    """A minimal blocking CLI client: send a line, read one CRLF line."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.buffer = b""
        self.greeting = self.read()

    def read(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode()

    def ask(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\r\n")
        return self.read()

    def login(self, name: str, password: str) -> None:
        self.ask(f"USER {name}")
        answer = self.ask(f"PASS {password}")
        if not answer.startswith("200 "):
            raise RuntimeError(f"login of {name} failed: {answer}")

    def close(self) -> None:
        self.sock.close()


def populate(accounts: int) -> None:
    from accounts.services import account_create
    from domains.services import domain_create
    from server.services import server_initialize

    server_initialize(host_name="bench.test", postmaster_password=PASSWORD)
    domain = domain_create(actor=None, name="client1.test")
    account_create(actor=None, domain=domain, name="user1", password=PASSWORD, rights=[],
                   settings={"RealName": "Bench User", "MaxAccountSize": "100M", "Nested": {"a": ["b", 1]}})
    for index in range(accounts):
        account_create(actor=None, domain=domain, name=f"login{index}-a-crpt", password=PASSWORD, rights=[],
                       settings={"PasswordEncryption": "A-crpt"})
    for index in range(PBKDF2_ACCOUNTS):  # each costs a deliberately slow hash to create
        account_create(actor=None, domain=domain, name=f"login{index}-pbkdf2", password=PASSWORD, rights=[],
                       settings={"PasswordEncryption": "PBKDF2"})


def start_listener(port: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CLI_LOGIN_PER_ADDRESS": "1000"}  # every client of the benchmark comes from 127.0.0.1
    process = subprocess.Popen([sys.executable, "manage.py", "clilistener", "--bind", f"127.0.0.1:{port}"],
                               cwd=PROJECT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the listener did not start")


def direct_rate(count: int) -> float:
    """The baseline: what GetAccountSettings does, called in a loop in this process."""
    from accounts.models import Account
    from cgadmin import dataformat
    from realms.access import access_account

    actor = Account.objects.select_related("domain").get(name="postmaster")
    start = time.perf_counter()
    for _ in range(count):
        dataformat.dumps(access_account(actor, "user1@client1.test").settings)
    return count / (time.perf_counter() - start)


def session_rate(port: int, count: int) -> float:
    client = Line(port)
    client.login("postmaster", PASSWORD)
    client.ask("INLINE")
    first = client.ask(COMMAND)
    if not first.startswith("201 {"):
        raise RuntimeError(f"unexpected answer {first!r}")
    start = time.perf_counter()
    for _ in range(count):
        client.sock.sendall(COMMAND.encode() + b"\r\n")
        client.read()
    elapsed = time.perf_counter() - start
    client.ask("QUIT")
    client.close()
    return count / elapsed


def run_together(worker: Callable[[Any], None], arguments: Iterable[Any]) -> float:
    """Run worker(argument) in a thread for each argument, all at once; the seconds until all end."""
    threads = [threading.Thread(target=worker, args=(argument,)) for argument in arguments]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def sessions_rate(port: int, sessions: int, per_session: int) -> tuple[float, float, float]:
    """(commands/s, median ms, p99 ms) of `sessions` sessions sending commands at once."""
    clients = []
    for _ in range(sessions):
        client = Line(port)
        client.login("postmaster", PASSWORD)
        client.ask("INLINE")
        clients.append(client)
    times: list[float] = []
    lock = threading.Lock()

    def worker(client: Line) -> None:
        mine = []
        for _ in range(per_session):
            start = time.perf_counter()
            client.sock.sendall(COMMAND.encode() + b"\r\n")
            if not client.read().startswith("201 {"):
                raise RuntimeError("unexpected answer")
            mine.append(time.perf_counter() - start)
        with lock:
            times.extend(mine)

    elapsed = run_together(worker, clients)
    for client in clients:
        client.close()
    times.sort()
    return len(times) / elapsed, statistics.median(times) * 1000, times[int(len(times) * 0.99)] * 1000


def logins(port: int, parallel: int, total: int, encryption: str) -> tuple[float, float, float]:
    """(logins/s, median ms, p99 ms) of `total` logins over `parallel` concurrent connections."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_thread = max(1, total // parallel)
    parallel = min(parallel, total)

    def worker(index: int) -> None:
        number = index % PBKDF2_ACCOUNTS if encryption == "PBKDF2" else index
        name = f"login{number}-{encryption.lower()}@client1.test"
        for _ in range(per_thread):
            try:
                start = time.perf_counter()
                client = Line(port)
                client.login(name, PASSWORD)
                took = time.perf_counter() - start
                client.ask("QUIT")
                client.close()
            except Exception as error:  # report, do not hide
                with lock:
                    errors.append(str(error))
                return
            with lock:
                times.append(took)

    elapsed = run_together(worker, range(parallel))
    if errors:
        raise RuntimeError(f"{len(errors)} logins failed, e.g. {errors[0]}")
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return len(times) / elapsed, statistics.median(times) * 1000, p99 * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=50, help="sessions sending commands at once")
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=50)
    parser.add_argument("--logins", type=int, default=400, help="A-crpt logins in all")
    parser.add_argument("--pbkdf2-logins", type=int, default=50, help="PBKDF2 logins in all (5 accounts)")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 2
    original_database = create_throwaway_database()
    listener = None
    try:
        from server.process import prepare_state_dirs

        prepare_state_dirs()
        populate(options.parallel)
        connection.close()
        port = free_port()
        listener = start_listener(port)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"CLI listener (manage.py clilistener, {settings.CLI_WORKERS} worker threads), "
              f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
              f"{os.cpu_count()} CPUs, load average {load}")
        cli = session_rate(port, options.commands)
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            cProfile.runctx("direct_rate(200)", globals(), locals(), "/tmp/cli_bench.prof")
            pstats.Stats("/tmp/cli_bench.prof").sort_stats("cumulative").print_stats(30)
        direct = direct_rate(options.commands)
        together = sessions_rate(port, options.sessions, options.per_session)
        acrypt = logins(port, options.parallel, options.logins, "A-crpt")
        pbkdf2 = logins(port, options.parallel, options.pbkdf2_logins, "PBKDF2")
    finally:
        if listener is not None:
            listener.terminate()
            listener.wait(30)
        drop_throwaway_database(original_database)
    verdict = "PASS" if cli >= TARGET_RATE else "FAIL"
    print(f"{COMMAND!r} x {options.commands:,} over one session: {cli:,.0f} commands/s "
          f"(target >= {TARGET_RATE:,.0f}: {verdict})")
    print(f"  the same selector called directly in a loop: {direct:,.0f} calls/s; "
          f"the CLI runs at {cli / direct:.0%} of that ({direct / cli:.1f}x the time per call)")
    print(f"{options.sessions} sessions at once, {options.per_session} commands each: {together[0]:,.0f} "
          f"commands/s in all, round trip median {together[1]:.1f} ms, p99 {together[2]:.1f} ms")
    for label, (rate, median, p99) in (("A-crpt", acrypt), ("PBKDF2", pbkdf2)):
        print(f"logins ({label}) over {options.parallel} parallel connections: {rate:,.1f}/s, "
              f"median {median:.1f} ms, p99 {p99:.1f} ms")
    report(f"CLI {COMMAND.split()[0]} over one session, {options.commands:,} commands", cli, "commands/s",
           baseline=direct, baseline_name="the selector called directly", target=f">= {TARGET_RATE:,.0f}/s",
           passed=cli >= TARGET_RATE)
    report(f"CLI {options.sessions} sessions at once, commands in all", together[0], "commands/s")
    report(f"CLI {options.sessions} sessions at once, round trip p99", together[2], "ms")
    report(f"CLI logins (A-crpt), {options.parallel} parallel connections", acrypt[0], "logins/s")
    report(f"CLI login p99 (A-crpt), {options.parallel} parallel connections", acrypt[2], "ms")
    report(f"CLI logins (PBKDF2), {options.parallel} parallel connections", pbkdf2[0], "logins/s")
    report(f"CLI login p99 (PBKDF2), {options.parallel} parallel connections", pbkdf2[2], "ms")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
