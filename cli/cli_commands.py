"""The protocol's own verbs: NOOP, ECHO, ListCLICommands."""

from __future__ import annotations

from cgadmin.dataformat import Value, value_list
from cli.registry import SERVER, Call, all_verbs, verb

# Handled by the session itself (cli.session), listed by ListCLICommands with the registered verbs.
SESSION_VERBS = ("APOP", "AUTH", "INLINE", "PASS", "QUIT", "USER")


@verb("NOOP", rights="anyone, before login too", section=SERVER, login=False)
def noop(call: Call) -> None:
    """Do nothing (keeps a session alive)."""


@verb("ECHO value:any", rights="any logged-in account", section=SERVER)
def echo(call: Call, value: Value) -> Value:
    """Answer the object sent, as the server read it."""
    return value


@verb("ListCLICommands", rights="any logged-in account", section=SERVER)
def list_cli_commands(call: Call) -> Value:
    """The names of every command this server knows."""
    return value_list(sorted([entry.name for entry in all_verbs()] + list(SESSION_VERBS), key=str.lower))
