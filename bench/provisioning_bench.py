"""Provisioning at the speed of the hardware (issue 18): password hashing, imports, HTTP Basic, CLI logins.

    DATABASE_URL=postgres://... python bench/provisioning_bench.py [--clear 200] [--prehashed 2000]
        [--logins 60] [--creates 40] [--requests 60] [--big [N]] [--imports-only]
    (--big: 100,000 pre-hashed accounts, or N; --imports-only: the hash and import figures alone)

Runs in a throw-away database (bench_<name>) with the production settings (Argon2id, the default
cost), and prints, each with a baseline measured in the same run:
- one Argon2id hash's time, and the parallel ceiling: cores / that time (hashes a second);
- `manage.py accounts import` (the real service path: rights, audit, outbox, directory) of clear
  passwords, against that ceiling (target >= 0.8); of pre-hashed passwords and of rows without
  one, against bench/users_generate.py's bulk INSERT of as many accounts (the generator);
- with --big, 100,000 pre-hashed accounts through `manage.py accounts import` with its progress bar
  (target: under 120 s), against the generator's bulk INSERT of as many in the same run; then the
  exporter drains the outbox (`manage.py basedir export`) and `manage.py basedir check` must find
  the base directory complete; the import's peak memory growth is printed (a batch at a time);
- a WebAdmin page with HTTP Basic against the same page with a session, medians (target <= 2x);
- CLI logins (USER/PASS) over 4 connections at once, Argon2id and A-crpt accounts;
- CreateAccount with a password over the CLI and the WebAdmin's Create Account form (accounts/s)."""

from __future__ import annotations

import argparse
import base64
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # no worker runs: the after-commit tasks go nowhere
os.environ.setdefault("CGATE_BASE", tempfile.mkdtemp(prefix="cgadmin-bench-base-"))

import django  # noqa: E402

django.setup()

import users_generate as generator  # noqa: E402
from common import report, throwaway_database  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PASSWORD = "bench-Pass-2026"
CORES = os.cpu_count() or 1


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def hash_cost(samples: int = 12) -> float:
    """Median seconds of one default (Argon2id) hash on one core."""
    times = [seconds(lambda: make_password(PASSWORD)) for _ in range(samples)]
    return statistics.median(times)


def parallel_hash_rate(count: int) -> float:
    """Hashes a second of the import's own worker pool alone (no database work)."""
    from accounts.parallel_hash import ParallelEncoder

    with ParallelEncoder() as encoder:
        encoder.collect(encoder.submit([(PASSWORD, "Argon2id")] * CORES))  # fork the workers first
        took = seconds(lambda: encoder.collect(encoder.submit([(f"{PASSWORD}{n}", "Argon2id") for n in range(count)])))
    return count / took


def write_csv(path: Path, count: int, prefix: str, password: str | None) -> None:
    """A CSV of `count` accounts, written a line at a time (never whole in memory)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Password", "RealName"])
        for n in range(count):
            writer.writerow([f"{prefix}{n}", password if password is not None else f"{PASSWORD}{n}", f"Bench User {n}"])


def import_rate(domain: str, path: Path, count: int, *, progress: bool = False) -> tuple[float, float]:
    """(accounts a second, seconds) of manage.py accounts import (with its progress bar on stderr when asked)."""
    flags = [] if progress else ["--no-progress"]
    with open(os.devnull, "w") as devnull:
        took = seconds(lambda: call_command("accounts", "import", domain, str(path), *flags, stdout=devnull))
    return count / took, took


def generator_rate(count: int, name: str = "generated.bench.test") -> float:
    """Accounts a second of the bench generator's bulk INSERT (every row the services write)."""
    from django.db import transaction

    from domains.services import domain_create

    domain = domain_create(actor=None, name=name)

    def insert() -> None:
        with transaction.atomic():  # as the generator runs it: one transaction, here rolled back, so
            generator.create_accounts(domain.pk, count)  # the exporter and the check see only the imports
            transaction.set_rollback(True)

    return count / seconds(insert)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_and_check() -> tuple[float, str]:
    """(seconds of `manage.py basedir export`, what `manage.py basedir check` says): the exporter
    drains the import's outbox marks, then the tree must match the database."""
    import io

    from django.core.management.base import CommandError

    out = io.StringIO()
    took = seconds(lambda: call_command("basedir", "export", stdout=out))
    check = io.StringIO()
    try:
        call_command("basedir", "check", stdout=check, stderr=check)
    except (CommandError, SystemExit) as failed:
        return took, f"DIFFERENCES ({failed}): {check.getvalue()[:2000]}"
    return took, check.getvalue().strip().splitlines()[-1] if check.getvalue().strip() else "clean"


