"""A live CLI listener on the test database, and a plain line client to talk to it."""

from __future__ import annotations

import socket

import pytest

from cli.listener import ListenerThread


@pytest.fixture
def live_cli(transactional_db, settings):
    """A listener in this process on a free port: its worker threads see the test database (the
    data is committed, hence transactional_db), like Django's live_server."""
    settings.CLI_FAILURE_DELAY = 0
    settings.CLI_RECHECK_SECONDS = 0  # re-read the account before every command
    with ListenerThread() as thread:
        yield thread


class LineClient:
    """Sends lines, reads CRLF-ended lines; fails loudly on a bare LF or a silent server."""

    def __init__(self, port: int, timeout: float = 10.0, source: str = "") -> None:
        """source: the client's own address (any 127.x.y.z is this host's), as if from another machine."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buffer = b""
        self.greeting = self.read_line()

    def read_line(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by the server; unread: {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        assert b"\n" not in line, f"a bare LF inside {line!r}"
        return line.decode("utf-8")

    def send(self, line: str, end: str = "\r\n") -> None:
        self.sock.sendall((line + end).encode("utf-8"))

    def ask(self, line: str, end: str = "\r\n") -> str:
        self.send(line, end)
        return self.read_line()

    def login(self, name: str, password: str) -> None:
        assert self.ask(f"USER {name}").startswith("300 ")
        assert self.ask(f"PASS {password}") == "200 login OK, proceed"

    def closed_by_server(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> LineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
