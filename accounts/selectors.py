"""Reads of accounts and their effective settings."""

import datetime
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from django.db import connection
from django.db.models import Model

from accounts.models import NEVER, STORAGE_KIND, Account, AccountAlias
from accounts.settings_schema import ACCOUNT, PREFS
from cgadmin.catalogue import (
    EffectiveValue,
    Layer,
    effective,
    effective_value,
    effective_values,
    effective_with_inherited,
)
from cgadmin.dataformat import Value
from cgadmin.db import prepared_cursor
from cgadmin.errors import InvalidInput
from cgadmin.paging import KeyPage, ListRequest, Order, page_by_order
from cgadmin.userregex import PatternError, compile_pattern
from domains.models import Domain
from domains.names import lookup_domain_key
from domains.selectors import find_domain
from forwarders.models import Forwarder
from realms.permissions import check_mailbox_access
from server import documents


def find_account(domain_name: str, name: str) -> Account | None:
    """The account `name` (or the account an alias `name` points to) in the domain, or None."""
    key = name.strip().lower()
    # The common case, an account named in its domain's own name, in one query (every CLI command
    # that names an account pays this); domain aliases and account aliases take the longer way.
    domain_key = lookup_domain_key(domain_name)
    account = _account_with_domain(domain_key, key)
    if account is not None:
        return account
    domain = find_domain(domain_name)
    if domain is None:
        return None
    if domain.name != domain_key:  # named by a domain alias
        account = Account.objects.select_related("domain").filter(domain=domain, name=key).first()
    if account is None:
        alias = AccountAlias.objects.select_related("account__domain").filter(domain=domain, name=key).first()
        account = alias.account if alias else None
    return account


@functools.cache
def _account_with_domain_sql() -> str:
    quote = connection.ops.quote_name
    columns = [f"a.{quote(field.column)}" for field in Account._meta.concrete_fields]
    columns += [f"d.{quote(field.column)}" for field in Domain._meta.concrete_fields]
    return (f"SELECT {', '.join(columns)} FROM {quote(Account._meta.db_table)} a "
            f"JOIN {quote(Domain._meta.db_table)} d ON d.{quote(Domain._meta.pk.column)} = "
            f"a.{quote(Account._meta.get_field('domain').column)} "
            f"WHERE d.{quote(Domain._meta.get_field('name').column)} = %s "
            f"AND a.{quote(Account._meta.get_field('name').column)} = %s")


class _StoredField(Protocol):
    """A concrete model field as _from_row reads it (Field.get_db_converters is not in django-stubs)."""

    attname: str

    def get_db_converters(self, connection: object) -> list[Callable[..., object]]: ...


def _from_row(model: type[Model], values: Sequence[object]) -> Model:
    """A model instance from its concrete fields' column values, converted as the ORM converts them."""
    fields = cast("Sequence[_StoredField]", model._meta.concrete_fields)
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def _account_with_domain(domain_key: str, name: str) -> Account | None:
    """`Account.objects.select_related("domain").filter(domain__name=..., name=...).first()`, with its
    SQL written once and prepared on the server: every CLI command that names an account and every
    WebAdmin login asks this, and compiling and planning it each time cost more than running it."""
    with prepared_cursor() as cursor:
        cursor.execute(_account_with_domain_sql(), [domain_key, name])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(Account._meta.concrete_fields)
    account = _from_row(Account, row[:width])
    Account._meta.get_field("domain").set_cached_value(account, _from_row(Domain, row[width:]))
    return account  # type: ignore[return-value]


def account_setting_layers(domain: Domain, account_defaults: Mapping[str, Value] | None = None) -> list[Layer]:
    """What lies under an account's explicit settings: server defaults, domain defaults, template
    (`account_defaults`: the server's Account Defaults when the caller has read them already)."""
    if account_defaults is None:
        account_defaults = documents.read_cached(documents.ACCOUNT_DEFAULTS)
    return [
        Layer("server defaults", account_defaults),
        Layer("domain defaults", domain.account_defaults),
        Layer("template", domain.template),
    ]


