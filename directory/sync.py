"""Keeping the Central Directory in step with accounts and domains.

The account and domain services call these functions inside their own transactions, so a record
changes exactly when (and only if) the change it mirrors commits. They check no rights and write no
audit entry: the calling service did both. A domain whose CentralDirectory setting is "Don't Update"
is left alone: its records stay as they were, and none are added.

A record carries the account's own (explicit) values, never inherited ones: the record is then a
function of the account row alone, so every account change updates exactly one record, and
`manage.py directory rebuild` recreates the same records from the same accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db.models import Value as V
from django.db.models.functions import Concat

from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.db import insert_objects
from directory import config
from directory.export import mark_unit_dirty
from directory.models import DirectoryRecord, search_key
from directory.rules import RULES_DOCUMENT, RULES_KEY, Rule, current_rules, rules_value, stored_rules
from directory.units import (
    CENTRAL_DIRECTORY,
    KEEP_IN_SYNC,
    kept_in_sync,
    kept_in_sync_now,
    server_default_integration,
)
from domains.models import Domain
from forwarders.models import Forwarder
from groups.models import Group
from lists.models import MailingList
from server import documents

if TYPE_CHECKING:
    from accounts.models import Account

RECORD_FIELDS = ["account", "name", "real_name", "email", "domain_name", "aliases", "public",
                 "name_key", "real_name_key", "email_key", "updated"]
BULK_BATCH = 1000
_KEY_LENGTH = 255


def _setting(settings: Mapping[str, Value], name: str) -> Value | None:
    """An explicit setting by any case of its name (custom settings keep the case they were given)."""
    if name in settings:
        return settings[name]
    lowered = name.lower()
    for key, value in settings.items():
        if key.lower() == lowered:
            return value
    return None


def account_record(
    account: Account, domain: Domain, aliases: Iterable[str], public_names: Iterable[str]
) -> DirectoryRecord:
    """The record an account has in its domain's unit (not saved)."""
    settings = account.settings or {}
    real_name = _setting(settings, "RealName")
    real_name = real_name if isinstance(real_name, str) else ""
    public = {name: value for name in public_names if (value := _setting(settings, name)) is not None}
    email = f"{account.name}@{domain.name}"
    record = DirectoryRecord(
        domain=domain, account=account, name=account.name, real_name=real_name[:255], email=email,
        domain_name=domain.name, aliases=sorted(aliases),
        name_key=search_key(account.name)[:_KEY_LENGTH], real_name_key=search_key(real_name)[:_KEY_LENGTH],
        email_key=search_key(email)[:320],
    )
    record.public = public
    return record


def account_changed(account: Account) -> None:
    """An account was created, renamed or moved, or its settings or aliases changed."""
    server_default = server_default_integration()
    domain = account.domain
    key = search_key(account.name)
    if kept_in_sync_now(domain, server_default):
        aliases = list(account.aliases.values_list("name", flat=True))
        record = account_record(account, domain, aliases, config.public_info_names())
        DirectoryRecord.objects.bulk_create(
            [record], update_conflicts=True, unique_fields=["domain", "name_key"],
            update_fields=[field for field in RECORD_FIELDS if field != "name_key"],
        )
        mark_unit_dirty(domain.name)
    # A rename or a move leaves a record under the old name: drop it where the directory is kept in sync.
    stale = DirectoryRecord.objects.filter(account=account).exclude(domain=domain, name_key=key).select_related(
        "domain"
    )
    for record in stale:
        if record.domain is not None and kept_in_sync(record.domain, server_default):
            record.delete()
            mark_unit_dirty(record.domain.name)


def accounts_created(domain: Domain, accounts: list[tuple[Account, list[str]]]) -> None:
    """account_changed for a batch of new accounts of one domain (with their aliases): the records
    in one statement and one mark of the unit, the same rows the calls one by one would leave."""
    if not accounts or not kept_in_sync_now(domain):
        return
    public_names = config.public_info_names()
    records = {}  # by search key: where two names fold alike, the later one's record stays, as one by one
    for account, aliases in accounts:
        record = account_record(account, domain, aliases, public_names)
        records[record.name_key] = record
    if DirectoryRecord.objects.filter(domain=domain, name_key__in=list(records)).exists():
        DirectoryRecord.objects.bulk_create(  # records to replace (a custom one of the same name)
            list(records.values()),
            update_conflicts=True, unique_fields=["domain", "name_key"],
            update_fields=[field for field in RECORD_FIELDS if field != "name_key"], batch_size=BULK_BATCH,
        )
    else:  # the usual case: only new records, written in one COPY
        insert_objects(DirectoryRecord, list(records.values()))
    mark_unit_dirty(domain.name)


def account_removed(*, domain: Domain, name: str) -> None:
    """An account was removed: its record goes too, unless the domain is not kept in sync."""
    if kept_in_sync_now(domain):
        DirectoryRecord.objects.filter(domain=domain, name_key=search_key(name)).delete()
        mark_unit_dirty(domain.name)


def object_record(domain: Domain, name: str, real_name: str = "") -> DirectoryRecord:
    """The record a forwarder or group has in its domain's unit (not saved): no account behind it."""
    email = f"{name}@{domain.name}"
    record = DirectoryRecord(
        domain=domain, account=None, name=name, real_name=real_name[:255], email=email, domain_name=domain.name,
        aliases=[], name_key=search_key(name)[:_KEY_LENGTH],
        real_name_key=search_key(real_name)[:_KEY_LENGTH], email_key=search_key(email)[:320],
    )
    record.public = {}
    return record


