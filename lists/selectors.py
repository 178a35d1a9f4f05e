"""Reads of mailing lists and their subscribers: lookups by name, pages by key, CLI answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cgadmin.catalogue import Layer, effective_values
from cgadmin.dataformat import Value
from cgadmin.paging import KeyPage, ListRequest, page_by_key
from domains.models import Domain
from domains.namespace import page_by_name
from lists.models import MailingList, PostingMode, Subscriber
from lists.settings_schema import LIST

if TYPE_CHECKING:
    from accounts.models import Account

MAX_SUBSCRIBERS_ANSWER = 1_000_000


def find_list(domain: Domain, name: str) -> MailingList | None:
    """The domain's list of that name (any case), with its domain and owner in the same query."""
    found = MailingList.objects.select_related("owner").filter(domain=domain, name=name.strip().lower()).first()
    if found is not None:
        found.domain = domain
        found.owner.domain = domain
    return found


def list_names_in(domain: Domain, names: Iterable[str]) -> set[str]:
    """Which of these names are lists of the domain (one query)."""
    keys = {name.strip().lower() for name in names}
    return set(MailingList.objects.filter(domain=domain, name__in=keys).values_list("name", flat=True))


def domain_list_names(domain: Domain) -> list[Value]:
    """ListLists: the names of the domain's lists."""
    return list(MailingList.objects.filter(domain=domain).order_by("name").values_list("name", flat=True))


def domain_list_counts(domain: Domain) -> dict[str, Value]:
    """GetDomainLists: each list's name with its number of subscribers (a numeric string)."""
    rows = MailingList.objects.filter(domain=domain).order_by("name").values_list("name", "subscriber_count")
    return {name: str(count) for name, count in rows}


def account_list_counts(account: Account) -> dict[str, Value]:
    """GetAccountLists: the lists the account owns, with their numbers of subscribers."""
    rows = MailingList.objects.filter(owner=account).order_by("name").values_list("name", "subscriber_count")
    return {name: str(count) for name, count in rows}


def list_settings(mailing_list: MailingList) -> dict[str, Value]:
    """GetList: the list's settings in force (defaults, then its own values, custom keys kept)."""
    return effective_values(LIST, [Layer("explicit", mailing_list.settings)])


def lists_page(domain: Domain, wanted: ListRequest) -> KeyPage:
    """One page of the domain's lists, by name, with each owner fetched in the same query."""
    page = page_by_name(MailingList.objects.filter(domain=domain).select_related("owner"), wanted)
    for mailing_list in page.rows:
        mailing_list.domain = domain
        mailing_list.owner.domain = domain
    return page


def subscribers_page(mailing_list: MailingList, wanted: ListRequest) -> KeyPage:
    """One page of the list's subscribers, by address."""
    rows = Subscriber.objects.filter(mailing_list=mailing_list)
    if wanted.filter:
        rows = rows.filter(address__contains=wanted.filter.lower())
    return page_by_key(rows, wanted, key="address")


def subscriber_addresses(mailing_list: MailingList, *, contains: str = "", limit: int | None = None) -> list[Value]:
    """ListSubscribers: the addresses, in order, those containing `contains`, at most `limit`."""
    rows = Subscriber.objects.filter(mailing_list=mailing_list)
    if contains:
        rows = rows.filter(address__contains=contains.lower())
    addresses = rows.order_by("address").values_list("address", flat=True)
    return list(addresses[: limit if limit is not None else MAX_SUBSCRIBERS_ANSWER])


def acap_time(moment) -> str:
    """A time as CommuniGate's ACAP form: 20261205211500 (UTC)."""
    return moment.strftime("%Y%m%d%H%M%S")


def posting_value(subscriber: Subscriber) -> Value:
    """GetSubscriberInfo's `posts`: the posting mode, the number of postings, or (N) still moderated."""
    if subscriber.posting:
        return subscriber.posting
    if subscriber.moderated_left:
        return [str(subscriber.moderated_left)]
    return str(subscriber.posts)


def subscriber_descriptor(subscriber: Subscriber) -> dict[str, Value]:
    """What GetSubscriberInfo (and the list's subscribers file) says of one subscriber."""
    info: dict[str, Value] = {
        # An unconfirmed subscription shows as `subscribe`, as CommuniGate shows it.
        "mode": "subscribe" if subscriber.pending else subscriber.mode,
        "timeSubscribed": acap_time(subscriber.subscribed),
        "posts": posting_value(subscriber),
    }
    if subscriber.confirmation_id:
        info["confirmationID"] = subscriber.confirmation_id
    if subscriber.real_name:
        info["RealName"] = subscriber.real_name
    return info


def subscriber_info(mailing_list: MailingList, address: str) -> dict[str, Value]:
    """GetSubscriberInfo: the subscriber's descriptor, or {} when the address is not on the list."""
    subscriber = Subscriber.objects.filter(mailing_list=mailing_list, address=address.strip().lower()).first()
    return subscriber_descriptor(subscriber) if subscriber is not None else {}


def read_subscribers(mailing_list: MailingList, *, contains: str = "", limit: int | None = None) -> list[Value]:
    """ReadSubscribers: (the number of subscribers, (each subscriber's descriptor with its Sub))."""
    rows = Subscriber.objects.filter(mailing_list=mailing_list)
    if contains:
        rows = rows.filter(address__contains=contains.lower())
    chosen = rows.order_by("address")[: limit if limit is not None else MAX_SUBSCRIBERS_ANSWER]
    descriptors: list[Value] = [{"Sub": row.address, **subscriber_descriptor(row)} for row in chosen]
    return [mailing_list.subscriber_count, descriptors]


POSTING_KEYWORDS = {
    "UNMODERATED": PostingMode.UNMODERATED,
    "MODERATEALL": PostingMode.MODERATE_ALL,
    "PROHIBITED": PostingMode.PROHIBITED,
    "SPECIAL": PostingMode.SPECIAL,
}