SERVICE_CLASSES = "ServiceClasses"  # a domain setting: {class name = {account settings}}
SERVICE_CLASS = "ServiceClass"  # an account setting naming its class


def service_classes(domain: Domain, domain_defaults: Mapping[str, Value] | None = None) -> dict[str, dict]:
    """The Classes of Service an account of the domain may name: the server's (Domain Defaults), with the
    domain's own classes replacing those of the same name."""
    server = (domain_defaults if domain_defaults is not None else documents.read_cached(documents.DOMAIN_DEFAULTS))
    classes = {**_class_dict(server.get(SERVICE_CLASSES)), **_class_dict(domain.settings.get(SERVICE_CLASSES))}
    return classes


def _class_dict(value: Value) -> dict[str, dict]:
    if not isinstance(value, dict):
        return {}
    return {str(name): settings for name, settings in value.items() if isinstance(settings, dict)}


def with_service_class(below: list[Layer], explicit: Mapping[str, Value], classes: Mapping[str, dict]) -> list[Layer]:
    """An account's layers: what lies below, then its Class of Service (named by its ServiceClass in
    force), then its own values. A class that does not exist adds nothing."""
    name = explicit.get(SERVICE_CLASS)
    for layer in reversed(below):
        if name is not None:
            break
        name = layer.values.get(SERVICE_CLASS)
    settings = classes.get(str(name)) if name else None
    class_layer = [Layer(f"class {name!s}", settings)] if settings else []
    return [*below, *class_layer, Layer("explicit", explicit)]


def account_layers(
    domain: Domain, explicit: Mapping[str, Value], *, account_defaults: Mapping[str, Value] | None = None,
    domain_defaults: Mapping[str, Value] | None = None,
) -> list[Layer]:
    """Every layer of an account's settings, bottom to top: server defaults, domain defaults, template,
    Class of Service, its own explicit values (the server documents passed when already read)."""
    return with_service_class(account_setting_layers(domain, account_defaults), explicit,
                              service_classes(domain, domain_defaults))


def account_settings_effective(account: Account) -> dict[str, EffectiveValue]:
    """Every account setting with its value and where the value comes from."""
    return effective(ACCOUNT, account_layers(account.domain, account.settings))


def account_effective_values(
    account: Account, *, account_defaults: Mapping[str, Value] | None = None,
    domain_defaults: Mapping[str, Value] | None = None,
) -> dict[str, Value]:
    """Every account setting in force (the one computation of the layers; the server documents
    passed when the caller has read them already, as the queue's router does once a pass)."""
    return effective_values(ACCOUNT, account_layers(account.domain, account.settings,
                                                    account_defaults=account_defaults,
                                                    domain_defaults=domain_defaults))


def account_may_log_in(account: Account) -> bool:
    """Disabled accounts (AccessModes None), accounts without a usable password and accounts of
    suspended domains cannot log in."""
    if account.domain.suspended or not account.has_usable_password():
        return False
    return account_effective_values(account).get("AccessModes") != "None"


def master_accounts() -> list[Account]:
    """The Main Domain accounts holding the Master right (a handful), read afresh."""
    from realms.rights import MASTER

    accounts = Account.objects.select_related("domain").filter(domain__is_main=True)
    if connection.features.supports_json_field_contains:
        return list(accounts.filter(rights__contains=[MASTER]))
    return [account for account in accounts if MASTER in (account.rights or [])]


LAST_MASTER = ("the last account with the Master right that can log in cannot be removed, disabled or lose the "
               "right: grant Master to another account first")


def require_a_master_able_to_log_in() -> None:
    """Raise unless some Master account can still log in: run by every change that could delete or
    disable the last one (inside its transaction, after the change, so the change is rolled back)."""
    from cgadmin.errors import GeneralError

    if not any(account_may_log_in(account) for account in master_accounts()):
        raise GeneralError(LAST_MASTER)


