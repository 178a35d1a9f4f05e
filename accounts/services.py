"""Every change to accounts: create, rename, remove, settings, passwords, aliases, rights, prefs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.csvformat import BadRow, CsvRow, read_rows, rejected_rows
from accounts.hashers import encode_password, is_one_way, malformed_stored_form, needs_rehash
from accounts.models import Account, AccountAlias, AccountImport, AccountType, Mailbox, MailboxFormat
from accounts.parallel_hash import ParallelEncoder
from accounts.password_forms import stored_form_of
from accounts.selectors import (
    SERVICE_CLASS,
    account_effective_values,
    account_layers,
    require_a_master_able_to_log_in,
)
from accounts.settings_schema import ACCOUNT, BASIC, PREFS, UNSERVED_MAILBOX_FORMAT
from accounts.usage import recount_storage
from basedir import outbox
from cgadmin import context
from cgadmin.catalogue import count_limit, effective_values, parse_bool
from cgadmin.celery import send_task
from cgadmin.dataformat import Value, value_list
from cgadmin.db import insert_objects, insert_rows
from cgadmin.errors import (
    AccessDenied,
    AccountExists,
    CGError,
    GeneralError,
    InvalidInput,
    MailboxExists,
    UnknownDomain,
)
from cgadmin.settings_change import SettingsChange, apply_change
from directory import sync as directory_sync  # Central Directory: records follow accounts (directory app)
from domains.counts import count_accounts
from domains.models import Domain
from domains.names import normalize_account_name
from domains.namespace import ACCOUNT as ACCOUNT_HOLDER
from domains.namespace import ALIAS as ALIAS_HOLDER
from domains.namespace import claim_name, name_holders, name_taken
from domains.settings_schema import PasswordPolicy
from lists.export import mark_domain_lists_dirty
from logs.audit import Change, actor_label, audit, audit_many
from logs.events import Event
from realms import rights as R
from realms.permissions import (
    account_setting_authorizer,
    can_read_all_domains,
    check_account,
    check_domain,
    check_mailbox_access,
    has_server_right,
    split_address,
)
from server import documents

PASSWORD = "Password"
CAN_CREATE_ACCOUNTS = "CanCreateAccounts"
CAN_CREATE_SPECIAL = "CanCreateSpecialAccounts"
CAN_CREATE_ALIASES = "CanCreateAliases"
CAN_MANAGE_SESSIONS = "CanCreateWebUserSessions"
SINGLE_MAILBOX_TYPES = frozenset({AccountType.TEXT_MAILBOX, AccountType.MAILDIR_MAILBOX})
MIN_PASSWORD_LENGTH = 6


def parse_account_type(kind: str | None) -> str:
    """The account type by any case of its name (MultiMailbox when none is given)."""
    if not kind:
        return AccountType.MULTI_MAILBOX
    for choice in AccountType:
        if choice.value.lower() == str(kind).lower():
            return choice.value
    raise InvalidInput(f"unknown account type {kind!r}: use {', '.join(AccountType.values)}", field="kind")


def _creation_right(kind: str) -> str:
    return CAN_CREATE_SPECIAL if kind in SINGLE_MAILBOX_TYPES else CAN_CREATE_ACCOUNTS


def _claim_account_name(domain: Domain, name: str, *, ignore: Account | None = None, what: str = "account name") -> str:
    key = normalize_account_name(name, what=what)
    claim_name(domain, key, ignore=ignore)  # one namespace: accounts, aliases, forwarders, groups, lists
    return key


def _split_password(settings: Mapping[str, Value] | None) -> tuple[dict[str, Value], str | None]:
    values = dict(settings or {})
    password = None
    for key in list(values):
        if key.lower() == PASSWORD.lower():
            raw = values.pop(key)
            if not isinstance(raw, str):
                raise InvalidInput("Password: must be a string", field=PASSWORD)
            password = raw
    return values, password


def _stored_password(
    password: str | None, encryption: Value, policy: PasswordPolicy, *, stored_form: bool = False
) -> str:
    """Clear text is checked against the domain's password policy, then encoded under
    PasswordEncryption. A stored form (a hash, A-crpt, another system's `{SSHA512}...`) is kept as
    given only with `stored_form` (import and restore), unchecked: a password a person types is
    always text to check and encode, whatever it looks like (issue 16.13)."""
    if password is None or password == "":
        return "!"  # Django's unusable password: nobody can log in until one is set
    if stored_form:
        stored = stored_form_of(password)  # CommuniGate's \001-marked form, or an unmarked one
        if stored is not None:
            problem = malformed_stored_form(stored)
            if problem is not None:
                raise InvalidInput(f"Password: {problem}", field=PASSWORD)
            return stored
    problem = policy.problem(password)
    if problem is not None:
        raise InvalidInput(problem, field=PASSWORD)
    return encode_password(password, str(encryption))


def _password_policy(domain: Domain, domain_defaults: Mapping[str, Value] | None = None) -> PasswordPolicy:
    from domains.selectors import domain_password_policy

    return domain_password_policy(domain, domain_defaults=domain_defaults)


@dataclass(frozen=True)
class _NewAccount:
    """An account that passed account_create's checks, not saved yet."""

    name: str
    kind: str
    explicit: dict[str, Value]
    password: str
    inbox_format: str


def _checked_new_account(
    *,
    name: str,
    kind: str | None,
    settings: Mapping[str, Value] | None,
    password: str | None,
    stored_form: bool,
    policy: PasswordPolicy,
    allow: Callable[[str], None],
    authorize: Callable[[str, str | None], None],
    claim: Callable[[str], None],
    values_in_force: Callable[[dict[str, Value]], Mapping[str, Value]],
) -> _NewAccount:
    """account_create's checks, in its order, for it and for accounts_create_batch: `allow(right)`
    refuses an actor without a domain right, `authorize` a setting, `claim` a taken name;
    `values_in_force(explicit)` gives at least PasswordEncryption and DefaultMailboxType."""
    kind = parse_account_type(kind)
    allow(_creation_right(kind))
    key = normalize_account_name(name, what="account name")
    claim(key)  # one namespace: accounts, aliases, forwarders, groups, lists
    explicit_input, settings_password = _split_password(settings)
    password = password if password is not None else settings_password
    if password is not None:
        allow(BASIC)
    explicit = ACCOUNT.validate_all(explicit_input)
    for setting in explicit:
        authorize(setting, ACCOUNT.right_for(setting))
    values = values_in_force(explicit)
    stored = _stored_password(password, values["PasswordEncryption"], policy, stored_form=stored_form)
    return _NewAccount(key, kind, explicit, stored, _inbox_format(kind, values))


def _accounts_room(domain: Domain, domain_defaults: Mapping[str, Value] | None = None) -> tuple[int | None, int]:
    """(the domain's AccountsLimit, None when unlimited; how many more accounts it lets the domain have)."""
    from domains.selectors import domain_effective_values

    limit = count_limit(domain_effective_values(domain, domain_defaults=domain_defaults).get("AccountsLimit"))
    return limit, 0 if limit is None else limit - Account.objects.filter(domain=domain).count()


def _accounts_limit_reached(domain: Domain, limit: int) -> GeneralError:
    return GeneralError(f"the domain {domain.name} already has its {limit} account(s) (AccountsLimit)")


@transaction.atomic
def account_create(
    *,
    actor: Account | None,
    domain: Domain,
    name: str,
    kind: str | None = None,
    settings: Mapping[str, Value] | None = None,
    password: str | None = None,
    rights: Iterable[str] = (),
    stored_form: bool = False,
    aliases: Iterable[str] = (),
) -> Account:
    """Create an account of a type, with initial settings (each checked against its right) and
    aliases (CanCreateAliases); `stored_form` (import only) keeps a stored-form password as given."""
    domain_defaults = documents.read_cached(documents.DOMAIN_DEFAULTS)
    new = _checked_new_account(
        name=name, kind=kind, settings=settings, password=password, stored_form=stored_form,
        policy=_password_policy(domain, domain_defaults),
        allow=lambda right: check_domain(actor, domain, write=True, right=right),
        authorize=account_setting_authorizer(actor, Account(domain=domain, rights=[])),
        claim=lambda key: claim_name(domain, key),
        values_in_force=lambda explicit: effective_values(ACCOUNT, account_layers(domain, explicit)),
    )
    limit, room = _accounts_room(domain, domain_defaults)
    if limit is not None and room < 1:
        raise _accounts_limit_reached(domain, limit)
    try:
        with transaction.atomic():
            account = Account.objects.create(domain=domain, name=new.name, kind=new.kind, settings=new.explicit,
                                             password=new.password, rights=list(rights))
    except IntegrityError:
        raise AccountExists(f"an account named {new.name!r} already exists in {domain.name}", field="name")
    count_accounts(domain, +1)
    Mailbox.objects.create(account=account, name=INBOX, format=new.inbox_format)
    audit(actor=actor, event=Event.ACCOUNT_CREATE, object_type="account", object_name=account.address,
          domain_name=domain.name, after={"Type": new.kind, **new.explicit})
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    directory_sync.account_changed(account)  # Central Directory
    if aliases:  # a refused or clashing alias undoes the whole creation
        account_set_aliases(actor=actor, account=account, aliases=aliases)
    return account


@transaction.atomic
def account_rename(*, actor: Account | None, account: Account, new_address: str) -> Account:
    """Rename an account, possibly into another domain; its aliases stay with it."""
    from domains.selectors import find_domain

    check_account(actor, account, write=True, right=CAN_CREATE_ACCOUNTS)
    new_name, new_domain_name = split_address(new_address, account.domain.name)
    new_domain = find_domain(new_domain_name)
    if new_domain is None:  # 512 where the actor may see every domain; elsewhere it learns nothing
        if not can_read_all_domains(actor):
            raise AccessDenied("not enough access rights", field="name")
        raise UnknownDomain(f"unknown domain {new_domain_name!r}", field="name")
    check_domain(actor, new_domain, write=True, right=CAN_CREATE_ACCOUNTS)
    key = _claim_account_name(new_domain, new_name, ignore=account)
    old_address, old_domain = account.address, account.domain
    if key == account.name and new_domain.pk == old_domain.pk:
        return account
    if new_domain.pk != old_domain.pk:
        if account.aliases.exists():
            raise GeneralError("remove the account's aliases before moving it to another domain")
        if any(right in R.SERVER_RIGHTS for right in account.rights):
            raise GeneralError("an account with server rights must stay in the Main Domain")
        count_accounts(old_domain, -1)
        count_accounts(new_domain, +1)
    account.name, account.domain = key, new_domain
    account.save(update_fields=["name", "domain"])
    audit(actor=actor, event=Event.ACCOUNT_RENAME, object_type="account", object_name=account.address,
          domain_name=new_domain.name, before={"Name": old_address}, after={"Name": account.address})
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    if new_domain.pk != old_domain.pk:
        outbox.mark_dirty(outbox.DOMAIN, old_domain.pk)
    directory_sync.account_changed(account)  # Central Directory
    return account


@transaction.atomic
def account_delete(*, actor: Account | None, account: Account) -> None:
    """Remove an account with its aliases and mailboxes."""
    check_account(actor, account, write=True, right=CAN_CREATE_ACCOUNTS)
    if actor is not None and actor.pk == account.pk:
        raise GeneralError("you cannot remove the account you are logged in with")
    address, pk, domain = account.address, account.pk, account.domain
    owned_lists = account.mailing_lists.exists()
    account.delete()  # and the mailing lists it owns, as CommuniGate removes them with their owner
    if owned_lists:
        mark_domain_lists_dirty(domain.pk)
    if R.MASTER in (account.rights or []):
        require_a_master_able_to_log_in()
    directory_sync.account_removed(domain=domain, name=account.name)  # Central Directory
    count_accounts(domain, -1)
    audit(actor=actor, event=Event.ACCOUNT_DELETE, object_type="account", object_name=address,
          domain_name=domain.name, before={"Name": address})
    outbox.mark_dirty(outbox.ACCOUNT, pk)
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)


