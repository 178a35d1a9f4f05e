"""Who is calling from where: the interface and client address that audit entries and log records
carry. Views, the CLI session and Celery tasks set it; services read it, so their signatures stay
about the change itself."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

WEBADMIN = "WebAdmin"
CLI = "CLI"
SHELL = "shell"  # manage.py, the operator at the server's console
SYSTEM = "system"  # Celery tasks and the server's own housekeeping


@dataclass(frozen=True)
class CallContext:
    interface: str = SHELL
    client_address: str = ""
    session_id: int = 0


_SHELL_CONTEXT = CallContext()
_current: ContextVar[CallContext | None] = ContextVar("cgadmin_call_context", default=None)


def current() -> CallContext:
    """The context of the running call (the shell when nobody set one)."""
    return _current.get() or _SHELL_CONTEXT


@contextmanager
def calling_from(interface: str, client_address: str = "", session_id: int = 0) -> Iterator[CallContext]:
    """Run the enclosed calls as coming from this interface and address."""
    ctx = CallContext(interface, client_address, session_id)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