def account_prefs_layers(domain: Domain) -> list[Layer]:
    return [
        Layer("server defaults", documents.read(documents.ACCOUNT_PREFS)),
        Layer("domain defaults", domain.account_prefs),
    ]


def account_prefs_effective(account: Account) -> dict[str, EffectiveValue]:
    return effective(PREFS, [*account_prefs_layers(account.domain), Layer("explicit", account.prefs)])


def account_effective_setting(account: Account, name: str) -> Value:
    """One effective setting (what the server enforces), by its catalogue name."""
    return account_effective_values(account).get(name)


def account_settings_with_inherited(account: Account) -> tuple[dict[str, EffectiveValue], dict[str, EffectiveValue]]:
    """(every setting in force with its source, what each would be without the account's own value)."""
    layers = account_layers(account.domain, account.settings)
    return effective_with_inherited(ACCOUNT, layers[:-1], account.settings)


COUNT_SECONDS = 300  # a filter's count is kept this long (or until an account is created or removed)


def _accounts_matching(domain: Domain, text: str):
    """The domain's accounts whose name, or real name (any case, Cyrillic too), contains text."""
    from django.db.models import Q

    accounts = Account.objects.filter(domain=domain)
    if not text:
        return accounts
    # RealName is stored as data-format text: its value runs from `RealName=` to the next `;`
    real_name = r'(^|[{;])RealName="?[^";]*' + re.escape(text)
    return accounts.filter(Q(name__contains=text.lower()) | Q(settings__iregex=real_name))


def accounts_matching_count(domain: Domain, text: str) -> int:
    """How many accounts the filter finds: the domain's counter without a filter, else counted once
    and kept (the key changes with the account count, so a creation or removal counts again)."""
    import hashlib

    from django.core.cache import cache

    if not text:
        return domain.account_count
    key = f"accounts:count:{domain.pk}:{domain.account_count}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"
    found = cache.get(key)
    if found is None:
        found = _accounts_matching(domain, text).count()
        cache.set(key, found, COUNT_SECONDS)
    return int(found)


def _login_text(value: datetime.datetime) -> str:
    return value.isoformat()


# The Accounts list's orders (`?sort=`): each pages on (value, name) in one direction, which the
# indexes (domain, storage_used, name) and (domain, last login or NEVER, name) serve both ways.
ACCOUNT_ORDERS: dict[str, Order] = {
    "name": Order(("name",)),
    "-name": Order(("name",), descending=True),
    "storage": Order(("storage_used", "name"), parse=int),
    "-storage": Order(("storage_used", "name"), descending=True, parse=int),
    "login": Order(("login_order", "name"), parse=datetime.datetime.fromisoformat, show=_login_text),
    "-login": Order(("login_order", "name"), descending=True, parse=datetime.datetime.fromisoformat,
                    show=_login_text),
}
DEFAULT_ORDER = "name"