@transaction.atomic
def account_set_type(*, actor: Account | None, account: Account, kind: str) -> Account:
    """Change an account's class (MultiMailbox, AGrade, ...); the storage format stays as created."""
    kind = parse_account_type(kind)
    check_account(actor, account, write=True, right=CAN_CREATE_ACCOUNTS)
    if (kind in SINGLE_MAILBOX_TYPES or account.kind in SINGLE_MAILBOX_TYPES) and kind != account.kind:
        raise InvalidInput("a single-mailbox account's storage format cannot be changed", field="kind")
    if kind != account.kind:
        before = account.kind
        account.kind = kind
        account.save(update_fields=["kind"])
        audit(actor=actor, event=Event.ACCOUNT_TYPE, object_type="account", object_name=account.address,
              domain_name=account.domain.name, before={"Type": before}, after={"Type": kind})
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return account


@transaction.atomic
def account_update_settings(
    *, actor: Account | None, account: Account, updates: Mapping[str, Value], replace: bool = False,
    stored_form: bool = False,
) -> SettingsChange:
    """Change explicit account settings (replace: the whole set); a Password key sets the password
    (kept as given when it is a stored form only with `stored_form`: restore and ClearAccountCache)."""
    account = Account.objects.select_for_update().select_related("domain").get(pk=account.pk)
    values, password = _split_password(updates)

    def save(settings: dict[str, Value]) -> None:
        account.settings = settings
        account.save(update_fields=["settings"])
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
        directory_sync.account_changed(account)  # Central Directory

    change = apply_change(
        actor=actor, catalogue=ACCOUNT, current=account.settings, updates=values, replace=replace,
        authorize=account_setting_authorizer(actor, account), save=save, event=Event.ACCOUNT_SETTINGS,
        object_type="account", object_name=account.address, domain_name=account.domain.name,
    )
    if change.changed and R.MASTER in (account.rights or []):
        require_a_master_able_to_log_in()  # AccessModes None on the last Master
    if password is not None:
        account_set_password(actor=actor, account=account, password=password, stored_form=stored_form)
    return change


