"""No loss, no duplicates, with real processes: two worker processes (queue runners delivering
themselves, forked from the test so that a new one starts at once) share one base directory while
5,000 messages and some bad files flow in, and one of them is killed with SIGKILL at a random
moment, again and again. Afterwards every recipient's mailbox holds every message sent to it
exactly once (counted by Message-ID), byte for byte as Python's mailbox module and our own mboxrd
reader read it back; Queue/ is empty and every bad file is in BadFiles/.

The random seed is printed (and taken from QUEUE_KILL_SEED when set), so a failure can be replayed;
QUEUE_KILL_MESSAGES changes the number of messages."""

from __future__ import annotations

import collections
import contextlib
import mailbox as pymailbox
import os
import random
import re
import signal
import time
import traceback
from pathlib import Path

import pytest

from accounts.services import account_create
from mailqueue import mboxrd
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.sweep import STALE_SECONDS, sweep
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_path

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = int(os.environ.get("QUEUE_KILL_MESSAGES") or 5000)
BAD_FILES = 40
CHUNK = 250  # messages submitted at a time
KILLS_PER_CHUNK = 2
# A kill comes a random moment of up to this long after the last one (or, half the time, as soon as
# an append is in flight): long enough for a fresh worker to finish a few passes of the small
# rounds below before the next kill (more often, and the workers would rarely commit anything).
KILL_WAIT_SECONDS = 2.0
FINISH_SECONDS = 300.0
MESSAGE_ID = re.compile(rb"^Message-ID: <([^>]+)>", re.MULTILINE | re.IGNORECASE)

BODIES = [
    b"Plain text.\n",
    b"From the start of a line\n>From quoted once\n>>From twice\nFrom: not a header\n",
    "Gr\u00fc\u00dfe aus K\u00f6ln, 8-bit UTF-8 \u20ac\n".encode(),
    b"Latin-1 bytes: caf\xe9 na\xefve \xa9\n",
    b"A long line: " + b"0123456789" * 1200 + b"\n",
    b"CRLF line ends\r\nFrom inside\r\n\r\nlast line\r\n",
    b"x" * 76 + b"\n" + (b"y" * 76 + b"\n") * 120,  # about 10 KB
]


def run_worker(errors: Path) -> None:
    """The body of a forked worker process: a queue runner delivering itself, until SIGTERM."""
    from django.db import connections

    # The parent's database connection must not be used, nor closed (that would end it for the
    # parent too): keep it referenced and unused, and open a fresh one.
    inherited = [(conn, conn.connection) for conn in connections.all(initialized_only=True)]
    for conn, _socket in inherited:
        conn.connection = None
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    code = 0
    try:
        from cgadmin import context
        from mailqueue.runner import Runner

        with context.calling_from(context.SYSTEM):
            Runner(deliver_inline=True, poll_seconds=0.05).run(lambda: bool(stopping))
    except BaseException:
        with open(errors, "a") as handle:
            handle.write(traceback.format_exc())
        code = 1
    finally:
        os._exit(code)  # no clean-up: the inherited connection stays untouched


class Workers:
    """Worker processes (forked, so one starts in a moment) that are killed and started again."""

    def __init__(self, base: Path, count: int) -> None:
        self.errors = base / "worker-errors.txt"
        self.errors.touch()
        self.pids = [self.start() for _ in range(count)]
        self.kills = 0

    def start(self) -> int:
        pid = os.fork()
        if pid == 0:
            run_worker(self.errors)
        return pid

    def kill_one(self, rng: random.Random, most: float) -> None:
        """Let the workers run for a random moment, then SIGKILL one and start another. Half the
        time the moment is one when an append is in flight (a recipient is in state A), the
        narrowest window there is."""
        deadline = time.monotonic() + rng.uniform(0.05, most)
        in_flight = rng.random() < 0.5
        while time.monotonic() < deadline:
            if in_flight and QueueRecipient.objects.filter(state=QueueRecipient.APPENDING).exists():
                break
            time.sleep(0.005 if in_flight else deadline - time.monotonic())
        index = rng.randrange(len(self.pids))
        os.kill(self.pids[index], signal.SIGKILL)
        os.waitpid(self.pids[index], 0)
        self.kills += 1
        self.pids[index] = self.start()

    def stop(self) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in self.pids:
            os.waitpid(pid, 0)


def make_message(number: int, recipients: list[str], rng: random.Random) -> bytes:
    body = BODIES[number % len(BODIES)]
    header = (f"From: Sender {number} <sender{number % 7}@client1.test>\n"
              f"To: {', '.join(recipients)}\n"
              f"Subject: test message {number} \u00e9t\u00e9\n"
              f"Message-ID: <kill-{number}@test>\n"
              f"X-Random: {rng.random()}\n").encode()
    if body.endswith(b"\r\n"):
        header = header.replace(b"\n", b"\r\n") + b"\r\n"
    else:
        header += b"\n"
    return header + body


def submit(folder: Path, name: str, data: bytes) -> None:
    """The PIPE way: written as .tmp, renamed .sub when complete."""
    tmp = folder / f"{name}.tmp"
    tmp.write_bytes(data)
    os.rename(tmp, folder / f"{name}.sub")


def all_done(submitted: Path) -> bool:
    if any(name.endswith(".sub") for name in os.listdir(submitted)):
        return False
    return not QueuedMessage.objects.exclude(state=QueuedMessage.DONE).exists()