def object_changed(domain: Domain, name: str, *, real_name: str = "", old_name: str | None = None) -> None:
    """A forwarder or group was created, renamed or changed: its record follows (an old name's goes)."""
    if not kept_in_sync_now(domain):
        return
    if old_name is not None and search_key(old_name) != search_key(name):
        DirectoryRecord.objects.filter(domain=domain, name_key=search_key(old_name), account=None).delete()
    DirectoryRecord.objects.bulk_create(
        [object_record(domain, name, real_name)], update_conflicts=True, unique_fields=["domain", "name_key"],
        update_fields=[field for field in RECORD_FIELDS if field != "name_key"],
    )
    mark_unit_dirty(domain.name)


def object_removed(domain: Domain, name: str) -> None:
    """A forwarder or group was removed: its record goes too, unless the domain is not kept in sync."""
    if kept_in_sync_now(domain):
        DirectoryRecord.objects.filter(domain=domain, name_key=search_key(name), account=None).delete()
        mark_unit_dirty(domain.name)


def domain_created(domain: Domain) -> None:
    """A new domain has a new (empty) unit."""
    mark_unit_dirty(domain.name)


def domain_renamed(domain: Domain, *, old_name: str) -> None:
    """The unit follows its domain's name; records kept in sync take the new addresses."""
    if kept_in_sync_now(domain):
        new = domain.name
        DirectoryRecord.objects.filter(domain=domain).update(
            domain_name=new, email=Concat("name", V(f"@{new}")), email_key=Concat("name_key", V(f"@{search_key(new)}"))
        )
    rename_unit_in_rules(old_name, domain.name)
    mark_unit_dirty(old_name)
    mark_unit_dirty(domain.name)


def domain_removed(*, domain_name: str) -> None:
    """The domain's unit went with it (its records were deleted with the domain)."""
    rename_unit_in_rules(domain_name, None)
    mark_unit_dirty(domain_name)


def domain_settings_changed(domain: Domain, *, was_in_sync: bool) -> None:
    """A domain turned to "Keep in Sync" gets its records recreated from its accounts."""
    if not was_in_sync and kept_in_sync(domain):
        resync_domain(domain)


def domain_defaults_changed(*, before: Mapping[str, Value], after: Mapping[str, Value]) -> None:
    """The server-wide CentralDirectory default changed: domains that inherit it and are now kept
    in sync get their records recreated."""
    old = str(before.get(CENTRAL_DIRECTORY, KEEP_IN_SYNC))
    new = str(after.get(CENTRAL_DIRECTORY, KEEP_IN_SYNC))
    if old == new or new != KEEP_IN_SYNC:
        return
    public_names = config.public_info_names()
    for domain in Domain.objects.order_by("name"):
        if CENTRAL_DIRECTORY not in domain.settings:
            resync_domain(domain, public_names)


def resync_domain(domain: Domain, public_names: list[str] | None = None) -> int:
    """Recreate the domain's records from its accounts; the number of records."""
    from accounts.models import Account, AccountAlias

    names = config.public_info_names() if public_names is None else public_names
    DirectoryRecord.objects.filter(domain=domain).delete()
    aliases: dict[int, list[str]] = defaultdict(list)
    for account_id, alias in AccountAlias.objects.filter(domain=domain).values_list("account_id", "name"):
        aliases[account_id].append(alias)
    batch: list[DirectoryRecord] = []
    count = 0
    for account in Account.objects.filter(domain=domain).only("id", "name", "settings").iterator(chunk_size=2000):
        batch.append(account_record(account, domain, aliases.get(account.pk, ()), names))
        if len(batch) >= BULK_BATCH:
            count += len(DirectoryRecord.objects.bulk_create(batch))
            batch = []
    count += len(DirectoryRecord.objects.bulk_create(batch))
    count += len(DirectoryRecord.objects.bulk_create(_object_records(domain), batch_size=BULK_BATCH,
                                                     ignore_conflicts=True))
    mark_unit_dirty(domain.name)
    return count


def _object_records(domain: Domain) -> list[DirectoryRecord]:
    """The records of the domain's forwarders, groups and mailing lists (one name, one object)."""
    records = [object_record(domain, name) for name in Forwarder.objects.filter(domain=domain)
               .values_list("name", flat=True)]
    for group in Group.objects.filter(domain=domain).only("name", "settings"):
        real_name = (group.settings or {}).get("RealName")
        records.append(object_record(domain, group.name, real_name if isinstance(real_name, str) else ""))
    for mailing_list in MailingList.objects.filter(domain=domain).only("name", "settings"):
        real_name = (mailing_list.settings or {}).get("RealName")
        records.append(object_record(domain, mailing_list.name, real_name if isinstance(real_name, str) else ""))
    return records


def resync_all(public_names: list[str] | None = None) -> dict[str, int]:
    """Recreate the records of every domain kept in sync; {domain name: records}."""
    names = config.public_info_names() if public_names is None else public_names
    server_default = server_default_integration()
    return {
        domain.name: resync_domain(domain, names)
        for domain in Domain.objects.order_by("name")
        if kept_in_sync(domain, server_default)
    }


def write_rules(rules: Iterable[Rule]) -> None:
    """Store the rules (callers hold the transaction and record the change)."""
    documents.write(RULES_DOCUMENT, {**documents.read(RULES_DOCUMENT), RULES_KEY: rules_value(rules)})
    outbox.mark_dirty(outbox.SERVER, RULES_DOCUMENT)


def rename_unit_in_rules(old: str, new: str | None) -> None:
    """Rules follow a renamed domain's unit; a removed domain's rules go with it."""
    stored = stored_rules()
    if stored is None:
        return
    rules = current_rules()
    if not any(rule.unit == old for rule in rules):
        return
    if new is None:
        changed = [rule for rule in rules if rule.unit != old]
    else:
        changed = [Rule(new, rule.attributes, rule.who) if rule.unit == old else rule for rule in rules]
    write_rules(changed)