def _is_self(actor: Account | None, account: Account) -> bool:
    return actor is not None and actor.pk == account.pk


def check_password_policy(account: Account, password: str) -> None:
    """What a user's own new password must be (and an administrator's with CHECK)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long", field=PASSWORD)
    if password.lower() == account.name.lower():
        raise InvalidInput("the password may not be the account name", field=PASSWORD)


@transaction.atomic
def account_set_password(
    *, actor: Account | None, account: Account, password: str, check: bool = False, stored_form: bool = False
) -> None:
    """Set the password under the account's PasswordEncryption; users may change their own
    when PWDAllowed, and then the password policy applies (as it does with check). `stored_form`
    (restore only) keeps a password that is already a stored form as given."""
    effective = account_effective_values(account)
    if _is_self(actor, account):
        if not parse_bool(effective["PWDAllowed"]):
            raise AccessDenied("you are not allowed to change your password (PWDAllowed)")
        check = True
    else:
        check_account(actor, account, write=True, right=BASIC)
    if not isinstance(password, str) or not password:
        raise InvalidInput("the password is empty", field=PASSWORD)
    if check:
        check_password_policy(account, password)
    account.password = _stored_password(password, effective["PasswordEncryption"],
                                        _password_policy(account.domain), stored_form=stored_form)
    account.save(update_fields=["password"])
    audit(actor=actor, event=Event.ACCOUNT_PASSWORD, object_type="account", object_name=account.address,
          domain_name=account.domain.name, after={PASSWORD: "(changed)"})
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)


def account_verify_password(*, actor: Account | None, account: Account, password: str) -> bool:
    """Whether the password is the account's (an administrator's check, under BasicSettings)."""
    check_account(actor, account, write=True, right=BASIC)
    return account.check_password(password)


@transaction.atomic
def account_set_aliases(*, actor: Account | None, account: Account, aliases: Iterable[str]) -> list[str]:
    """Replace the account's aliases; an alias may not clash with an account or alias of its domain."""
    check_account(actor, account, write=True, right=CAN_CREATE_ALIASES)
    wanted = _checked_aliases(account.name, aliases,
                              lambda key: claim_name(account.domain, key, ignore=account, field="aliases"))
    before = sorted(account.aliases.values_list("name", flat=True))
    if wanted != before:
        account.aliases.exclude(name__in=wanted).delete()
        AccountAlias.objects.bulk_create(
            [AccountAlias(domain=account.domain, name=name, account=account) for name in wanted if name not in before]
        )
        audit(actor=actor, event=Event.ACCOUNT_ALIASES, object_type="account", object_name=account.address,
              domain_name=account.domain.name, before=value_list(before), after=value_list(wanted))
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
        directory_sync.account_changed(account)  # Central Directory
    return wanted


def _checked_aliases(own_name: str, aliases: Iterable[str], claim: Callable[[str], None]) -> list[str]:
    """The alias names, sorted; an alias may not be listed twice, be the account's own name, or be taken."""
    wanted: list[str] = []
    for alias in aliases:
        if not str(alias).strip():
            continue
        key = normalize_account_name(str(alias), what="alias")
        if key in wanted:
            raise InvalidInput(f"the alias {key!r} is listed twice", field="aliases")
        if key == own_name:
            raise AccountExists(f"the alias {key!r} is the account's own name", field="aliases")
        claim(key)
        wanted.append(key)
    return sorted(wanted)


def _checked_rights(account: Account, rights: Iterable[str]) -> list[str]:
    known = {name.lower(): name for name in (*R.SERVER_RIGHTS, R.DOMAIN_ADMIN, *R.DOMAIN_ADMIN_RIGHTS)}
    result: list[str] = []
    for right in rights:
        name = known.get(str(right).lower())
        if name is None:
            raise InvalidInput(f"unknown access right {right!r}", field="rights")
        if name in R.SERVER_RIGHTS and not account.domain.is_main:
            raise GeneralError(SERVER_RIGHTS_MAIN_DOMAIN_ONLY, field="rights")  # well-formed, not allowed: 501
        if name not in result:
            result.append(name)
    for name in R.MONITOR_SUB_RIGHTS:
        if name in result and R.MONITOR not in result:
            raise InvalidInput(f"{name} is granted together with the Monitor right", field="rights")
    if any(name in R.DOMAIN_ADMIN_RIGHTS for name in result) and R.DOMAIN_ADMIN not in result:
        result.insert(result.index(next(n for n in result if n in R.DOMAIN_ADMIN_RIGHTS)), R.DOMAIN_ADMIN)
    return result


def _server_rights_of(rights: Iterable[str]) -> set[str]:
    by_lower = {name.lower(): name for name in R.SERVER_RIGHTS}
    return {by_lower[name.lower()] for name in rights if name.lower() in by_lower}


# The seed's own words ("Realms and Access Rights").
SERVER_RIGHTS_MAIN_DOMAIN_ONLY = (
    "Server Administration access rights can be granted to the Main Domain Accounts only. "
    "Accounts in secondary Domains can be granted Domain Administration rights only."
)


def _replace_rights(
    actor: Account | None, account: Account, compute: Callable[[list[str]], Iterable[str]]
) -> list[str]:
    """Lock the account, compute its new rights from the current ones, check, save and audit."""
    if not has_server_right(actor, R.ALL_DOMAINS):
        raise AccessDenied("only an administrator with the AllDomains or Master right grants access rights")
    account = Account.objects.select_for_update().select_related("domain").get(pk=account.pk)
    check_account(actor, account, write=True, right=None)  # every right it holds: AllDomains is not Master
    before = list(account.rights or [])
    requested = [str(name) for name in compute(before)]
    # Who may ask comes before what is asked: without Master, any change of server rights is 510.
    if _server_rights_of(requested) != _server_rights_of(before) and not has_server_right(actor, R.MASTER):
        raise AccessDenied("only an administrator with the Master right grants or revokes server rights")
    wanted = _checked_rights(account, requested)
    if not set(before) ^ set(wanted):
        return before
    account.rights = wanted
    account.save(update_fields=["rights"])
    if R.MASTER in before:
        require_a_master_able_to_log_in()
    audit(actor=actor, event=Event.ACCOUNT_RIGHTS, object_type="account", object_name=account.address,
          domain_name=account.domain.name, before=before, after=value_list(wanted))
    outbox.mark_dirty(outbox.DOMAIN, account.domain_id)  # Access.settings lives with the domain
    return wanted


