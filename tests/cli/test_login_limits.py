"""Connections that never log in cannot crowd out the administrators (issue 16, CLI exhaustion):
a login deadline no byte moves, a small line limit before the login, a limit per address and in
all, and the worker threads serving logged-in sessions first. Over real TCP connections to the
listener, and its memory measured in a real `manage.py clilistener` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from cli.listener import ListenerThread, WorkerPool, address_key
from tests import factories
from tests.cli.live import LineClient

pytestmark = pytest.mark.django_db(transaction=True)
PM = factories.POSTMASTER_PASSWORD
CLOSED = "501 connection idle for too long, closing"


@pytest.fixture
def listener(transactional_db, settings, postmaster):
    """A listener with small limits, so that a test reaches them with a few connections."""
    settings.CLI_FAILURE_DELAY = 0
    settings.CLI_LOGIN_TIMEOUT = 1.0
    settings.CLI_LOGIN_MAX_LINE = 1000
    settings.CLI_LOGIN_PER_ADDRESS = 3
    settings.CLI_LOGIN_MAX = 6
    settings.CLI_MAX_SESSIONS = 12
    with ListenerThread() as thread:
        yield thread


def drip(client: LineClient, stop: threading.Event) -> None:
    """A byte every 50 ms and never a line end: what kept a session slot forever."""
    while not stop.wait(0.05):
        try:
            client.sock.sendall(b"N")
        except OSError:
            return


def test_a_connection_sending_a_byte_now_and_then_is_closed_at_the_login_deadline(listener):
    stop = threading.Event()
    with LineClient(listener.port, timeout=30) as client:
        dripper = threading.Thread(target=drip, args=(client, stop))
        dripper.start()
        try:
            assert client.read_line() == CLOSED
            assert client.closed_by_server()
        finally:
            stop.set()
            dripper.join()


def test_a_failed_login_does_not_move_the_deadline_and_a_login_in_time_keeps_the_session(listener, settings):
    with LineClient(listener.port, timeout=30) as late, LineClient(listener.port, timeout=30) as prompt:
        assert late.ask("AUTH WEBUSER postmaster wrong") == "515 incorrect password or account name"
        prompt.login("postmaster", PM)
        assert late.read_line() == CLOSED
        assert late.closed_by_server()
        time.sleep(1.5)  # past the deadline: it counts only before the login
        assert prompt.ask("NOOP") == "200 OK"


def test_before_the_login_a_line_may_hold_a_few_kilobytes_after_it_the_full_limit(listener):
    with LineClient(listener.port) as client:
        client.sock.sendall(b"USER " + b"x" * 5000 + b"\r\n")
        assert client.read_line() == "500 the command line is longer than 1000 bytes"
        client.login("postmaster", PM)
        assert client.ask("INLINE") == "200 OK"
        assert client.ask("ECHO " + "y" * 5000) == "201 " + "y" * 5000


def test_one_address_may_hold_only_a_few_connections_that_are_not_logged_in(listener):
    first, second, third = (LineClient(listener.port) for _ in range(3))
    try:
        with LineClient(listener.port) as fourth:
            assert fourth.greeting == "501 too many connections from your address are logging in, try again later"
            assert fourth.closed_by_server()
        with LineClient(listener.port, source="127.0.0.2") as elsewhere:
            assert elsewhere.greeting.startswith("200 ")
        first.login("postmaster", PM)  # logged in: no longer counted
        with LineClient(listener.port) as again:
            assert again.greeting.startswith("200 ")
            again.login("postmaster", PM)
            assert again.ask("NOOP") == "200 OK"
    finally:
        for client in (first, second, third):
            client.close()


def test_a_hundred_connections_that_never_log_in_leave_the_administrators_room(listener):
    stop = threading.Event()
    attackers, drippers = [], []
    with LineClient(listener.port, source="127.0.0.2") as admin:
        admin.login("postmaster", PM)
        try:
            for number in range(100):  # from 50 addresses, two each, a byte every 50 ms
                attackers.append(LineClient(listener.port, timeout=30, source=f"127.0.1.{number % 50 + 1}"))
                drippers.append(threading.Thread(target=drip, args=(attackers[-1], stop)))
                drippers[-1].start()
            held = [client for client in attackers if client.greeting.startswith("200 ")]
            assert len(held) == 6  # CLI_LOGIN_MAX; the rest were told to try again later
            assert admin.ask("NOOP") == "200 OK"
            for client in held:  # the login deadline frees their slots, whatever they send
                assert client.read_line() == CLOSED
                assert client.closed_by_server()
            with LineClient(listener.port, source="127.0.0.3") as second_admin:
                second_admin.login("postmaster", PM)
                assert second_admin.ask("NOOP") == "200 OK"
            assert admin.ask("NOOP") == "200 OK"
        finally:
            stop.set()
            for client in attackers:
                client.close()
            for dripper in drippers:
                dripper.join()


def test_the_jobs_of_logged_in_sessions_are_taken_before_those_of_connections_logging_in():
    pool = WorkerPool(1)
    blocker, order = threading.Event(), []
    done = threading.Event()
    pool.submit(blocker.wait, lambda result: None)
    for name in ("login 1", "login 2", "login 3"):
        pool.submit(lambda name=name: order.append(name), lambda result: None)
    pool.submit(lambda: order.append("admin"), lambda result: None, urgent=True)
    pool.submit(done.set, lambda result: None)
    blocker.set()
    assert done.wait(10)
    pool.stop(10)

    assert order == ["admin", "login 1", "login 2", "login 3"]


def test_an_ipv6_client_is_counted_by_its_64_prefix():
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"


def peak_and_now_kib(pid: int) -> tuple[int, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0])


def test_a_listener_process_holds_no_megabytes_for_connections_that_never_log_in(postmaster, settings):
    """60 connections, each sending 1 MiB without a line end before logging in (300 of 4 MiB took
    the listener of issue 16 to 1.3 GB): the process's peak memory barely moves."""
    from accounts.services import account_set_password

    settings.PASSWORD_KEY = "a key both processes share"  # postmaster's password is A-crpt
    account_set_password(actor=None, account=postmaster, password=PM)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CLI_LOGIN_PER_ADDRESS": "100", "CGADMIN_PASSWORD_KEY": settings.PASSWORD_KEY,
           "DJANGO_SETTINGS_MODULE": "cgadmin.settings_test"}  # the test's password hashers
    process = subprocess.Popen([sys.executable, "manage.py", "clilistener", "--bind", f"127.0.0.1:{port}"],
                               cwd=django_settings.PROJECT_DIR, env=env)
    clients: list[LineClient] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = LineClient(port, timeout=60)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the listener did not start"
                time.sleep(0.2)
        first.login("postmaster", PM)
        assert first.ask("NOOP") == "200 OK"
        _, before = peak_and_now_kib(process.pid)
        clients = [LineClient(port, timeout=60) for _ in range(60)]
        for client in clients:
            client.sock.sendall(b"NOOP " + b"x" * (1 << 20))
        for client in clients:  # every byte read: each answers the end of its line, then NOOP
            client.send("\r\nNOOP")
            assert client.read_line().startswith("500 ")
            assert client.read_line() == "200 OK"
        peak, _ = peak_and_now_kib(process.pid)

        assert (peak - before) < 24 * 1024, f"peak {peak} KiB, {before} KiB before"
        assert first.ask("NOOP") == "200 OK"
    finally:
        for client in clients:
            client.close()
        process.terminate()
        process.wait(30)
