"""The WebAdmin's gunicorn (cgadmin/gunicorn.conf.py, the same for cgserver and the compose file's
web service) against slow clients: 40 connections sending a header line every half second hold no
thread, so /healthz and a page keep answering; a head that does not complete in time is closed.
A real gunicorn process with one worker of four threads, over real sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web(postmaster):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cgadmin.settings_test", "WEB_WORKERS": "1", "WEB_THREADS": "4",
           "WEB_HEADER_TIMEOUT": "6",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "cgadmin.wsgi:application", "--config",
                                "cgadmin/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
                               cwd=settings.PROJECT_DIR, env=env)
    deadline = time.monotonic() + 60
    while not _answers(port, timeout=2):
        assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
        time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(30)


def _answers(port: int, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def trickle(port: int, lines: int, stop: threading.Event, ends: list[bytes]) -> None:
    """A request head sent a header line every half second; what the server said at the end."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            for number in range(lines):
                if stop.wait(0.5):
                    return
                sock.sendall(f"X-Slow-{number}: yes\r\n".encode())
            sock.sendall(b"\r\n")
            ends.append(sock.recv(100))
        except OSError:
            ends.append(b"closed")


def test_forty_slow_clients_leave_healthz_and_pages_answering(web):
    stop, ends = threading.Event(), []
    clients = [threading.Thread(target=trickle, args=(web, 1000, stop, ends)) for _ in range(40)]
    for client in clients:
        client.start()
    try:
        time.sleep(1.5)  # every slow client has sent its first lines and would hold a thread in gthread
        for _ in range(5):
            assert _answers(web, timeout=10)
    finally:
        stop.set()
        for client in clients:
            client.join(30)


def test_a_head_that_takes_too_long_is_closed_and_a_slow_but_timely_one_is_served(web):
    stop, ends = threading.Event(), []
    too_slow = threading.Thread(target=trickle, args=(web, 30, stop, ends))  # 15 s of lines, past 6 s
    too_slow.start()
    too_slow.join(60)
    timely: list[bytes] = []
    trickle(web, 4, threading.Event(), timely)  # 2 s of lines

    assert ends[0] in (b"closed", b"")
    assert timely[0].startswith(b"HTTP/1.1 200")