def accounts_page(domain: Domain, wanted: ListRequest, sort: str = DEFAULT_ORDER) -> KeyPage:
    """One page of a domain's accounts, filtered by a part of the name or real name, in one of
    ACCOUNT_ORDERS (by key, never by offset); listed_alias_names gives their aliases."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    accounts = _accounts_matching(domain, wanted.filter).only(
        "name", "kind", "settings", "rights", "domain_id", "storage_used", "last_login")
    if sort in ("login", "-login"):  # the index's own expression, so the index serves it
        accounts = accounts.annotate(login_order=Coalesce("last_login", Value(NEVER)))
    order = ACCOUNT_ORDERS.get(sort) or ACCOUNT_ORDERS[DEFAULT_ORDER]
    page = page_by_order(accounts, wanted, order, sort="" if sort == DEFAULT_ORDER else sort)
    for account in page.rows:
        account.domain = domain  # the page knows its domain: account.address costs no query
    return page


def listed_alias_names(accounts: Sequence[Account]) -> dict[int, list[str]]:
    """The aliases of the listed accounts by account id, in name order, in one query (a prefetch
    would build a related manager and a queryset for every row)."""
    names: dict[int, list[str]] = {}
    found = AccountAlias.objects.filter(account_id__in=[account.pk for account in accounts])
    for account_id, name in found.order_by("name").values_list("account_id", "name"):
        names.setdefault(account_id, []).append(name)
    return names


def listed_quotas(domain: Domain, *, account_defaults: Mapping[str, Value],
                  domain_defaults: Mapping[str, Value]) -> Callable[[Account], Value]:
    """MaxAccountSize in force for each listed account of the domain (its own, its class's, the
    template's, the defaults'): the layers below the accounts made once a page, with the server
    documents the page read once."""
    below = account_setting_layers(domain, account_defaults)
    classes = service_classes(domain, domain_defaults)

    def quota(account: Account) -> Value:
        return effective_value(ACCOUNT, with_service_class(below, account.settings, classes), "MaxAccountSize")

    return quota


# --- CLI reads: domain object pages, volatile info, locations -----------------------------------

MAX_PAGE = 10_000


@dataclass(frozen=True)
class DomainObjectsPage:
    """One page of a domain's objects by name (ListDomainObjects)."""

    objects: dict[str, Value]  # account name -> storage kind (macnt, mbox, mdir); alias -> (account name)
    total_accounts: int
    total_aliases: int
    next_cookie: str | None  # the last name on this page when more follow
    total_forwarders: int = 0


def domain_objects_page(
    domain: Domain, *, contains: str, limit: int, after: str, accounts: bool = True, aliases: bool = True,
    forwarders: bool = False,
) -> DomainObjectsPage:
    """Accounts, aliases and forwarders (`((address))`, as CommuniGate answers them) after `after` in
    name order, `limit` of them, whose name contains `contains`.

    Pages by key (name > after), never by offset, so the millionth page costs what the first does."""
    from cgadmin.errors import InvalidInput

    if not 0 <= limit <= MAX_PAGE:
        raise InvalidInput(f"the limit must be from 0 to {MAX_PAGE}")
    rows: list[tuple[str, Value]] = []
    if accounts:
        found = Account.objects.filter(domain=domain, name__gt=after.lower())
        if contains:
            found = found.filter(name__contains=contains.lower())
        rows += [(name, STORAGE_KIND.get(kind, "macnt"))
                 for name, kind in found.order_by("name").values_list("name", "kind")[: limit + 1]]
    if aliases:
        found_aliases = AccountAlias.objects.filter(domain=domain, name__gt=after.lower())
        if contains:
            found_aliases = found_aliases.filter(name__contains=contains.lower())
        rows += [(name, [owner]) for name, owner in
                 found_aliases.order_by("name").values_list("name", "account__name")[: limit + 1]]
    if forwarders:
        found_forwarders = Forwarder.objects.filter(domain=domain, name__gt=after.lower())
        if contains:
            found_forwarders = found_forwarders.filter(name__contains=contains.lower())
        rows += [(name, [[target]]) for name, target in
                 found_forwarders.order_by("name").values_list("name", "target")[: limit + 1]]
    rows.sort(key=lambda row: row[0])
    page = rows[:limit]
    more = len(rows) > limit
    return DomainObjectsPage(
        objects=dict(page),
        total_accounts=domain.account_count,
        total_aliases=AccountAlias.objects.filter(domain=domain).count(),
        next_cookie=page[-1][0] if more and page else None,
        total_forwarders=Forwarder.objects.filter(domain=domain).count(),
    )


def storage_used(account: Account) -> int:
    """Bytes the account's mailboxes hold in the base directory (what account.info's #StorageUsed says)."""
    from basedir.paths import account_path
    from basedir.paths import storage_used as counted
    from domains.selectors import account_foldering

    return counted(account_path(account, account_foldering(account)),
                   account.mailboxes.values_list("name", "format"))


def account_info(account: Account) -> dict[str, Value]:
    """The account's volatile info (LastLogin, LastAddress, ...) with StorageUsed counted from the files."""
    return {**account.info, "StorageUsed": storage_used(account)}


