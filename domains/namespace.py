"""One namespace a domain, as CommuniGate has: an account, account alias, forwarder, group or
mailing list name is taken once in its domain. `name_holder` answers which object holds a name;
every service that creates or renames one of them claims its name through `claim_name`."""

from __future__ import annotations

from django.db.models import CharField, Model, QuerySet
from django.db.models import Value as V

from accounts.models import Account, AccountAlias
from cgadmin.errors import AccountExists
from domains.models import Domain
from forwarders.models import Forwarder
from groups.models import Group
from lists.models import MailingList

ACCOUNT = "account"
ALIAS = "alias"
FORWARDER = "forwarder"
GROUP = "group"
LIST = "list"


def _holders(domain: Domain, name: str, ignore: Model | None) -> list[QuerySet]:
    """One query a kind of object, each answering the kind's label when the name is there."""
    accounts = Account.objects.filter(domain=domain, name=name)
    aliases = AccountAlias.objects.filter(domain=domain, name=name)
    forwarders = Forwarder.objects.filter(domain=domain, name=name)
    groups = Group.objects.filter(domain=domain, name=name)
    lists = MailingList.objects.filter(domain=domain, name=name)
    if isinstance(ignore, Account):  # an account being renamed keeps its own name and aliases
        accounts, aliases = accounts.exclude(pk=ignore.pk), aliases.exclude(account=ignore)
    elif isinstance(ignore, Forwarder):
        forwarders = forwarders.exclude(pk=ignore.pk)
    elif isinstance(ignore, Group):
        groups = groups.exclude(pk=ignore.pk)
    elif isinstance(ignore, MailingList):
        lists = lists.exclude(pk=ignore.pk)
    return [query.values_list(V(kind, output_field=CharField()))[:1]
            for kind, query in ((ACCOUNT, accounts), (ALIAS, aliases), (FORWARDER, forwarders), (GROUP, groups),
                                          (LIST, lists))]


def name_holder(domain: Domain, name: str, *, ignore: Model | None = None) -> str | None:
    """What holds `name` in the domain ('account', 'alias', 'forwarder', 'group', 'list'), in one query;
    `ignore` is the object being renamed, whose own name (and an account's aliases) do not count."""
    first, *rest = _holders(domain, name.strip().lower(), ignore)
    found = first.union(*rest, all=True)[:1] if rest else first
    row = next(iter(found), None)
    return row[0] if row is not None else None


def claim_name(domain: Domain, name: str, *, ignore: Model | None = None, field: str = "name") -> None:
    """Raise AccountExists (CommuniGate's answer) when another object of the domain holds the name."""
    holder = name_holder(domain, name, ignore=ignore)
    if holder is not None:
        raise AccountExists(f"an object named {name!r} already exists in {domain.name} (a {holder})", field=field)