@transaction.atomic
def account_set_rights(*, actor: Account | None, account: Account, rights: Iterable[str]) -> list[str]:
    """Replace the account's rights. Server rights need Master; Domain Administrator rights need
    AllDomains (or Master). Nobody removes the last Master right on the server."""
    wanted = list(rights)
    return _replace_rights(actor, account, lambda _: wanted)


@transaction.atomic
def account_set_server_rights(*, actor: Account | None, account: Account, rights: Iterable[str]) -> list[str]:
    """Grant exactly these server rights (the Master realm's page); Domain Administrator rights stay."""
    wanted = list(rights)
    unknown = [name for name in wanted if str(name) not in R.SERVER_RIGHTS]
    if unknown:
        raise InvalidInput(f"not a server right: {', '.join(map(str, unknown))}", field="rights")
    return _replace_rights(actor, account, lambda before: [
        *wanted, *(name for name in before if name not in R.SERVER_RIGHTS)])


@transaction.atomic
def account_set_domain_admin_rights(
    *, actor: Account | None, account: Account, administrator: bool, rights: Iterable[str]
) -> list[str]:
    """Make the account a Domain Administrator with exactly these rights, or (administrator False)
    take every Domain Administrator right away; its server rights stay."""
    wanted = list(rights) if administrator else []
    unknown = [name for name in wanted if str(name) not in R.DOMAIN_ADMIN_RIGHTS]
    if unknown:
        raise InvalidInput(f"not a Domain Administrator right: {', '.join(map(str, unknown))}", field="rights")
    marker = [R.DOMAIN_ADMIN] if administrator else []
    return _replace_rights(actor, account, lambda before: [
        *(name for name in before if name in R.SERVER_RIGHTS), *marker, *wanted])


@transaction.atomic
def account_update_prefs(
    *, actor: Account | None, account: Account, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change the account's preferences: its own user may, an administrator with WebUserSettings."""
    account = Account.objects.select_for_update().select_related("domain").get(pk=account.pk)

    def authorize(name: str, right: str | None) -> None:
        if not _is_self(actor, account):
            account_setting_authorizer(actor, account)(name, right)

    def save(prefs: dict[str, Value]) -> None:
        account.prefs = prefs
        account.save(update_fields=["prefs"])
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)

    return apply_change(
        actor=actor, catalogue=PREFS, current=account.prefs, updates=updates, replace=replace,
        authorize=authorize, save=save, event=Event.ACCOUNT_PREFS, object_type="account",
        object_name=account.address, domain_name=account.domain.name,
    )


WEBADMIN_PREFS = "WebAdminPrefs"
MAX_OBJECTS_PER_PAGE = 1000
MAX_REFRESH_SECONDS = 3600


def _webadmin_pref(key: str, value: Value) -> str:
    """A WebAdmin Preference as stored (text), or InvalidInput naming it."""
    from cgadmin.catalogue import Level, parse_duration

    text = str(value).strip()
    if key == "InterfaceType":
        return Level.parse(text).label
    if key == "ObjectsPerPage":
        if not text.isdigit() or not 1 <= int(text) <= MAX_OBJECTS_PER_PAGE:
            raise InvalidInput(f"objects per page: a number from 1 to {MAX_OBJECTS_PER_PAGE}", field=key)
        return str(int(text))
    if key == "RefreshRate":
        seconds = 0 if text.lower() == "never" else parse_duration(text)
        if seconds is None or seconds > MAX_REFRESH_SECONDS or 0 < seconds < 5:
            raise InvalidInput("refresh period: from 5 seconds to 1 hour, or never", field=key)
        return str(seconds)
    if key == "Charset":
        charsets = PREFS["PreferredCharset"].choice_list()
        if text.lower() not in charsets:
            raise InvalidInput(f"unknown character set {text!r}: use one of {', '.join(charsets)}", field=key)
        return text.lower()
    if key == "Skin":  # the Domain WebAdmin's skin (skins app); an empty name is the stock look
        if len(text) > 255 or "/" in text:
            raise InvalidInput(f"{text!r} is not a skin name", field=key)
        return text
    raise InvalidInput(f"unknown WebAdmin Preference {key!r}", field=key)


@transaction.atomic
def account_update_webadmin_prefs(
    *, actor: Account | None, account: Account, updates: Mapping[str, Value], realm: str | None = None
) -> dict[str, Value]:
    """Change an administrator's own WebAdmin Preferences (kept in its WebAdminPrefs setting): the
    Interface Type for every realm, the others for `realm` (or as the general value without one)."""
    from realms.rights import REALMS

    account = Account.objects.select_for_update().select_related("domain").get(pk=account.pk)
    if not _is_self(actor, account):
        check_account(actor, account, write=True, right=None)
    if realm is not None and realm not in REALMS:
        raise InvalidInput(f"unknown realm {realm!r}", field="realm")
    before = dict(account.settings.get(WEBADMIN_PREFS) or {})
    after = dict(before)
    for key, value in updates.items():
        stored = _webadmin_pref(key, value)
        if key in ("InterfaceType", "Skin") or realm is None:
            after[key] = stored
        else:
            after[realm] = {**(after.get(realm) or {}), key: stored}
    if after != before:
        account.settings = {**account.settings, WEBADMIN_PREFS: after}
        account.save(update_fields=["settings"])
        audit(actor=actor, event=Event.ACCOUNT_SETTINGS, object_type="account", object_name=account.address,
              domain_name=account.domain.name, before={WEBADMIN_PREFS: before}, after={WEBADMIN_PREFS: after})
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return after


@transaction.atomic
def account_kill_sessions(*, actor: Account | None, account: Account) -> None:
    """End the account's WebAdmin, WebUser and CLI sessions now."""
    check_account(actor, account, write=True, right=CAN_MANAGE_SESSIONS)
    account.sessions_valid_after = timezone.now()
    account.save(update_fields=["sessions_valid_after"])
    audit(actor=actor, event=Event.ACCOUNT_KILL_SESSIONS, object_type="account", object_name=account.address,
          domain_name=account.domain.name)