@dataclass(frozen=True)
class MailboxUsage:
    """One mailbox on the account page: its size and message count, counted from its files."""

    name: str
    format: str
    mailbox_class: str
    size: int
    messages: int


def account_mailbox_usage(account: Account) -> list[MailboxUsage]:
    """Each mailbox of the account with the bytes and messages it holds in the base directory
    (StorageUsed, which account_info answers, is the sum of the sizes)."""
    from basedir.paths import mailbox_bytes, mailbox_messages, mailbox_path
    from domains.selectors import account_foldering

    foldering = account_foldering(account)
    usage = []
    for mailbox in account.mailboxes.order_by("name"):
        mailbox.account = account
        location = mailbox_path(mailbox, foldering)
        usage.append(MailboxUsage(mailbox.name, mailbox.format, mailbox.mailbox_class, mailbox_bytes(location),
                                  mailbox_messages(location)))
    return usage


@dataclass(frozen=True)
class StorageUse:
    """Storage used against the quota (MaxAccountSize; None: unlimited), for a bar."""

    used: int
    quota: int | None

    @property
    def percent(self) -> int:
        return min(100, self.used * 100 // self.quota) if self.quota else 0

    @property
    def over(self) -> bool:
        return self.quota is not None and self.used > self.quota


def storage_use(used: int, max_account_size: Value) -> StorageUse:
    """The quota as MaxAccountSize says it (a value that is no size counts as unlimited)."""
    from cgadmin.catalogue import parse_size

    try:
        quota = parse_size(max_account_size)
    except InvalidInput:
        quota = None
    return StorageUse(used, quota)


def account_location(account: Account) -> str:
    """Where the account lives, relative to the base directory (Foldering applied)."""
    from basedir.paths import account_path, base
    from domains.selectors import account_foldering

    return account_path(account, account_foldering(account)).relative_to(base()).as_posix()


def account_mailboxes(
    actor: Account | None, account: Account, *, pattern: str | None = None, on_behalf: Account | None = None
) -> dict[str, Value]:
    """The account's mailboxes (those matching the IMAP pattern) with their format and class: its own
    user, or CanAccessMailboxes. Listed on behalf of another account, each is an empty array: there
    are no mailbox ACLs yet, so only the owner may select its mailboxes (CommuniGate's LIST AUTH)."""
    check_mailbox_access(actor, account)
    matches = mailbox_pattern(pattern) if pattern is not None else None
    selectable = on_behalf is None or on_behalf.pk == account.pk
    result: dict[str, Value] = {}
    for name, storage, mailbox_class in account.mailboxes.order_by("name").values_list(
        "name", "format", "mailbox_class"
    ):
        if matches is not None and not matches(name):
            continue
        info: dict[str, Value] = {"Format": storage}
        if mailbox_class:
            info["Class"] = mailbox_class
        result[name] = info if selectable else []
    return result


def mailbox_pattern(pattern: str) -> Callable[[str], bool]:
    """An IMAP LIST pattern as a test of mailbox names: `*` matches anything, `%` anything but the
    hierarchy separator `/`; INBOX in any case, every other name exactly."""
    source = "".join(".*" if char == "*" else "[^/]*" if char == "%" else re.escape(char) for char in pattern)
    # RE2: a pattern of many wildcards (`*%*%...x`) would make backtracking take for ever
    try:
        exact = compile_pattern(source, dot_matches_newline=True)
        any_case = compile_pattern(source, dot_matches_newline=True, ignore_case=True)
    except PatternError as error:
        raise InvalidInput(f"the mailbox pattern {pattern!r} cannot be used: {error}")

    def matches(name: str) -> bool:
        return (any_case if name.upper() == "INBOX" else exact).fullmatch(name) is not None

    return matches


def account_storage_kinds(domain: Domain) -> dict[str, Value]:
    """Every account of the domain by name, with its storage kind (ListAccounts)."""
    return {
        name: STORAGE_KIND.get(kind, "macnt")
        for name, kind in Account.objects.filter(domain=domain).order_by("name").values_list("name", "kind").iterator()
    }


def account_alias_names(account: Account) -> list[str]:
    return list(account.aliases.order_by("name").values_list("name", flat=True))


def account_effective_setting_named(account: Account, key: str) -> Value:
    """One effective setting by its name in any case (custom settings too); None when unset."""
    values = account_effective_values(account)
    wanted = key.lower()
    for name, value in values.items():
        if name.lower() == wanted:
            return value
    return None


def account_prefs_effective_values(account: Account) -> dict[str, Value]:
    return {name: item.value for name, item in account_prefs_effective(account).items()}


# --- CSV export ----------------------------------------------------------------------------------

EXPORT_CHUNK = 2000


def _export_columns(domain: Domain, passwords: bool) -> list[str]:
    """Name, Type, Aliases, [Password], then every setting some account has, in catalogue order."""
    from accounts.csvformat import ALIASES, NAME, PASSWORD, TYPE

    used: set[str] = set()
    for settings in Account.objects.filter(domain=domain).values_list("settings", flat=True).iterator(
        chunk_size=EXPORT_CHUNK
    ):
        used.update(settings or {})
    known = [entry.name for entry in ACCOUNT if entry.name in used]
    custom = sorted(used - set(known), key=str.lower)
    return [NAME, TYPE, ALIASES, *([PASSWORD] if passwords else []), *known, *custom]


def accounts_csv(actor: Account | None, domain: Domain, *, passwords: bool = False):
    """The domain's accounts as CSV text, a line at a time, in name order (the import's format).
    Stored password forms are included only when asked, for an administrator with BasicSettings."""
    from accounts.csvformat import ALIASES, NAME, PASSWORD, TYPE, format_cell, write_rows
    from accounts.settings_schema import BASIC
    from realms.permissions import check_domain

    check_domain(actor, domain)
    if passwords:
        check_domain(actor, domain, write=True, right=BASIC)
    columns = _export_columns(domain, passwords)
    aliases: dict[int, list[str]] = {}
    for account_id, alias in AccountAlias.objects.filter(domain=domain).order_by("name").values_list(
        "account_id", "name"
    ):
        aliases.setdefault(account_id, []).append(alias)

    def rows():
        fields = ["id", "name", "kind", "settings", *(["password"] if passwords else [])]
        for account in Account.objects.filter(domain=domain).only(*fields).order_by("name").iterator(
            chunk_size=EXPORT_CHUNK
        ):
            row = {NAME: account.name, TYPE: account.kind, ALIASES: " ".join(aliases.get(account.pk, ()))}
            if passwords:
                row[PASSWORD] = "" if account.password.startswith("!") else account.password
            for name, value in (account.settings or {}).items():
                row[name] = format_cell(value)
            yield row

    return write_rows(columns, rows())


def service_class_users(domain: Domain | None, name: str) -> str:
    """Who names a Class of Service (empty when nobody does): accounts, templates and defaults of the
    domain, or of every domain for a server-wide class (a domain's own class of that name hides it)."""
    if domain is not None:
        domains = [domain]
    else:  # a domain's own class of that name is the one its accounts get
        domains = [one for one in Domain.objects.all() if name not in service_classes(one, {})]
    ids = [one.pk for one in domains]
    # Settings are data-format text: the database finds the candidates, the parsed value decides.
    candidates = Account.objects.filter(domain_id__in=ids, settings__contains=SERVICE_CLASS).only("settings")
    accounts = sum(1 for account in candidates.iterator() if account.settings.get(SERVICE_CLASS) == name)
    layers = [f"the Account Template of {one.name}" for one in domains if one.template.get(SERVICE_CLASS) == name]
    layers += [f"the Account Defaults of {one.name}" for one in domains
               if one.account_defaults.get(SERVICE_CLASS) == name]
    if domain is None and documents.read(documents.ACCOUNT_DEFAULTS).get(SERVICE_CLASS) == name:
        layers.append("the server's Account Defaults")
    found = [f"{accounts} account{'s' if accounts != 1 else ''}"] if accounts else []
    return ", ".join([*found, *layers])