def big_import(count: int, prehashed: str, work: Path) -> tuple[float, float, float, float, str, float]:
    """(seconds, accounts/s, generator accounts/s, export seconds, check verdict, peak memory growth MiB)
    of `count` pre-hashed accounts through the real command, with its progress bar."""
    from domains.services import domain_create

    write_csv(work / "big.csv", count, "big", prehashed)
    domain_create(actor=None, name="big.import.bench.test")
    before = peak_rss_mib()
    print(f"importing {count:,} pre-hashed accounts (manage.py accounts import, progress bar below):", flush=True)
    rate, took = import_rate("big.import.bench.test", work / "big.csv", count, progress=True)
    grown = peak_rss_mib() - before
    generated = generator_rate(count, "generated.big.bench.test")
    print(f"import, {count:,} pre-hashed: {took:.1f} s = {rate:.0f}/s; the generator's bulk INSERT of as many: "
          f"{generated:.0f}/s (ratio {rate / generated:.2f}); peak memory grew {grown:.0f} MiB", flush=True)
    exported, verdict = export_and_check()
    return took, rate, generated, exported, verdict, grown


def basic_vs_session(requests: int) -> tuple[float, float]:
    """Medians (ms) of one WebAdmin page with HTTP Basic and with a session, interleaved."""
    from accounts.models import Account
    from accounts.services import account_create
    from domains.selectors import main_domain
    from realms.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_TIME, SESSION_REALMS

    admin = account_create(actor=None, domain=main_domain(), name="benchadmin", password=PASSWORD, rights=["Master"])
    token = base64.b64encode(f"benchadmin:{PASSWORD}".encode()).decode()
    basic = Client(HTTP_AUTHORIZATION=f"Basic {token}")
    session = Client()
    session.force_login(Account.objects.get(pk=admin.pk), backend="realms.auth.AccountBackend")
    state = session.session
    now = int(time.time())
    state[SESSION_REALMS], state[SESSION_LOGIN_TIME], state[SESSION_LAST_SEEN] = ["Master"], now, now
    state.save()
    page = "/Master/Settings/General"
    for client in (basic, session):
        assert client.get(page).status_code == 200
    basic_times, session_times = [], []
    for _ in range(requests):
        basic_times.append(seconds(lambda: basic.get(page)) * 1000)
        session_times.append(seconds(lambda: session.get(page)) * 1000)
    return statistics.median(basic_times), statistics.median(session_times)