def account_rehash_password(account: Account, *, password: str) -> bool:
    """After a successful login: store the password as the account's PasswordEncryption makes it now
    (an older PBKDF2 or scrypt hash, a lower Argon2id cost, another system's imported form). Not an
    administrative change: no audit entry, as Django's own upgrade on login; the files follow."""
    encryption = str(account_effective_values(account)["PasswordEncryption"])
    if not needs_rehash(account.password, encryption):
        return False
    new = encode_password(password, encryption)
    # Only over the form that was checked: a password changed meanwhile is never overwritten.
    if Account.objects.filter(pk=account.pk, password=account.password).update(password=new):
        account.password = new
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
        return True
    return False


@transaction.atomic
def account_note_login(account: Account, *, interface: str, address: str) -> None:
    """Record a successful login in the account's volatile info and last_login (the Accounts list
    sorts by it); not an administrative change."""
    logins = str(account.info.get("Logins") or "0")
    now = timezone.now().replace(microsecond=0)
    info = {**account.info, "LastLogin": now.replace(tzinfo=None),
            "LastAddress": address, "LastInterface": interface,
            "Logins": int(logins) + 1 if logins.isdigit() else 1}  # GetAccountStat's Logins
    Account.objects.filter(pk=account.pk).update(info=info, last_login=now)
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)  # account.info
    account.info, account.last_login = info, now


# --- mailboxes ---------------------------------------------------------------------------------

INBOX = "INBOX"
MAILBOX_TYPE_FORMATS = {
    "Text": MailboxFormat.TEXT, "MailDir": MailboxFormat.MAILDIR,  # a Sliced value stored before: Text
    "TextMailbox": MailboxFormat.TEXT, "MailDirMailbox": MailboxFormat.MAILDIR,
}
MAX_MAILBOX_NAME = 255


def _inbox_format(kind: str, values: Mapping[str, Value]) -> str:
    """A single-mailbox account's INBOX is its storage; others follow DefaultMailboxType (in `values`)."""
    if kind == AccountType.TEXT_MAILBOX:
        return MailboxFormat.TEXT
    if kind == AccountType.MAILDIR_MAILBOX:
        return MailboxFormat.MAILDIR
    return MAILBOX_TYPE_FORMATS.get(str(values["DefaultMailboxType"]), MailboxFormat.TEXT)


def normalize_mailbox_name(name: str) -> str:
    """A mailbox name: parts separated by '/', none empty, '.' or '..', no control characters."""
    text = (name or "").strip()
    if not text:
        raise InvalidInput("the mailbox name is empty", field="mailbox")
    if len(text) > MAX_MAILBOX_NAME:
        raise InvalidInput(f"the mailbox name is longer than {MAX_MAILBOX_NAME} characters", field="mailbox")
    if any(ord(char) < 32 or char == "\x7f" for char in text):
        raise InvalidInput("the mailbox name has control characters", field="mailbox")
    parts = text.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise InvalidInput(f"{name!r} is not a valid mailbox name", field="mailbox")
    return INBOX if text.upper() == INBOX else text


def _mailbox(account: Account, name: str) -> Mailbox:
    from cgadmin.errors import NotFound

    mailbox = Mailbox.objects.filter(account=account, name=normalize_mailbox_name(name)).first()
    if mailbox is None:
        raise NotFound(f"unknown mailbox {name!r}", field="mailbox")
    return mailbox


MAILBOX_CLASSES = "MailboxClasses"  # account.info: {name = class;} of non-mail mailboxes (seed, Backup and Recovery)


def _note_mailbox_class(account: Account, name: str, mailbox_class: str, *, old_name: str | None = None) -> None:
    """Keep the non-mail mailboxes' types in the account's info, so account.info carries them as
    the seed says (a restored calendar needs its type from there)."""
    stored = Account.objects.filter(pk=account.pk).values_list("info", flat=True).first()
    info: dict[str, Value] = dict(stored) if isinstance(stored, dict) else {}
    classes = _mailbox_classes(info)
    for key in (name, old_name):
        if key:
            classes.pop(key, None)
    if mailbox_class:
        classes[name] = mailbox_class
    if classes == _mailbox_classes(info):
        return
    if classes:
        info[MAILBOX_CLASSES] = classes
    else:
        info.pop(MAILBOX_CLASSES, None)
    Account.objects.filter(pk=account.pk).update(info=info)
    account.info = info


def _mailbox_classes(info: dict[str, Value]) -> dict[str, Value]:
    """A copy of the MailboxClasses an account's info holds (empty when none)."""
    classes = info.get(MAILBOX_CLASSES)
    return dict(classes) if isinstance(classes, dict) else {}


@transaction.atomic
def mailbox_create(
    *, actor: Account | None, account: Account, name: str, mailbox_class: str = "", mailbox_format: str | None = None
) -> Mailbox:
    """Create a mailbox in the account's DefaultMailboxType format, or the given one (a restored
    mailbox keeps the format of its files); MaxMailboxes applies."""
    check_mailbox_access(actor, account)
    if account.kind in SINGLE_MAILBOX_TYPES:
        raise GeneralError("a single-mailbox account has only its INBOX")
    if mailbox_format is not None and mailbox_format not in (MailboxFormat.TEXT, MailboxFormat.MAILDIR):
        raise InvalidInput(UNSERVED_MAILBOX_FORMAT, field="mailbox")
    key = normalize_mailbox_name(name)
    if Mailbox.objects.filter(account=account, name=key).exists():
        raise MailboxExists(f"mailbox {key!r} already exists", field="mailbox")
    effective = account_effective_values(account)
    limit = effective["MaxMailboxes"]
    if str(limit).isdigit() and account.mailboxes.count() >= int(str(limit)):
        raise GeneralError(f"the account already has its maximum of {limit!s} mailboxes (MaxMailboxes)")
    mailbox = Mailbox.objects.create(
        account=account, name=key, mailbox_class=mailbox_class,
        format=mailbox_format or MAILBOX_TYPE_FORMATS.get(str(effective["DefaultMailboxType"]), MailboxFormat.TEXT),
    )
    audit(actor=actor, event=Event.MAILBOX_CREATE, object_type="mailbox", object_name=f"{account.address}/{key}",
          domain_name=account.domain.name, after={"Name": key, "Format": mailbox.format, "Class": mailbox_class})
    if mailbox_class:
        _note_mailbox_class(account, key, mailbox_class)
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return mailbox


