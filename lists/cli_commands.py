"""CLI verbs of the Mailing Lists section (CommuniGate's CLI "Mailing Lists Administration"): each
parses nothing itself and calls one service or selector; the rights are checked in lists.access."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from cli.registry import Call, verb
from domains.object_verbs import READ, domain_and_name, listed_domain
from lists import selectors, services
from lists.access import access_list
from lists.models import MailingList
from realms.access import access_account

LISTS = "Mailing Lists"
CREATE = "AllDomains, or a Domain Administrator with CanCreateLists"
MANAGE = "the list's owner, AllDomains, or a Domain Administrator with CanAccessLists"


def _list(call: Call, name: str, *, create_right: bool = False) -> MailingList:
    return access_list(call.actor, name, create_right=create_right)


@verb("ListLists [domain:dom]", rights=READ, section=LISTS)
def list_lists(call: Call, domain: str | None) -> Value:
    """The names of the domain's mailing lists."""
    return selectors.domain_list_names(listed_domain(call, domain))


@verb("GetDomainLists [domain:dom]", rights=READ, section=LISTS)
def get_domain_lists(call: Call, domain: str | None) -> Value:
    """The domain's lists, each with its number of subscribers."""
    return selectors.domain_list_counts(listed_domain(call, domain))


@verb("GetAccountLists account:acct", rights="the account itself, or a reader of its domain", section=LISTS)
def get_account_lists(call: Call, account: str) -> Value:
    """The lists the account owns, each with its number of subscribers."""
    return selectors.account_list_counts(access_account(call.actor, account))


@verb("CreateList name:str FOR owner:str", rights=CREATE, section=LISTS)
def create_list(call: Call, name: str, owner: str) -> None:
    """Create a mailing list owned by an account of its domain."""
    domain, local = domain_and_name(call, name)
    services.list_create(actor=call.actor, domain=domain, name=local, owner=owner)


@verb("RenameList name:str INTO new_name:str", rights=CREATE, section=LISTS)
def rename_list(call: Call, name: str, new_name: str) -> None:
    """Rename a mailing list (the new name without the domain part)."""
    mailing_list = _list(call, name, create_right=True)
    local, at, domain_name = new_name.rpartition("@")
    if at and domain_name.lower() not in (mailing_list.domain.name, mailing_list.domain.ascii_name):
        raise InvalidInput("a list cannot be renamed into another domain")
    services.list_rename(actor=call.actor, mailing_list=mailing_list, new_name=local if at else new_name)


@verb("DeleteList name:str", rights=CREATE, section=LISTS)
def delete_list(call: Call, name: str) -> None:
    """Remove a mailing list and its subscribers."""
    services.list_delete(actor=call.actor, mailing_list=_list(call, name, create_right=True))


@verb("GetList name:str", rights=MANAGE, section=LISTS)
def get_list(call: Call, name: str) -> Value:
    """The list's settings."""
    return selectors.list_settings(_list(call, name))


@verb("UpdateList name:str settings:dict", rights=MANAGE, section=LISTS)
def update_list(call: Call, name: str, settings: dict) -> None:
    """Change some of the list's settings (the others stay)."""
    services.list_update_settings(actor=call.actor, mailing_list=_list(call, name), updates=settings)


@verb("List name:str operation:str [SILENTLY] [CONFIRM] subscriber:str", rights=MANAGE, section=LISTS)
def list_operation(call: Call, name: str, operation: str, silently: bool, confirm: bool, subscriber: str) -> None:
    """Subscribe an address (subscribe, feed, digest, index, null, banned) or unsubscribe it."""
    services.list_subscribe(actor=call.actor, mailing_list=_list(call, name), operation=operation,
                            subscriber=subscriber, silently=silently, confirm=confirm)


@verb("ListSubscribers name:str [FILTER contains:str] [limit:num]", rights=MANAGE, section=LISTS)
def list_subscribers(call: Call, name: str, contains: str | None, limit: int | None) -> Value:
    """The subscribers' addresses (those containing the filter, at most limit)."""
    return selectors.subscriber_addresses(_list(call, name), contains=contains or "", limit=_limit(limit))


@verb("ReadSubscribers name:str [FILTER contains:str] [limit:num]", rights=MANAGE, section=LISTS)
def read_subscribers(call: Call, name: str, contains: str | None, limit: int | None) -> Value:
    """The number of subscribers and a descriptor of each (Sub, mode, RealName, posts, ...)."""
    return selectors.read_subscribers(_list(call, name), contains=contains or "", limit=_limit(limit))


@verb("GetSubscriberInfo name:str NAME address:str", rights=MANAGE, section=LISTS)
def get_subscriber_info(call: Call, name: str, address: str) -> Value:
    """The subscriber's mode, subscription time, posts and real name ({} when not on the list)."""
    return selectors.subscriber_info(_list(call, name), address)


@verb("SetPostingMode name:str FOR address:str [mode:str]", rights=MANAGE, section=LISTS)
def set_posting_mode(call: Call, name: str, address: str, mode: str | None) -> None:
    """UNMODERATED, MODERATEALL, PROHIBITED, SPECIAL, or the number of postings to moderate."""
    services.list_set_posting_mode(actor=call.actor, mailing_list=_list(call, name), subscriber=address,
                                   mode=mode or "UNMODERATED")


def _limit(limit: int | None) -> int | None:
    if limit is not None and int(limit) < 0:
        raise InvalidInput("the limit must not be negative")
    return int(limit) if limit is not None else None
