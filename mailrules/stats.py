"""GetAccountStat / GetDomainStat: the statistics this server can tell from what it keeps.

Received: the copies the queue delivered into the account's (the domain's accounts') mailboxes;
sent: the messages queued with the account (a domain account) as the envelope sender; Logins from
the account's volatile info; StorageUsed counted from the mailbox files."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from accounts.models import Account
from accounts.selectors import storage_used
from cgadmin.dataformat import Value
from domains.models import Domain
from mailqueue.models import QueuedMessage, QueueRecipient

ACCOUNT_KEYS = ("MessagesReceived", "BytesReceived", "MessagesSent", "BytesSent", "Logins", "StorageUsed")
DOMAIN_KEYS = ("MessagesReceived", "BytesReceived", "MessagesSent", "BytesSent", "Accounts", "StorageUsed")


def _received(condition: Q) -> tuple[int, int]:
    found = (QueueRecipient.objects.filter(condition, state=QueueRecipient.DELIVERED)
             .exclude(kind=QueueRecipient.JOURNAL)
             .aggregate(count=Count("id"), size=Sum("message__size")))
    return int(found["count"] or 0), int(found["size"] or 0)


def _sent(condition: Q) -> tuple[int, int]:
    found = (QueuedMessage.objects.filter(condition).exclude(state=QueuedMessage.RECEIVING)
             .aggregate(count=Count("id"), size=Sum("size")))
    return int(found["count"] or 0), int(found["size"] or 0)


def account_stat(account: Account) -> dict[str, Value]:
    """Every statistic of the account (numbers, as CommuniGate answers them)."""
    received, received_bytes = _received(Q(delivered_to__iexact=account.address))
    sent, sent_bytes = _sent(Q(sender__iexact=account.address))
    logins = account.info.get("Logins")
    return {
        "MessagesReceived": received, "BytesReceived": received_bytes, "MessagesSent": sent, "BytesSent": sent_bytes,
        "Logins": int(logins) if str(logins or "").isdigit() else 0, "StorageUsed": storage_used(account),
    }


def domain_stat(domain: Domain) -> dict[str, Value]:
    """Every statistic of the domain: its accounts' totals."""
    suffix = f"@{domain.name}"
    received, received_bytes = _received(Q(delivered_to__iendswith=suffix))
    sent, sent_bytes = _sent(Q(sender__iendswith=suffix))
    accounts = list(Account.objects.filter(domain=domain).select_related("domain"))
    return {
        "MessagesReceived": received, "BytesReceived": received_bytes, "MessagesSent": sent, "BytesSent": sent_bytes,
        "Accounts": len(accounts), "StorageUsed": sum(storage_used(account) for account in accounts),
    }


def one_key(values: dict[str, Value], key: str | None) -> Value:
    """All statistics, or the one named (any case); "" for a key this server does not keep, as CommuniGate."""
    if key is None:
        return values
    found = next((name for name in values if name.lower() == key.strip().lower()), None)
    return "" if found is None else values[found]