@transaction.atomic
def mailbox_rename(*, actor: Account | None, account: Account, name: str, new_name: str) -> Mailbox:
    """Rename a mailbox (INBOX keeps its name)."""
    check_mailbox_access(actor, account)
    mailbox = _mailbox(account, name)
    key = normalize_mailbox_name(new_name)
    if INBOX in (mailbox.name, key):
        raise GeneralError("INBOX cannot be renamed, and no mailbox can take its name")
    if Mailbox.objects.filter(account=account, name=key).exists():
        raise MailboxExists(f"mailbox {key!r} already exists", field="mailbox")
    old = mailbox.name
    mailbox.name = key
    mailbox.save(update_fields=["name"])
    audit(actor=actor, event=Event.MAILBOX_RENAME, object_type="mailbox", object_name=f"{account.address}/{key}",
          domain_name=account.domain.name, before={"Name": old}, after={"Name": key})
    if mailbox.mailbox_class:
        _note_mailbox_class(account, key, mailbox.mailbox_class, old_name=old)
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: Account | None, account: Account, name: str) -> None:
    """Remove a mailbox and its messages (INBOX stays)."""
    check_mailbox_access(actor, account)
    mailbox = _mailbox(account, name)
    if mailbox.name == INBOX:
        raise GeneralError("INBOX cannot be removed")
    mailbox.delete()
    audit(actor=actor, event=Event.MAILBOX_DELETE, object_type="mailbox",
          object_name=f"{account.address}/{mailbox.name}", domain_name=account.domain.name,
          before={"Name": mailbox.name})
    if mailbox.mailbox_class:
        _note_mailbox_class(account, mailbox.name, "")
    recount_storage(account)  # the files of the mailboxes left (the exporter removes this one's)
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)


# --- CSV import and export ---------------------------------------------------------------------

IMPORT_BATCH = 500  # rows per transaction (accounts_create_batch); the progress moves a batch at a time
MAX_REPORTED_ERRORS = 1000  # bad lines kept in an import's report (all are counted)


@dataclass
class ImportReport:
    """What an import did so far: records read, accounts created, bad lines (line, message)."""

    processed: int = 0
    created: int = 0
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, message))


def _row_name(domain: Domain, name: str, find: Callable[[str], Domain | None] | None = None) -> str:
    """A row may name the account as `name` or `name@domain` (this domain or one of its aliases)."""
    from domains.selectors import find_domain

    local, at, domain_name = name.rpartition("@")
    if not at:
        return name
    found = (find or find_domain)(domain_name)
    if found is None or found.pk != domain.pk:
        raise InvalidInput(f"{name!r} is not an address in {domain.name}", field="name")
    return local


def _local_part(name: str) -> str:
    """The name _row_name gives for a row's Name cell, when it gives one."""
    local, at, rest = name.rpartition("@")
    return local if at else rest


def _import_row(actor: Account | None, domain: Domain, row: CsvRow) -> None:
    """One row: the account and its aliases, or (in a savepoint) nothing at all."""
    with transaction.atomic():
        account = account_create(actor=actor, domain=domain, name=_row_name(domain, row.name), kind=row.kind,
                                 settings=row.settings, password=row.password, stored_form=True)
        if row.aliases:
            account_set_aliases(actor=actor, account=account, aliases=row.aliases)


def _row_outcome(actor: Account | None, domain: Domain, row: CsvRow) -> Account | str:
    """One row through account_create and account_set_aliases: the account, or why it was skipped."""
    try:
        _import_row(actor, domain, row)
    except CGError as error:
        return error.message
    except ValueError as error:  # a value no check caught: this row only
        return str(error)
    return Account.objects.get(domain=domain, name=_row_name(domain, row.name).strip().lower())


# account_create's checks read these values; a row setting none of these keys has the domain's.
_CREATION_VALUES = frozenset({"PasswordEncryption", "DefaultMailboxType", SERVICE_CLASS})


class _BatchChecks:
    """account_create's (and account_set_aliases') checks for a batch of rows, with what the rows
    share done once: each right and each setting's right checked once, the server documents read
    once, every name the rows claim looked up in one query, each `name@domain` domain found once."""

    def __init__(self, actor: Account | None, domain: Domain, rows: Sequence[CsvRow]) -> None:
        from domains.selectors import find_domain

        self.actor, self.domain = actor, domain
        self.allowed: set[tuple[str, str | None]] = set()
        self.setting_authorizer = account_setting_authorizer(actor, Account(domain=domain, rights=[]))
        account_defaults = documents.read_cached(documents.ACCOUNT_DEFAULTS)
        self.domain_defaults = domain_defaults = documents.read_cached(documents.DOMAIN_DEFAULTS)
        self.layers = lambda explicit: account_layers(domain, explicit, account_defaults=account_defaults,
                                                      domain_defaults=domain_defaults)
        self.domain_values = effective_values(ACCOUNT, self.layers({}))
        self.policy = _password_policy(domain, domain_defaults)
        names = [text for row in rows for text in (_local_part(row.name), *row.aliases)]
        self.taken = name_holders(domain, {str(name).strip().lower() for name in names})  # every key claim() sees
        self.domains: dict[str, Domain | None] = {}
        self.find_domain = lambda name: self.domains[name] if name in self.domains else self.domains.setdefault(
            name, find_domain(name))

    def allow(self, right: str) -> None:
        if ("domain", right) not in self.allowed:
            check_domain(self.actor, self.domain, write=True, right=right)
            self.allowed.add(("domain", right))

    def authorize(self, setting: str, right: str | None) -> None:
        if (setting, right) not in self.allowed:
            self.setting_authorizer(setting, right)
            self.allowed.add((setting, right))

    def claim(self, key: str, *, field: str = "name") -> None:
        holder = self.taken.get(key)
        if holder is not None:
            raise name_taken(self.domain, key, holder, field=field)

    def values_in_force(self, explicit: dict[str, Value]) -> Mapping[str, Value]:
        if _CREATION_VALUES.isdisjoint(explicit):
            return self.domain_values
        return effective_values(ACCOUNT, self.layers(explicit))

    def check(self, row: CsvRow) -> tuple[_NewAccount, list[str]]:
        """The row's account and aliases, checked as account_create and account_set_aliases do."""
        new = _checked_new_account(
            name=_row_name(self.domain, row.name, self.find_domain), kind=row.kind, settings=row.settings,
            password=row.password, stored_form=True, policy=self.policy, allow=self.allow,
            authorize=self.authorize, claim=self.claim,
            values_in_force=self.values_in_force,
        )
        aliases: list[str] = []
        if row.aliases:
            self.allow(CAN_CREATE_ALIASES)
            aliases = _checked_aliases(new.name, row.aliases, lambda key: self.claim(key, field="aliases"))
        self.taken[new.name] = ACCOUNT_HOLDER  # the rows after this one find the names taken
        for alias in aliases:
            self.taken[alias] = ALIAS_HOLDER
        return new, aliases


