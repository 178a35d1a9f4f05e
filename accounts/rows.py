"""Changes to the accounts' tables that other apps' services need, through the accounts app, which
owns them: a removed domain's accounts, the info re-read from the base directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Account, AccountAlias
from cgadmin.dataformat import Value

if TYPE_CHECKING:
    from domains.models import Domain


def remove_domain_accounts(domain: Domain) -> None:
    """Remove every account of a domain being removed, and their aliases (the caller checked the right)."""
    AccountAlias.objects.filter(domain=domain).delete()
    Account.objects.filter(domain=domain).delete()


def store_info(account: Account, info: dict[str, Value]) -> None:
    """Replace the account's info (LastLogin and the like) with `info`, as read from its files."""
    Account.objects.filter(pk=account.pk).update(info=info)
    account.info = info
