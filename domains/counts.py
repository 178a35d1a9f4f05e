"""The count of accounts a domain keeps on its row (the Domains list shows it without counting),
changed by the account services through the domains app, which owns the row."""

from __future__ import annotations

from django.db.models import F

from domains.models import Domain


def count_accounts(domain: Domain, delta: int) -> None:
    """Add `delta` (negative for removed accounts) to the domain's count, in the database: F() so
    concurrent changes add up."""
    if delta:
        Domain.objects.filter(pk=domain.pk).update(account_count=F("account_count") + delta)
