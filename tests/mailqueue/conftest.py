"""Fixtures of the queue tests: a base directory of the test's own, and helpers to submit mail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from basedir.layout import ensure_layout
from domains.selectors import account_foldering
from server.dns import StaticResolver


@pytest.fixture
def base(settings, tmp_path) -> Path:
    """A fresh base directory for this test (Submitted/, Queue/, BadFiles/, Accounts/, ...)."""
    settings.CGATE_BASE = tmp_path
    ensure_layout(tmp_path)
    return tmp_path


@pytest.fixture
def dns():
    """The stub resolver's table (settings_test uses server.dns.StaticResolver): nothing leaves loopback."""
    saved = StaticResolver.table
    StaticResolver.table = {}
    yield StaticResolver.table
    StaticResolver.table = saved


def submit(base: Path, name: str, message: bytes | str) -> Path:
    """Drop a message into Submitted/ the PIPE way: written as .tmp, renamed .sub when complete."""
    data = message.encode("utf-8") if isinstance(message, str) else message
    tmp = base / "Submitted" / f"{name}.tmp"
    tmp.write_bytes(data)
    final = tmp.with_suffix(".sub")
    os.rename(tmp, final)
    return final


def message(*, to: str = "jane@client1.test", sender: str = "bob@client1.test", subject: str = "Hello",
            body: str = "Hi there.\n", extra: str = "", message_id: str = "<m1@test>") -> str:
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: {message_id}\n{extra}\n{body}")


def run_queue() -> None:
    """Pick up Submitted/ and deliver until nothing is due (what the runner and workers do)."""
    from mailqueue.delivery import deliver_due
    from mailqueue.pipe import pickup

    pickup()
    while deliver_due(max_seconds=5):
        pass


def inbox_path(account) -> Path:
    from basedir import paths

    mailbox = account.mailboxes.get(name="INBOX")
    return paths.mailbox_path(mailbox, account_foldering(account))


def inbox_messages(account) -> list[bytes]:
    """The messages in the account's INBOX, as delivered (mboxrd unquoted, MailDir as stored)."""
    import mailbox as pymailbox

    from mailqueue import mboxrd

    path = inbox_path(account)
    if not path.exists():
        return []
    if path.is_dir():
        box = pymailbox.Maildir(str(path), factory=None, create=False)
        return sorted(box.get_bytes(key) for key in box.iterkeys())
    return [stored.message for stored in mboxrd.read_messages(path)]