class Line:
    """A blocking CLI client: send a line, read one CRLF line."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.buffer = b""
        self.read()

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


def start_listener() -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CLI_LOGIN_PER_ADDRESS": "100000"}  # every client of the benchmark comes from 127.0.0.1
    process = subprocess.Popen([sys.executable, "manage.py", "clilistener", "--bind", f"127.0.0.1:{port}"],
                               cwd=PROJECT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the listener did not start")


def cli_login_rate(port: int, name: str, logins: int, parallel: int = 4) -> float:
    """Logins a second: `parallel` clients each connecting and logging in, logins/parallel times."""
    def worker() -> None:
        for _ in range(logins // parallel):
            line = Line(port)
            line.login(name, PASSWORD)
            line.close()

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    took = seconds(lambda: ([t.start() for t in threads], [t.join() for t in threads]))
    return (logins // parallel * parallel) / took


def cli_create_rate(port: int, count: int, encryption: str) -> float:
    """CreateAccount with a password over one CLI session (as postmaster), accounts a second."""
    line = Line(port)
    line.login("benchadmin", PASSWORD)
    settings = f'{{Password="{PASSWORD}"; PasswordEncryption="{encryption}";}}'

    def create() -> None:
        for n in range(count):
            answer = line.ask(f"CreateAccount cli{encryption}{n}@create.bench.test {settings}")
            assert answer.startswith("200"), answer

    rate = count / seconds(create)
    line.close()
    return rate


def webadmin_create_rate(count: int) -> float:
    """The Create Account form with a password (a session), accounts a second."""
    from accounts.models import Account

    client = Client()
    client.force_login(Account.objects.get(name="benchadmin"), backend="realms.auth.AccountBackend")
    from realms.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_TIME, SESSION_REALMS

    state = client.session
    now = int(time.time())
    state[SESSION_REALMS], state[SESSION_LOGIN_TIME], state[SESSION_LAST_SEEN] = ["Master"], now, now
    state.save()
    url = "/Master/Users/Domains/create.bench.test/Accounts"

    def create() -> None:
        for n in range(count):
            response = client.post(url, {"name": f"web{n}", "kind": "MultiMailbox", "password": PASSWORD})
            assert response.status_code == 302, response.status_code

    return count / seconds(create)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clear", type=int, default=200, help="accounts imported with clear passwords")
    parser.add_argument("--prehashed", type=int, default=2000, help="accounts imported pre-hashed and without")
    parser.add_argument("--big", type=int, nargs="?", const=100_000, default=0,
                        help="also import 100,000 (or this many) pre-hashed accounts, then export and check")
    parser.add_argument("--imports-only", action="store_true", help="only the hash and import figures")
    parser.add_argument("--logins", type=int, default=60, help="CLI logins of each kind")
    parser.add_argument("--creates", type=int, default=40, help="CreateAccount calls of each kind")
    parser.add_argument("--requests", type=int, default=60, help="WebAdmin requests of each kind")
    options = parser.parse_args()
    failed = False
    with throwaway_database(), tempfile.TemporaryDirectory() as folder:
        from domains.services import domain_create
        from server.services import server_initialize

        server_initialize(host_name="mail.bench.test", postmaster_password="bench-postmaster")
        from basedir import paths
        from basedir.layout import ensure_layout

        ensure_layout(paths.base())  # the base directory's folders, as cgserver makes them when it starts
        for name in ("clear.bench.test", "prehashed.bench.test", "none.bench.test", "create.bench.test"):
            domain_create(actor=None, name=name)
        work = Path(folder)

        one = hash_cost()
        ceiling = CORES / one
        pool = parallel_hash_rate(max(4 * CORES, options.clear // 2))
        print(f"Argon2id (m={os.environ.get('PASSWORD_ARGON2_MEMORY_KIB', 19456)} KiB): {one * 1000:.1f} ms a hash; "
              f"ceiling {CORES} cores / that = {ceiling:.1f}/s; the import's worker pool alone: {pool:.1f}/s")
        report("Argon2id hash, one core", one * 1000, "ms")
        report(f"Parallel hash ceiling ({CORES} cores / one hash)", ceiling, "hashes/s")

        write_csv(work / "clear.csv", options.clear, "clear", None)
        clear_rate, clear_took = import_rate("clear.bench.test", work / "clear.csv", options.clear)
        share = clear_rate / ceiling
        print(f"import, clear passwords: {options.clear} in {clear_took:.1f} s = {clear_rate:.1f}/s, "
              f"{share:.2f} of the ceiling, {clear_rate / pool:.2f} of the worker pool hashing alone")
        report("Import with clear passwords (manage.py accounts import)", clear_rate, "accounts/s", baseline=ceiling,
               baseline_name="parallel hash ceiling", ratio=share, target=">= 0.8 of the ceiling", passed=share >= 0.8)
        report("Import with clear passwords, against the worker pool alone", clear_rate, "accounts/s", baseline=pool,
               baseline_name="the import's hash pool hashing alone (no database work)")
        failed |= share < 0.8

        generated = generator_rate(options.prehashed)
        prehashed = make_password(PASSWORD)
        write_csv(work / "prehashed.csv", options.prehashed, "pre", prehashed)
        pre_rate, pre_took = import_rate("prehashed.bench.test", work / "prehashed.csv", options.prehashed)
        write_csv(work / "none.csv", options.prehashed, "none", "")
        none_rate, _none_took = import_rate("none.bench.test", work / "none.csv", options.prehashed)
        print(f"import, pre-hashed: {options.prehashed} in {pre_took:.1f} s = {pre_rate:.0f}/s; without passwords: "
              f"{none_rate:.0f}/s; the generator's bulk INSERT: {generated:.0f}/s")
        report("Import with pre-hashed passwords", pre_rate, "accounts/s", baseline=generated,
               baseline_name="bench generator (bulk INSERT)")
        report("Import without passwords", none_rate, "accounts/s", baseline=generated,
               baseline_name="bench generator (bulk INSERT)")
        if options.big:
            big_took, big_rate, big_generated, exported, verdict, grown = big_import(options.big, prehashed, work)
            big_ratio = big_rate / big_generated
            print(f"then basedir export {exported:.1f} s ({options.big / exported:.0f} accounts/s), "
                  f"basedir check: {verdict}")
            report(f"Import of {options.big:,} pre-hashed accounts (manage.py accounts import)", big_rate,
                   "accounts/s", baseline=big_generated, baseline_name="bench generator (bulk INSERT), same count",
                   ratio=big_ratio)
            report(f"Import of {options.big:,} pre-hashed accounts, time", big_took, "s", target="< 120 s",
                   passed=big_took < 120)
            report(f"Peak memory growth of the {options.big:,}-account import", grown, "MiB")
            report(f"Exporter drain after the import ({options.big:,} accounts)", exported, "s",
                   target="basedir check clean", passed="DIFFERENCES" not in verdict)
            failed |= big_took >= 120 or "DIFFERENCES" in verdict
        if options.imports_only:
            connection.close()
            return 1 if failed else 0

        basic_ms, session_ms = basic_vs_session(options.requests)
        print(f"WebAdmin page: HTTP Basic median {basic_ms:.1f} ms, session {session_ms:.1f} ms")
        report("WebAdmin page with HTTP Basic, median", basic_ms, "ms", baseline=session_ms,
               baseline_name="same page with a session", ratio=basic_ms / session_ms, target="<= 2x",
               passed=basic_ms <= 2 * session_ms)
        failed |= basic_ms > 2 * session_ms

        from accounts.services import account_create
        from domains.selectors import main_domain

        account_create(actor=None, domain=main_domain(), name="argon", password=PASSWORD, rights=[])
        account_create(actor=None, domain=main_domain(), name="acrypt", password=PASSWORD, rights=[],
                       settings={"PasswordEncryption": "A-crpt"})
        listener, port = start_listener()
        try:
            argon_logins = cli_login_rate(port, "argon", options.logins)
            acrypt_logins = cli_login_rate(port, "acrypt", options.logins)
            print(f"CLI logins, 4 connections at once: Argon2id {argon_logins:.1f}/s, A-crpt {acrypt_logins:.1f}/s")
            report("CLI logins (Argon2id), 4 at once", argon_logins, "logins/s", baseline=acrypt_logins,
                   baseline_name="A-crpt logins")
            cli_clear = cli_create_rate(port, options.creates, "Argon2id")
            cli_acrypt = cli_create_rate(port, options.creates, "A-crpt")
            print(f"CLI CreateAccount with a password: Argon2id {cli_clear:.1f}/s, A-crpt {cli_acrypt:.1f}/s")
            report("CLI CreateAccount with a password (Argon2id)", cli_clear, "accounts/s", baseline=cli_acrypt,
                   baseline_name="same with A-crpt")
        finally:
            listener.terminate()
            listener.wait(30)
        web = webadmin_create_rate(options.creates)
        print(f"WebAdmin Create Account with a password (Argon2id): {web:.1f}/s")
        report("WebAdmin Create Account with a password (Argon2id)", web, "accounts/s", baseline=cli_clear,
               baseline_name="CLI CreateAccount")
        connection.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
