"""Every change to mailing lists: create, rename, remove, settings, subscribers, posting modes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from cgadmin.catalogue import count_limit
from cgadmin.dataformat import Value
from cgadmin.errors import AccountExists, GeneralError, InvalidInput, ListExists, NotFound, UnknownAccount
from cgadmin.settings_change import SettingsChange, apply_change
from directory import sync as directory_sync  # Central Directory: a list has a record in its domain's unit
from domains.names import normalize_account_name
from domains.namespace import LIST as LIST_HOLDER
from domains.namespace import name_holder
from domains.selectors import domain_effective_values
from lists.access import require_create, require_manage
from lists.export import mark_domain_lists_dirty
from lists.models import MailingList, PostingMode, Subscriber, SubscriberMode
from lists.render import OWNER
from lists.settings_schema import LIST, REAL_NAME
from logs.audit import audit
from logs.events import Event

if TYPE_CHECKING:
    from domains.models import Domain

UNSUBSCRIBE = "unsubscribe"
OPERATIONS = (*SubscriberMode.values, UNSUBSCRIBE)
_ADDRESS = re.compile(r"^[^@\s\"<>(),;:]+@[A-Za-z0-9\-.\u0080-\uffff]+$")


def _audit(actor: Account | None, event: Event, mailing_list: MailingList, *, before: Value = None,
           after: Value = None) -> None:
    audit(actor=actor, event=event, object_type="list", object_name=mailing_list.address,
          domain_name=mailing_list.domain.name, before=before, after=after)


def _claim_name(domain: Domain, name: str, *, ignore: MailingList | None = None) -> str:
    """The name in lower case, when no account, alias, forwarder, group or other list of the
    domain holds it (the domain's one namespace)."""
    key = normalize_account_name(name, what="list name")
    holder = name_holder(domain, key, ignore=ignore)
    if holder == LIST_HOLDER:
        raise ListExists(f"a mailing list named {key}@{domain.name} already exists", field="name")
    if holder is not None:
        raise AccountExists(f"an object named {key!r} already exists in {domain.name} (a {holder})", field="name")
    return key


def _real_name(mailing_list: MailingList) -> str:
    value = mailing_list.settings.get(REAL_NAME, "")
    return value if isinstance(value, str) else ""


def _owner_in(domain: Domain, owner: str) -> Account:
    key = owner.strip().lower()
    if "@" in key:
        local, _, owner_domain = key.rpartition("@")
        if owner_domain not in (domain.name, domain.ascii_name):
            raise InvalidInput(f"the list owner must be an account of {domain.name}", field="owner")
        key = local
    account = Account.objects.filter(domain=domain, name=key).first()
    if account is None:
        raise UnknownAccount(f"unknown account name {key}@{domain.name}", field="owner")
    return account


@transaction.atomic
def list_create(*, actor: Account | None, domain: Domain, name: str, owner: str) -> MailingList:
    """Create a mailing list owned by an account of the same domain (CanCreateLists)."""
    require_create(actor, domain)
    key = _claim_name(domain, name)
    owner_account = _owner_in(domain, owner)
    limit = count_limit(domain_effective_values(domain).get("ListsLimit"))
    if limit is not None and MailingList.objects.filter(domain=domain).count() >= limit:
        raise GeneralError(f"the domain {domain.name} already has its {limit} mailing list(s) (ListsLimit)")
    try:
        with transaction.atomic():
            mailing_list = MailingList.objects.create(domain=domain, name=key, owner=owner_account)
    except IntegrityError:
        raise ListExists(f"a mailing list named {key}@{domain.name} already exists", field="name")
    mailing_list.domain = domain
    _audit(actor, Event.LIST_CREATE, mailing_list, after={"Owner": owner_account.name})
    mark_domain_lists_dirty(domain.pk)
    directory_sync.object_changed(domain, key)
    return mailing_list


@transaction.atomic
def list_rename(*, actor: Account | None, mailing_list: MailingList, new_name: str) -> MailingList:
    """Rename a list within its domain (CanCreateLists)."""
    domain = mailing_list.domain
    require_create(actor, domain)
    old = mailing_list.name
    if normalize_account_name(new_name, what="list name") == old:
        return mailing_list
    mailing_list.name = _claim_name(domain, new_name, ignore=mailing_list)
    mailing_list.save(update_fields=["name"])
    _audit(actor, Event.LIST_RENAME, mailing_list, before={"Name": old}, after={"Name": mailing_list.name})
    mark_domain_lists_dirty(domain.pk)
    directory_sync.object_changed(domain, mailing_list.name, real_name=_real_name(mailing_list), old_name=old)
    return mailing_list


@transaction.atomic
def list_delete(*, actor: Account | None, mailing_list: MailingList) -> None:
    """Remove a list and its subscribers (CanCreateLists)."""
    domain = mailing_list.domain
    require_create(actor, domain)
    count = mailing_list.subscriber_count
    _audit(actor, Event.LIST_DELETE, mailing_list, before={"Owner": mailing_list.owner.name, "Subscribers": count})
    name = mailing_list.name
    mailing_list.delete()
    mark_domain_lists_dirty(domain.pk)
    directory_sync.object_removed(domain, name)


@transaction.atomic
def list_update_settings(
    *, actor: Account | None, mailing_list: MailingList, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change the list's settings (the owner, CanAccessLists); `default` or #NULL# removes a key."""
    require_manage(actor, mailing_list)
    locked = MailingList.objects.select_for_update().get(pk=mailing_list.pk)

    def save(settings: dict[str, Value]) -> None:
        locked.settings = settings
        locked.save(update_fields=["settings"])
        mailing_list.settings = settings
        mark_domain_lists_dirty(mailing_list.domain_id)
        directory_sync.object_changed(mailing_list.domain, mailing_list.name, real_name=_real_name(mailing_list))

    return apply_change(
        actor=actor, catalogue=LIST, current=locked.settings, updates=updates, replace=replace,
        authorize=lambda name, right: require_manage(actor, mailing_list), save=save, event=Event.LIST_SETTINGS,
        object_type="list", object_name=mailing_list.address, domain_name=mailing_list.domain.name,
    )


def parse_subscriber(text: str) -> tuple[str, str]:
    """`jane@x`, `Jane Doe <jane@x>` or `jane@x (Jane Doe)` as (address in lower case, real name)."""
    real_name, address = parseaddr(text.strip())
    address = address.strip().lower()
    if not address or not _ADDRESS.match(address):
        raise InvalidInput(f"{text!r} is not an E-mail address", field="address")
    return address, real_name.strip()


def _count(mailing_list: MailingList, change: int) -> None:
    if change:
        MailingList.objects.filter(pk=mailing_list.pk).update(subscriber_count=F("subscriber_count") + change)
        mailing_list.subscriber_count += change


@transaction.atomic
def list_subscribe(
    *, actor: Account | None, mailing_list: MailingList, operation: str, subscriber: str,
    silently: bool = False, confirm: bool = False,
) -> Subscriber | None:
    """The List command: subscribe an address in a mode (feed, digest, index, null, banned) or
    unsubscribe it. `confirm` keeps it waiting for the subscriber's confirmation (no copies until
    then); `silently` sends no Welcome/Bye message (this server sends none either way)."""
    require_manage(actor, mailing_list)
    mode = operation.strip().lower()
    if mode not in OPERATIONS:
        raise InvalidInput(f"{operation!r} is not a List operation: use {', '.join(OPERATIONS)}", field="mode")
    address, real_name = parse_subscriber(subscriber)
    existing = Subscriber.objects.select_for_update().filter(mailing_list=mailing_list, address=address).first()
    if mode == UNSUBSCRIBE:
        if existing is None:
            raise NotFound(f"{address} is not subscribed to {mailing_list.address}", field="address")
        was: dict[str, Value] = {"mode": existing.mode}
        existing.delete()
        _count(mailing_list, -1)
        _audit(actor, Event.LIST_UNSUBSCRIBE, mailing_list, before={address: was})
        mark_domain_lists_dirty(mailing_list.domain_id)
        return None
    confirmation = secrets.token_hex(8) if confirm and mode != SubscriberMode.BANNED else ""
    if existing is None:
        existing = Subscriber.objects.create(mailing_list=mailing_list, address=address, real_name=real_name,
                                             mode=mode, confirmation_id=confirmation, subscribed=timezone.now())
        _count(mailing_list, 1)
        before: Value = None
    else:
        old_mode: dict[str, Value] = {"mode": existing.mode}
        before = {address: old_mode}
        existing.mode = mode
        existing.confirmation_id = confirmation
        if real_name:
            existing.real_name = real_name
        existing.save(update_fields=["mode", "confirmation_id", "real_name"])
    after: dict[str, Value] = {"mode": mode, **({"confirmationID": confirmation} if confirmation else {})}
    _audit(actor, Event.LIST_SUBSCRIBE, mailing_list, before=before, after={address: after})
    mark_domain_lists_dirty(mailing_list.domain_id)
    return existing


def parse_posting_mode(value: str) -> tuple[str, int]:
    """UNMODERATED, MODERATEALL, PROHIBITED, SPECIAL or a number of postings to moderate."""
    from lists.selectors import POSTING_KEYWORDS

    text = str(value).strip()
    if text.isdigit():
        return PostingMode.UNMODERATED, int(text)
    found = POSTING_KEYWORDS.get(text.upper())
    if found is None:
        raise InvalidInput(f"{value!r} is not a posting mode: use UNMODERATED, MODERATEALL, PROHIBITED, SPECIAL "
                           "or a number of postings to moderate", field="posting")
    return found, 0


@transaction.atomic
def list_set_posting_mode(
    *, actor: Account | None, mailing_list: MailingList, subscriber: str, mode: str = "UNMODERATED"
) -> Subscriber:
    """SetPostingMode: how the subscriber's postings are handled (unmoderated, all moderated,
    prohibited, special, or the next N moderated)."""
    require_manage(actor, mailing_list)
    posting, moderated = parse_posting_mode(mode)
    address, _real_name = parse_subscriber(subscriber)
    row = Subscriber.objects.select_for_update().filter(mailing_list=mailing_list, address=address).first()
    if row is None:
        raise NotFound(f"{address} is not subscribed to {mailing_list.address}", field="address")
    before: dict[str, Value] = {"posting": row.posting or "unmoderated", "moderated": row.moderated_left}
    after: dict[str, Value] = {"posting": posting or "unmoderated", "moderated": moderated}
    row.posting, row.moderated_left = posting, moderated
    row.save(update_fields=["posting", "moderated_left"])
    _audit(actor, Event.LIST_POSTING_MODE, mailing_list, before={address: before}, after={address: after})
    mark_domain_lists_dirty(mailing_list.domain_id)
    return row


def _posting_fields(value: Value) -> dict[str, object]:
    """A subscribers file's `posts` back into the posting mode, the moderated count and the postings."""
    if isinstance(value, list) and value and str(value[0]).isdigit():
        return {"moderated_left": int(str(value[0]))}
    text = str(value or "0")
    if text.isdigit():
        return {"posts": int(text)}
    for mode in (PostingMode.MODERATE_ALL, PostingMode.PROHIBITED, PostingMode.SPECIAL):
        if text.lower() == mode.lower():
            return {"posting": mode.value}
    raise InvalidInput(f"{value!r} is not a subscriber's posts value")


def _loaded_subscriber(mailing_list: MailingList, address: str, info: Value) -> Subscriber:
    from datetime import UTC, datetime

    if not isinstance(info, dict):
        raise InvalidInput(f"subscriber {address}: {info!r} is not a dictionary")
    key, _real_name = parse_subscriber(address)
    mode = str(info.get("mode", SubscriberMode.FEED)).lower()
    confirmation = str(info.get("confirmationID", ""))
    if mode == "subscribe" and confirmation:
        mode = SubscriberMode.FEED
    if mode not in SubscriberMode.values:
        raise InvalidInput(f"subscriber {address}: {mode!r} is not a subscription mode")
    stamp = str(info.get("timeSubscribed", ""))
    try:
        subscribed = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        subscribed = timezone.now()
    return Subscriber(mailing_list=mailing_list, address=key, real_name=str(info.get("RealName", "")), mode=mode,
                      confirmation_id=confirmation, subscribed=subscribed,
                      **_posting_fields(info.get("posts", "0")))


@transaction.atomic
def list_load(
    *, actor: Account | None, domain: Domain, name: str, settings: Mapping[str, Value],
    subscribers: Mapping[str, Value],
) -> MailingList:
    """A list as a base directory's list files describe it (a restore): created when missing, its
    owner, settings and subscribers replaced (CanCreateLists)."""
    require_create(actor, domain)
    values = dict(settings)
    owner = _owner_in(domain, str(values.pop(OWNER, "")))
    explicit = LIST.validate_all(values)
    mailing_list = MailingList.objects.filter(domain=domain, name=name.strip().lower()).first()
    if mailing_list is None:
        mailing_list = MailingList.objects.create(domain=domain, name=_claim_name(domain, name), owner=owner)
    mailing_list.owner, mailing_list.settings = owner, explicit
    mailing_list.save(update_fields=["owner", "settings"])
    mailing_list.domain = domain
    rows = [_loaded_subscriber(mailing_list, address, info) for address, info in subscribers.items()]
    Subscriber.objects.filter(mailing_list=mailing_list).delete()
    Subscriber.objects.bulk_create(rows, batch_size=5000)
    mailing_list.subscriber_count = len(rows)
    mailing_list.save(update_fields=["subscriber_count"])
    _audit(actor, Event.LIST_RESTORE, mailing_list, after={OWNER: owner.name, "Subscribers": str(len(rows))})
    mark_domain_lists_dirty(domain.pk)
    directory_sync.object_changed(domain, mailing_list.name, real_name=_real_name(mailing_list))
    return mailing_list