def delivered(account) -> dict[str, list[bytes]]:
    """Every message in the account's INBOX by Message-ID, as Python's mailbox module reads it
    (Text mailboxes: with the mboxrd quoting undone, which our own reader must agree with)."""
    path = inbox_path(account)
    found: dict[str, list[bytes]] = collections.defaultdict(list)
    if not path.exists():
        return found
    if path.is_dir():
        box = pymailbox.Maildir(str(path), factory=None, create=False)
        messages = [box.get_bytes(key) for key in box.iterkeys()]
    else:
        box = pymailbox.mbox(str(path))
        messages = [mboxrd.unquote(box.get_bytes(key)) for key in box.iterkeys()]
        assert [stored.message for stored in mboxrd.read_messages(path)] == messages
    for data in messages:
        match = MESSAGE_ID.search(data)
        assert match is not None, data[:200]
        found[match.group(1).decode()].append(data)
    return found


def test_killing_workers_at_random_loses_and_doubles_nothing(base, client1, dns, settings):
    settings.MAILQUEUE_LEASE_SECONDS = 2  # a killed worker's messages are taken over soon
    # Small rounds: many commits, so the kills land in every window between them.
    settings.MAILQUEUE_BATCH_SIZE = settings.MAILQUEUE_PICKUP_BATCH = 40
    seed = int(os.environ.get("QUEUE_KILL_SEED") or time.time_ns() % 1_000_000)
    print(f"QUEUE_KILL_SEED={seed}")
    rng = random.Random(seed)
    accounts = [make_account(client1, f"text{n}") for n in range(5)]
    accounts += [account_create(actor=None, domain=client1, name=f"mdir{n}", kind="MailDirMailbox") for n in range(5)]
    submitted = base / "Submitted"
    expected: dict[str, dict[str, bytes]] = {account.address: {} for account in accounts}
    bad: dict[str, bytes] = {}

    workers = Workers(base, 2)
    began = time.monotonic()
    try:
        for start in range(0, MESSAGES, CHUNK):
            for number in range(start, min(start + CHUNK, MESSAGES)):
                chosen = rng.sample(accounts, rng.choice((1, 1, 2, 3)))
                data = make_message(number, [account.address for account in chosen], rng)
                for account in chosen:
                    expected[account.address][f"kill-{number}@test"] = data
                submit(submitted, f"msg{number:05d}", data)
            for number in range(start * BAD_FILES // MESSAGES, (start + CHUNK) * BAD_FILES // MESSAGES):
                data = rng.choice([b"Subject: nobody to send to\nFrom: a@client1.test\n\nx\n",
                                   b"\x00\x01 not a message at all\n",
                                   f"To: bad address {number} <@@>\n\n".encode()]) + str(number).encode()
                bad[f"bad{number:03d}"] = data
                submit(submitted, f"bad{number:03d}", data)
            for _ in range(KILLS_PER_CHUNK):
                workers.kill_one(rng, KILL_WAIT_SECONDS)
        for _ in range(4 * KILLS_PER_CHUNK):  # more while the last chunks are delivered
            workers.kill_one(rng, KILL_WAIT_SECONDS)
        # The rest is delivered by fresh workers with the usual round sizes.
        killing = time.monotonic() - began
        left = QueuedMessage.objects.exclude(state=QueuedMessage.DONE).count() + sum(
            name.endswith(".sub") for name in os.listdir(submitted))
        workers.stop()
        kills = workers.kills
        del settings.MAILQUEUE_BATCH_SIZE, settings.MAILQUEUE_PICKUP_BATCH
        workers = Workers(base, 2)
        deadline = time.monotonic() + FINISH_SECONDS
        while not all_done(submitted) and time.monotonic() < deadline:
            time.sleep(0.25)
        draining = time.monotonic() - began - killing
    finally:
        workers.stop()
    errors = workers.errors.read_text(errors="replace")
    assert all_done(submitted), f"the queue did not drain (seed {seed}); worker errors:\n{errors[-3000:]}"
    assert "Traceback" not in errors, errors[-3000:]
    assert kills >= KILLS_PER_CHUNK * MESSAGES // CHUNK

    # What a dead writer left in Queue/ goes with the sweep once it is old enough.
    for leftover in (base / "Queue").iterdir():
        old = time.time() - STALE_SECONDS - 1
        os.utime(leftover, (old, old))
    sweep()

    recovered = re.findall(r"after a crash (\d+) append\(s\) found complete, (\d+) to be made again",
                           "".join(path.read_text() for path in (base / "SystemLogs").glob("*.log")))
    complete, again = sum(int(c) for c, _ in recovered), sum(int(a) for _, a in recovered)
    print(f"{kills} kills in {killing:.0f} s, the {left} messages left delivered in {draining:.0f} s; "
          f"appends in flight settled after a crash: {complete} found complete, {again} made again")
    assert complete + again > 0, "no kill hit an append in flight"

    for account in accounts:
        found = delivered(account)
        doubled = {mid: len(copies) for mid, copies in found.items() if len(copies) != 1}
        assert doubled == {}, f"{account.address}: delivered more than once (seed {seed})"
        assert set(found) == set(expected[account.address]), f"{account.address}: lost or stray (seed {seed})"
        for mid, (data,) in found.items():
            assert data == expected[account.address][mid], f"{account.address} {mid} changed (seed {seed})"
    assert list((base / "Queue").iterdir()) == []
    left = sorted(os.listdir(submitted))
    assert left == sorted(f"{stem}.bad" for stem in bad)
    copies = {path.read_bytes() for path in (base / "BadFiles").iterdir() if not path.name.startswith(".")}
    assert set(bad.values()) <= copies
