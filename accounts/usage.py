"""The Accounts list's sort columns, kept true: Account.storage_used and Account.last_login.

Internal helpers, not administrative changes (no rights check, no audit entry, as a login or a
delivery is none): the queue adds the bytes it appends, a login sets last_login, and whatever changes
mailboxes wholesale (removal, restore, adoption, ClearAccountCache) recounts from the files. Other
apps call these; none writes the accounts' table itself. GetAccountInfo still counts the files."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import F

from accounts.models import Account, Mailbox
from cgadmin.dataformat import Value


def add_storage(grown: Mapping[int, int]) -> None:
    """Add the bytes just appended to each account's mailboxes ({account id: bytes}), in the caller's
    transaction (the one that marks the appends delivered): one statement a delivery pass, never a count."""
    grown = {account_id: size for account_id, size in grown.items() if size}
    if not grown:
        return
    if connection.vendor != "postgresql":  # SQLite: one writer at a time anyway
        for account_id, size in sorted(grown.items()):
            Account.objects.filter(pk=account_id).update(storage_used=F("storage_used") + size)
        return
    table = connection.ops.quote_name(Account._meta.db_table)
    ids, sizes = zip(*sorted(grown.items()), strict=True)
    with connection.cursor() as cursor:
        # The rows locked in id order first (two workers delivering to the same accounts never wait
        # for each other in a circle), then each grows by its bytes.
        cursor.execute(
            f"WITH locked AS (SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE) "
            f"UPDATE {table} AS a SET storage_used = a.storage_used + grown.size "
            f"FROM unnest(%s::bigint[], %s::bigint[]) AS grown(id, size) "
            f"WHERE a.id = grown.id AND a.id IN (SELECT id FROM locked)",
            [list(ids), list(ids), list(sizes)])


def correct_storage(account_id: int, seen: int, counted: int) -> None:
    """The exporter's count, over the value it read only (a delivery that added bytes since wins, and
    the export it asked for counts again): storage_used converges on the files."""
    Account.objects.filter(pk=account_id, storage_used=seen).update(storage_used=counted)


def counted_storage(account: Account, foldering: str, mailboxes: Iterable[tuple[str, str]]) -> int:
    """StorageUsed as the files say ((name, format) of the account's mailboxes)."""
    from basedir.paths import account_path, storage_used

    return storage_used(account_path(account, foldering), mailboxes)


def recount_storage(account: Account) -> int:
    """Set storage_used from the account's mailbox files (after its mailboxes changed wholesale)."""
    from domains.selectors import account_foldering

    used = counted_storage(account, account_foldering(account), account.mailboxes.values_list("name", "format"))
    Account.objects.filter(pk=account.pk).update(storage_used=used)
    account.storage_used = used
    return used


def login_time(value: Value) -> datetime.datetime | None:
    """account.info's LastLogin (a UTC time without zone, as the files carry it) as an aware time."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC)
    return None


def follow_info(account: Account, info: Mapping[str, Value]) -> None:
    """Set last_login from account.info's LastLogin (info re-read from the files)."""
    when = login_time(info.get("LastLogin"))
    if when != account.last_login:
        Account.objects.filter(pk=account.pk).update(last_login=when)
        account.last_login = when


BACKFILL_CHUNK = 2000


def backfill(account_model: type[Account], mailbox_model: type[Mailbox]) -> int:
    """Fill storage_used from the files and last_login from account.info's LastLogin, for every
    account (the migration that added the columns runs it with its historical models). Answers the
    number of accounts."""
    from domains.models import Domain
    from domains.selectors import domain_foldering

    folderings: dict[int, tuple[Domain, str]] = {}
    last, done = 0, 0
    while True:
        rows = list(account_model.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "name", "kind", "domain_id", "info")[:BACKFILL_CHUNK])
        if not rows:
            return done
        last = rows[-1][0]
        boxes: dict[int, list[tuple[str, str]]] = {}
        for account_id, name, storage in mailbox_model.objects.filter(
                account_id__in=[row[0] for row in rows]).values_list("account_id", "name", "format"):
            boxes.setdefault(account_id, []).append((name, storage))
        changed = []
        for account_id, name, kind, domain_id, info in rows:
            if domain_id not in folderings:
                domain = Domain.objects.only("id", "name", "is_main", "settings").get(pk=domain_id)
                folderings[domain_id] = (domain, domain_foldering(domain))
            domain, foldering = folderings[domain_id]
            used = counted_storage(Account(name=name, kind=kind, domain=domain), foldering, boxes.get(account_id, []))
            last_login = login_time(info.get("LastLogin")) if isinstance(info, dict) else None
            changed.append(account_model(pk=account_id, storage_used=used, last_login=last_login))
        account_model.objects.bulk_update(changed, ["storage_used", "last_login"])
        done += len(rows)
