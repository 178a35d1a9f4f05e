"""Run something once after the current transaction commits, however often a transaction asks.

Built on `transaction.on_commit` alone: each key keeps a weak reference to the callback waiting
in the transaction's on-commit list. Django drops that callback when the transaction (or the
savepoint that registered it) rolls back, and nothing else holds it, so the reference dies with
it; a commit runs it, which marks it done. Either way the next request registers a new one.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

_Waiting = weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[str, "weakref.ref[_Pending]"]]
_run_once: _Waiting = weakref.WeakKeyDictionary()
_states: _Waiting = weakref.WeakKeyDictionary()


class _Pending:
    """A callback in the on-commit list that runs its function at most once."""

    def __init__(self, func: Callable[[], None], state: Any = None) -> None:
        functools.update_wrapper(self, func)  # reads as the function it runs (its module, its name)
        self.func = func
        self.state = state
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        self.func()


def _pending(waiting: _Waiting, key: str, using: str | None) -> _Pending | None:
    reference = waiting.get(transaction.get_connection(using), {}).get(key)
    pending = reference() if reference is not None else None
    return None if pending is None or pending.done else pending


def _register(waiting: _Waiting, key: str, pending: _Pending, using: str | None) -> None:
    waiting.setdefault(transaction.get_connection(using), {})[key] = weakref.ref(pending)
    transaction.on_commit(pending, using=using)


def run_once_after_commit(key: str, func: Callable[[], None], *, using: str | None = None) -> None:
    """Run `func` when the current transaction commits (at once outside one), once for all the
    calls with this key until then; a rolled-back transaction runs nothing."""
    if _pending(_run_once, key, using) is None:
        _register(_run_once, key, _Pending(func), using)


def forget_run_once(using: str = DEFAULT_DB_ALIAS) -> None:
    """Treat the callbacks run_once_after_commit registered so far as gone: for the test suite,
    whose outer transaction never commits, when it captures what one block of work queues."""
    _run_once.pop(transaction.get_connection(using), None)


def transaction_state(key: str, factory: Callable[[], Any], *, using: str | None = None) -> Any:
    """An object that lives as long as the open transaction: made by `factory` on the first call,
    the same object for every call until the transaction commits or rolls back. Outside a
    transaction, None."""
    if not transaction.get_connection(using).in_atomic_block:
        return None
    pending = _pending(_states, key, using)
    if pending is None:
        pending = _Pending(_nothing, factory())
        _register(_states, key, pending, using)
    return pending.state


def current_transaction_state(key: str, *, using: str | None = None) -> Any:
    """The object transaction_state made for this key in the open transaction, or None."""
    pending = _pending(_states, key, using)
    return None if pending is None else pending.state


def _nothing() -> None:
    """The end of a transaction_state's transaction: nothing to do but be forgotten."""