@transaction.atomic
def accounts_create_batch(
    *, actor: Account | None, domain: Domain, rows: Sequence[CsvRow]
) -> list[Account | str]:
    """account_create (and account_set_aliases for a row's aliases) for a batch of import rows, with
    the same checks and errors, in a constant number of queries: each row's account, or the message
    saying why that row was skipped. Passwords are stored forms (or clear text, encoded here)."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_ACCOUNTS)
    checks = _BatchChecks(actor, domain, rows)
    limit, room = _accounts_room(domain, checks.domain_defaults)
    outcomes: list[Account | str] = []
    made: list[tuple[Account, _NewAccount, list[str]]] = []
    for row in rows:
        try:
            new, aliases = checks.check(row)
            if limit is not None and room < 1:
                raise _accounts_limit_reached(domain, limit)
        except CGError as error:
            outcomes.append(error.message)
            continue
        except ValueError as error:  # a value no check caught: this row only
            outcomes.append(str(error))
            continue
        room -= 1
        account = Account(domain=domain, name=new.name, kind=new.kind, settings=new.explicit,
                          password=new.password, rights=[])
        outcomes.append(account)
        made.append((account, new, aliases))
    try:
        with transaction.atomic():
            _insert_batch(actor, domain, made)
    except IntegrityError:  # a name taken by another process meanwhile: row by row, as account_create says it
        return [_row_outcome(actor, domain, row) for row in rows]
    return outcomes


def _insert_batch(actor: Account | None, domain: Domain, made: list[tuple[Account, _NewAccount, list[str]]]) -> None:
    """What account_create and account_set_aliases write for each account, a statement a table."""
    if not made:
        return
    accounts = insert_objects(Account, [account for account, _new, _aliases in made])
    count_accounts(domain, len(accounts))
    now = timezone.now()
    insert_rows(Mailbox, ("account_id", "name", "format", "mailbox_class", "created"),
                ((account.pk, INBOX, new.inbox_format, "", now) for account, new, _aliases in made))
    insert_rows(AccountAlias, ("domain_id", "name", "account_id"),
                ((domain.pk, alias, account.pk) for account, _new, aliases in made for alias in aliases))
    changes: list[Change] = []
    for account, new, aliases in made:
        address = f"{account.name}@{domain.name}"
        changes.append(Change(Event.ACCOUNT_CREATE, "account", address, domain.name,
                              after={"Type": new.kind, **new.explicit}))
        if aliases:
            changes.append(Change(Event.ACCOUNT_ALIASES, "account", address, domain.name, before=[],
                                  after=value_list(aliases)))
    audit_many(actor=actor, changes=changes)
    outbox.mark_many_dirty(outbox.ACCOUNT, [account.pk for account in accounts])
    directory_sync.accounts_created(domain, [(account, aliases) for account, _new, aliases in made])


def _import_encryption(domain: Domain, domain_encryption: str, row: CsvRow) -> str | None:
    """The PasswordEncryption a row's account will have (None: unknown yet, account_create decides)."""
    if not any(key.lower() in ("passwordencryption", "serviceclass") for key in row.settings):
        return domain_encryption
    try:
        explicit = ACCOUNT.validate_all(row.settings)
        return str(effective_values(ACCOUNT, account_layers(domain, explicit))["PasswordEncryption"])
    except (CGError, ValueError):  # the row is bad: account_create reports it
        return None


def _is_stored_form(password: str) -> bool:
    try:
        return stored_form_of(password) is not None
    except CGError:  # a marked form this server cannot check: account_create reports the row
        return True


def _prehash_batch(encoder: ParallelEncoder, domain: Domain, domain_encryption: str, policy: PasswordPolicy,
                   batch: list[CsvRow | BadRow]) -> tuple[list[int], list]:
    """Start hashing the batch's clear passwords on every core: (row indexes, futures). A password
    the domain's policy refuses stays clear text, for accounts_create_batch to report."""
    indexes: list[int] = []
    items: list[tuple[str, str]] = []
    for index, row in enumerate(batch):
        if isinstance(row, BadRow) or not row.password or _is_stored_form(row.password):
            continue
        if policy.problem(row.password) is not None:
            continue
        encryption = _import_encryption(domain, domain_encryption, row)
        if encryption is not None and is_one_way(encryption):
            indexes.append(index)
            items.append((row.password, encryption))
    return indexes, encoder.submit(items)


def accounts_import_csv(
    *,
    actor: Account | None,
    domain: Domain,
    text: str | Iterable[str],
    skip: int = 0,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Create an account for each CSV row through accounts_create_batch (account_create's rights,
    checks, audit, outbox and directory, a batch at a time); a bad row is reported with its line
    number and the rest goes on. Each batch of rows commits with `on_batch` (the progress); `skip`
    records were done by an earlier run. `text` may be an open file: it is read a batch at a time.
    Clear passwords are hashed on every core (accounts.parallel_hash) while the batch before
    commits, so at most two batches are held."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_ACCOUNTS)
    rows = read_rows(text)  # a bad header stops here, before anything changes
    report = ImportReport()
    domain_encryption = str(effective_values(ACCOUNT, account_layers(domain, {}))["PasswordEncryption"])
    policy = _password_policy(domain)

    def run_batch(batch: list[CsvRow | BadRow], hashed: tuple[list[int], list]) -> None:
        for index, encoded in zip(hashed[0], ParallelEncoder.collect(hashed[1]), strict=True):
            batch[index] = dataclasses.replace(batch[index], password=encoded)  # type: ignore[arg-type]
        good = [row for row in batch if isinstance(row, CsvRow)]
        with transaction.atomic():
            try:
                outcomes = iter(accounts_create_batch(actor=actor, domain=domain, rows=good) if good else [])
            except AccessDenied as error:  # as each row's account_create would have said
                outcomes = iter([error.message] * len(good))
            for row in batch:
                report.processed += 1
                outcome = row.message if isinstance(row, BadRow) else next(outcomes)
                if isinstance(outcome, str):
                    report.add_error(row.line, outcome)
                else:
                    report.created += 1
            if on_batch is not None:
                on_batch(report)  # in the batch's transaction: the progress commits with the rows

    with ParallelEncoder() as encoder:
        waiting: tuple[list[CsvRow | BadRow], tuple[list[int], list]] | None = None
        batch: list[CsvRow | BadRow] = []
        for index, row in enumerate(rows):
            if index < skip:
                continue
            batch.append(row)
            if len(batch) >= IMPORT_BATCH:
                hashing = (batch, _prehash_batch(encoder, domain, domain_encryption, policy, batch))
                if waiting is not None:
                    run_batch(*waiting)  # commits while the workers hash the next batch
                waiting, batch = hashing, []
        if batch:
            hashing = (batch, _prehash_batch(encoder, domain, domain_encryption, policy, batch))
            if waiting is not None:
                run_batch(*waiting)
            waiting = hashing
        if waiting is not None:
            run_batch(*waiting)
    audit(actor=actor, event=Event.ACCOUNT_IMPORT, object_type="domain", object_name=domain.name,
          domain_name=domain.name, after={"Created": report.created, "BadLines": report.error_count})
    return report


CHECK_SHOWN = 100  # bad rows a check keeps to show (all are counted)


@dataclass
class CsvCheck:
    """What a check of a CSV found: its records, and its bad rows [line, name, why] (the first CHECK_SHOWN)."""

    total: int = 0
    bad_count: int = 0
    bad: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, line: int, name: str, message: str) -> None:
        self.bad_count += 1
        if len(self.bad) < CHECK_SHOWN:
            self.bad.append((line, name, message))


