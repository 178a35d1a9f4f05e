"""One namespace a domain, as CommuniGate has: an account, account alias, forwarder, group or
mailing list name is taken once in its domain. `name_holder` answers which object holds a name;
every service that creates or renames one of them claims its name through `claim_name`
(`name_holders`: many names at once, for a batch). The reads forwarders and groups share by name
are here too: one by name, all names, a page of them."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from django.db import connection
from django.db.models import CharField, Model, QuerySet
from django.db.models import Value as V

from accounts.models import Account, AccountAlias
from cgadmin.dataformat import Value
from cgadmin.errors import AccountExists
from cgadmin.paging import KeyPage, ListRequest, page_by_key
from domains.models import Domain
from forwarders.models import Forwarder
from groups.models import Group
from lists.models import MailingList

ACCOUNT = "account"
ALIAS = "alias"
FORWARDER = "forwarder"
GROUP = "group"
LIST = "list"

Named = TypeVar("Named", Forwarder, Group)


def _holders(domain: Domain, names: Collection[str], ignore: Model | None) -> list[tuple[str, QuerySet]]:
    """Each kind of object with its query of the domain's objects holding one of `names`."""
    accounts = Account.objects.filter(domain=domain, name__in=names)
    aliases = AccountAlias.objects.filter(domain=domain, name__in=names)
    forwarders = Forwarder.objects.filter(domain=domain, name__in=names)
    groups = Group.objects.filter(domain=domain, name__in=names)
    lists = MailingList.objects.filter(domain=domain, name__in=names)
    if isinstance(ignore, Account):  # an account being renamed keeps its own name and aliases
        accounts, aliases = accounts.exclude(pk=ignore.pk), aliases.exclude(account=ignore)
    elif isinstance(ignore, Forwarder):
        forwarders = forwarders.exclude(pk=ignore.pk)
    elif isinstance(ignore, Group):
        groups = groups.exclude(pk=ignore.pk)
    elif isinstance(ignore, MailingList):
        lists = lists.exclude(pk=ignore.pk)
    return [(ACCOUNT, accounts), (ALIAS, aliases), (FORWARDER, forwarders), (GROUP, groups), (LIST, lists)]


def name_holder(domain: Domain, name: str, *, ignore: Model | None = None) -> str | None:
    """What holds `name` in the domain ('account', 'alias', 'forwarder', 'group', 'list'), in one query;
    `ignore` is the object being renamed, whose own name (and an account's aliases) do not count."""
    # Each kind holds a name at most once (unique in its domain); the LIMIT inside the union only
    # helps the planner, and SQLite (the embedded database) allows none there.
    each = slice(0, 1) if connection.features.supports_slicing_ordering_in_compound else slice(None)
    first, *rest = [query.order_by().values_list(V(kind, output_field=CharField()))[each]
                    for kind, query in _holders(domain, [name.strip().lower()], ignore)]
    found = first.union(*rest, all=True)[:1] if rest else first
    row = next(iter(found), None)
    return row[0] if row is not None else None


def name_holders(domain: Domain, names: Collection[str]) -> dict[str, str]:
    """name_holder for many names in one query (a batch of imported accounts): {name: what holds it},
    names nobody holds left out; `names` are keys as normalize_account_name gives them."""
    if not names:
        return {}
    holders = _holders(domain, list(names), None)
    order = {kind: index for index, (kind, _query) in enumerate(holders)}
    first, *rest = [query.order_by().values_list("name", V(kind, output_field=CharField())) for kind, query in holders]
    found: dict[str, str] = {}
    for name, kind in sorted(first.union(*rest, all=True) if rest else first, key=lambda row: order[row[1]]):
        found.setdefault(name, kind)  # as name_holder: the first kind in _holders' order
    return found


def claim_name(domain: Domain, name: str, *, ignore: Model | None = None, field: str = "name") -> None:
    """Raise AccountExists (CommuniGate's answer) when another object of the domain holds the name."""
    holder = name_holder(domain, name, ignore=ignore)
    if holder is not None:
        raise name_taken(domain, name, holder, field=field)


def name_taken(domain: Domain, name: str, holder: str, *, field: str = "name") -> AccountExists:
    """The error claim_name raises when `holder` ('account', 'alias', ...) holds the name."""
    return AccountExists(f"an object named {name!r} already exists in {domain.name} (a {holder})", field=field)


def find_named(model: type[Named], domain: Domain, name: str) -> Named | None:
    """The domain's forwarder or group of that name (any case), or None."""
    found = model.objects.filter(domain=domain, name=name.strip().lower()).first()
    if found is not None:
        found.domain = domain
    return found


def names_of(model: type[Named], domain: Domain) -> list[Value]:
    """Every name of the domain's forwarders or groups, in name order (ListForwarders, ListGroups)."""
    names: list[Value] = []
    names += model.objects.filter(domain=domain).order_by("name").values_list("name", flat=True)
    return names


def page_by_name(rows: QuerySet, wanted: ListRequest) -> KeyPage:
    """The page of a domain's objects (forwarders, groups, lists) that a list page asks for: by name,
    those whose name contains the filter."""
    if wanted.filter:
        rows = rows.filter(name__contains=wanted.filter.lower())
    return page_by_key(rows, wanted)
