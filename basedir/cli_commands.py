"""CLI verbs of the basedir app (spec/cli.md): each parses nothing itself and calls one service."""

from __future__ import annotations

from accounts.cli_commands import account_named
from basedir.reload import account_clear_cache
from cli.registry import ACCOUNTS, Call, verb


@verb("ClearAccountCache account:acct", rights="AllDomains, or a Domain Administrator with BasicSettings",
      section=ACCOUNTS)
def clear_account_cache(call: Call, account: str) -> None:
    """Re-read account.settings and account.info from the base directory (after restoring an Account)."""
    account_clear_cache(actor=call.actor, account=account_named(call, account))