def _check_password(row: CsvRow, policy: PasswordPolicy, placeholder: Callable[[], str]) -> CsvRow:
    """The row with a clear password the policy takes replaced by a stored form: the checks see a
    password, none is hashed (one the policy refuses stays, for the checks to report)."""
    if not row.password or _is_stored_form(row.password) or policy.problem(row.password) is not None:
        return row
    return dataclasses.replace(row, password=placeholder())


def accounts_check_csv(*, actor: Account | None, domain: Domain, text: str | Iterable[str]) -> CsvCheck:
    """Each CSV row through the import's checks (accounts_create_batch's), a batch at a time, writing
    nothing: the bad rows, as the import would report them."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_ACCOUNTS)
    rows = read_rows(text)
    found = CsvCheck()
    taken: dict[str, str] = {}  # names the good rows of earlier batches claim
    stored: list[str] = []
    accepted = [0]  # good rows so far (each takes room under AccountsLimit)

    def placeholder() -> str:
        if not stored:
            stored.append(encode_password("checked", "pbkdf2_sha256"))
        return stored[0]

    def check_batch(batch: list[CsvRow | BadRow]) -> None:
        good = [row for row in batch if isinstance(row, CsvRow)]
        checks = _BatchChecks(actor, domain, good) if good else None
        if checks is not None:
            checks.taken.update(taken)
        limit, room = _accounts_room(domain, checks.domain_defaults if checks else None)
        room -= accepted[0]
        for row in batch:
            found.total += 1
            if isinstance(row, BadRow):
                found.add(row.line, row.name, row.message)
                continue
            assert checks is not None
            try:
                checks.check(_check_password(row, checks.policy, placeholder))
                if limit is not None and room < 1:
                    raise _accounts_limit_reached(domain, limit)
                room -= 1
                accepted[0] += 1
            except CGError as error:
                found.add(row.line, row.name, error.message)
            except ValueError as error:
                found.add(row.line, row.name, str(error))
        if checks is not None:
            taken.update(checks.taken)

    batch: list[CsvRow | BadRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= IMPORT_BATCH:
            check_batch(batch)
            batch = []
    if batch:
        check_batch(batch)
    return found


def account_import_start(
    *, actor: Account | None, domain: Domain, text: str, file_name: str = ""
) -> AccountImport:
    """Keep an uploaded CSV and check its rows (accounts_check_csv); the administrator then starts
    it (account_import_confirm) or cancels it (account_import_cancel)."""
    check_domain(actor, domain, write=True, right=CAN_CREATE_ACCOUNTS)
    found = accounts_check_csv(actor=actor, domain=domain, text=text)  # a bad header: refused, nothing kept
    call = context.current()
    return AccountImport.objects.create(
        domain=domain, actor=actor, actor_name=actor_label(actor), interface=call.interface,
        client_address=call.client_address, file_name=file_name[:255], text=text, total=found.total,
        status=AccountImport.Status.CHECKED, error_count=found.bad_count, errors=[list(bad) for bad in found.bad],
    )


def _checked_job(actor: Account | None, job: AccountImport) -> AccountImport:
    check_domain(actor, job.domain, write=True, right=CAN_CREATE_ACCOUNTS)
    locked = AccountImport.objects.select_for_update().get(pk=job.pk)
    if locked.status != AccountImport.Status.CHECKED:
        raise InvalidInput(f"import {job.pk} is {locked.get_status_display().lower()}, not waiting to be started")
    return locked


@transaction.atomic
def account_import_confirm(*, actor: Account | None, job: AccountImport) -> AccountImport:
    """Queue a checked import (its good rows are created, its bad rows reported again)."""
    locked = _checked_job(actor, job)
    AccountImport.objects.filter(pk=locked.pk).update(status=AccountImport.Status.WAITING, error_count=0, errors=[])
    transaction.on_commit(lambda: send_task("accounts.tasks.run_account_import", locked.pk))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def account_import_cancel(*, actor: Account | None, job: AccountImport) -> int:
    """Drop a checked import that was not started (nothing was imported); its number."""
    locked = _checked_job(actor, job)
    locked.delete()
    return job.pk


def account_import_run(*, job_id: int) -> AccountImport:
    """Run a queued import as the account that started it; running it again resumes it."""
    job = AccountImport.objects.select_related("domain", "actor__domain").get(pk=job_id)
    if job.status not in (AccountImport.Status.WAITING, AccountImport.Status.RUNNING):
        return job
    if job.actor is None and job.actor_name != actor_label(None):
        return _import_failed(job, "the account that started this import no longer exists")
    done_before, errors_before = job.processed, [tuple(error) for error in job.errors]
    created_before, error_count_before = job.created_count, job.error_count
    AccountImport.objects.filter(pk=job.pk).update(status=AccountImport.Status.RUNNING,
                                                   run_started=job.run_started or timezone.now())

    def save_progress(report: ImportReport) -> None:
        errors = [*errors_before, *report.errors][:MAX_REPORTED_ERRORS]
        AccountImport.objects.filter(pk=job.pk).update(
            processed=done_before + report.processed, created_count=created_before + report.created,
            error_count=error_count_before + report.error_count, errors=errors,
        )

    try:
        with context.calling_from(job.interface or context.SYSTEM, job.client_address):
            accounts_import_csv(actor=job.actor, domain=job.domain, text=job.text, skip=done_before,
                                on_batch=save_progress)
    except CGError as error:  # the actor lost its right, or the header (checked at the start) went bad
        return _import_failed(job, error.message)
    job.refresh_from_db(fields=["errors"])
    AccountImport.objects.filter(pk=job.pk).update(status=AccountImport.Status.DONE, finished=timezone.now(),
                                                   text="", rejected="".join(rejected_rows(job.text, job.errors)))
    job.refresh_from_db()
    return job


def _import_failed(job: AccountImport, message: str) -> AccountImport:
    AccountImport.objects.filter(pk=job.pk).update(status=AccountImport.Status.FAILED, message=message,
                                                   finished=timezone.now(), text="")
    job.refresh_from_db()
    return job
