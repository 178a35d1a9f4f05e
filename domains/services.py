"""Every change to domains, their aliases, and the defaults and templates accounts inherit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from accounts.rows import remove_domain_accounts
from accounts.selectors import require_a_master_able_to_log_in, service_class_users
from accounts.settings_schema import ACCOUNT
from basedir import outbox
from cgadmin.catalogue import DEFAULT, apply_update
from cgadmin.dataformat import Value, value_dict, value_list
from cgadmin.errors import AccessDenied, AlreadyExists, DomainExists, GeneralError, InUse, InvalidInput, NotFound
from cgadmin.settings_change import SettingsChange, apply_change
from directory import sync as directory_sync  # Central Directory: units follow domains (directory app)
from domains.models import Domain, DomainAlias
from domains.names import normalize_domain_name
from domains.selectors import main_domain, name_in_use
from domains.settings_schema import DOMAIN
from logs.audit import audit
from logs.events import Event
from realms import rights as R
from realms.permissions import can_write_all_domains, check_domain, domain_setting_authorizer, require_server_right
from server import documents

if TYPE_CHECKING:
    from accounts.models import Account

ADMIN_DOMAIN_SETTING = "AdministratorDomainName"
ACCESS_MODES = "AccessModes"


def require_all_domains(actor: Account | None, what: str) -> None:
    if not can_write_all_domains(actor):
        raise AccessDenied(f"not enough access rights to {what}: the AllDomains right is needed")


def _claim_name(name: str, *, what: str, allow_idn: bool = True) -> str:
    key = normalize_domain_name(name, allow_idn=allow_idn, what=what)
    if name_in_use(key):
        raise DomainExists(f"a domain or domain alias named {key!r} already exists", field="name")
    return key


@transaction.atomic
def domain_create(
    *, actor: Account | None, name: str, settings: Mapping[str, Value] | None = None, is_main: bool = False
) -> Domain:
    """Create a domain (the Main Domain only at the first start; its name may not be IDN)."""
    require_all_domains(actor, "create domains")
    key = _claim_name(name, what="Main Domain Name" if is_main else "domain name", allow_idn=not is_main)
    explicit = DOMAIN.validate_all(settings or {})
    try:
        with transaction.atomic():
            domain = Domain.objects.create(
                name=key,
                is_main=is_main,
                settings=explicit,
                administrator_domain=str(explicit.get(ADMIN_DOMAIN_SETTING, "")),
            )
    except IntegrityError:
        raise DomainExists(f"a domain named {key!r} already exists", field="name")
    audit(actor=actor, event=Event.DOMAIN_CREATE, object_type="domain", object_name=key, domain_name=key,
          after=explicit)
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.domain_created(domain)  # Central Directory
    return domain


@transaction.atomic
def domain_rename(*, actor: Account | None, domain: Domain, new_name: str) -> Domain:
    """Rename a domain; domains that named it as their Administrator Domain follow it."""
    require_all_domains(actor, "rename domains")
    return _rename_domain_row(actor=actor, domain=domain, new_name=new_name)


@transaction.atomic
def main_domain_rename(*, actor: Account | None, new_name: str) -> Domain:
    """Rename the Main Domain from the General page (its Main Domain Name), under the Settings right."""
    require_server_right(actor, R.SETTINGS)
    return _rename_domain_row(actor=actor, domain=main_domain(), new_name=new_name)


def _rename_domain_row(*, actor: Account | None, domain: Domain, new_name: str) -> Domain:
    """The rename itself, once the caller's right is checked."""
    what = "Main Domain Name" if domain.is_main else "domain name"
    key = normalize_domain_name(new_name, allow_idn=not domain.is_main, what=what)
    old = domain.name
    if key == old:
        return domain
    if name_in_use(key) and not domain.aliases.filter(name=key).exists():
        raise DomainExists(f"a domain or domain alias named {key!r} already exists", field="name")
    domain.aliases.filter(name=key).delete()  # renaming to one of its own aliases absorbs the alias
    domain.name = key
    domain.save(update_fields=["name"])
    _repoint_sub_domains(old, key)
    audit(actor=actor, event=Event.DOMAIN_RENAME, object_type="domain", object_name=key, domain_name=key,
          before={"Name": old}, after={"Name": key})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    directory_sync.domain_renamed(domain, old_name=old)  # Central Directory
    return domain


def _repoint_sub_domains(old: str, new: str, *, actor: Account | None = None) -> None:
    """Domains naming `old` as their Administrator Domain name `new` instead, or (new "") none: a
    domain created later with a removed domain's name must not inherit its sub-domains."""
    for sub in Domain.objects.select_for_update().filter(administrator_domain=old):
        before = dict(sub.settings)
        sub.administrator_domain = new
        sub.settings = {**before, ADMIN_DOMAIN_SETTING: new} if new else {
            name: value for name, value in before.items() if name != ADMIN_DOMAIN_SETTING}
        sub.save(update_fields=["administrator_domain", "settings"])
        if not new:
            audit(actor=actor, event=Event.DOMAIN_SETTINGS, object_type="domain", object_name=sub.name,
                  domain_name=sub.name, before={ADMIN_DOMAIN_SETTING: old}, after={ADMIN_DOMAIN_SETTING: DEFAULT})
        outbox.mark_dirty(outbox.DOMAIN, sub.pk)


@transaction.atomic
def domain_delete(*, actor: Account | None, domain: Domain, force: bool = False) -> None:
    """Remove a domain; one that still has accounts only with force (the explicit confirmation).
    Domains it administered (AdministratorDomainName) no longer name it."""
    require_all_domains(actor, "remove domains")
    if domain.is_main:
        raise GeneralError("the Main Domain cannot be removed")
    accounts = domain.accounts.all()
    count = accounts.count()
    if count and not force:
        raise GeneralError(f"domain {domain.name!r} has {count} account(s): confirm the removal (FORCE)")
    remove_domain_accounts(domain)
    name, pk = domain.name, domain.pk
    domain.delete()
    _repoint_sub_domains(name, "", actor=actor)
    audit(actor=actor, event=Event.DOMAIN_DELETE, object_type="domain", object_name=name, domain_name=name,
          before={"Name": name, "Accounts": count})
    outbox.mark_dirty(outbox.DOMAIN, pk)
    directory_sync.domain_removed(domain_name=name)  # Central Directory


def _set_suspended(actor: Account | None, domain: Domain, suspended: bool) -> Domain:
    require_all_domains(actor, "suspend or resume domains")
    if domain.suspended != suspended:
        domain.suspended = suspended
        domain.save(update_fields=["suspended"])
        if suspended and domain.is_main:
            require_a_master_able_to_log_in()
        event = Event.DOMAIN_SUSPEND if suspended else Event.DOMAIN_RESUME
        audit(actor=actor, event=event, object_type="domain", object_name=domain.name, domain_name=domain.name,
              before={"Suspended": "NO" if suspended else "YES"}, after={"Suspended": "YES" if suspended else "NO"})
        outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    return domain


@transaction.atomic
def domain_suspend(*, actor: Account | None, domain: Domain) -> Domain:
    """Suspend a domain: its accounts cannot log in or receive mail until it is resumed."""
    return _set_suspended(actor, domain, True)


@transaction.atomic
def domain_resume(*, actor: Account | None, domain: Domain) -> Domain:
    """Resume a suspended domain."""
    return _set_suspended(actor, domain, False)


@transaction.atomic
def domain_update_settings(
    *, actor: Account | None, domain: Domain, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change explicit domain settings (replace: the whole set); each changed key needs its right."""
    domain = Domain.objects.select_for_update().get(pk=domain.pk)
    was_in_directory_sync = directory_sync.kept_in_sync(domain)  # Central Directory

    def save(settings: dict[str, Value]) -> None:
        domain.settings = settings
        domain.administrator_domain = str(settings.get(ADMIN_DOMAIN_SETTING, ""))
        domain.save(update_fields=["settings", "administrator_domain"])
        outbox.mark_dirty(outbox.DOMAIN, domain.pk)
        directory_sync.domain_settings_changed(domain, was_in_sync=was_in_directory_sync)  # Central Directory

    return apply_change(
        actor=actor, catalogue=DOMAIN, current=domain.settings, updates=_with_checked_classes(updates), replace=replace,
        authorize=domain_setting_authorizer(actor, domain), save=save, event=Event.DOMAIN_SETTINGS,
        object_type="domain", object_name=domain.name, domain_name=domain.name,
    )


@transaction.atomic
def domain_set_aliases(*, actor: Account | None, domain: Domain, aliases: list[str]) -> list[str]:
    """Replace the domain's aliases; an alias may not clash with any domain or other alias."""
    require_all_domains(actor, "change domain aliases")
    wanted = _checked_aliases(domain, aliases)
    before = sorted(domain.aliases.values_list("name", flat=True))
    if wanted == before:
        return before
    domain.aliases.exclude(name__in=wanted).delete()
    existing = set(domain.aliases.values_list("name", flat=True))
    try:
        with transaction.atomic():
            DomainAlias.objects.bulk_create(
                [DomainAlias(name=name, domain=domain) for name in wanted if name not in existing]
            )
    except IntegrityError:
        raise DomainExists("one of the aliases was taken at the same time: try again")
    audit(actor=actor, event=Event.DOMAIN_ALIASES, object_type="domain", object_name=domain.name,
          domain_name=domain.name, before=value_list(before), after=value_list(wanted))
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    return wanted


def _checked_aliases(domain: Domain, aliases: list[str]) -> list[str]:
    own = set(domain.aliases.values_list("name", flat=True))
    wanted: list[str] = []
    for alias in aliases:
        if not str(alias).strip():
            continue
        key = normalize_domain_name(str(alias), allow_idn=True, what="domain alias")
        if key == domain.name:
            raise InvalidInput(f"{key!r} is the domain's own name, not an alias", field="aliases")
        if key in wanted:
            raise InvalidInput(f"the alias {key!r} is listed twice", field="aliases")
        if key not in own and name_in_use(key):
            raise DomainExists(f"a domain or domain alias named {key!r} already exists", field="aliases")
        wanted.append(key)
    return sorted(wanted)


# --- defaults and templates --------------------------------------------------------------------


def _update_server_document(
    *, actor: Account | None, document: str, catalogue, updates: Mapping[str, Value], replace: bool,
    event: Event, what: str,
) -> SettingsChange:
    require_all_domains(actor, f"change the {what}")

    def save(values: dict[str, Value]) -> None:
        documents.write(document, values)
        outbox.mark_dirty(outbox.SERVER, document)

    return apply_change(
        actor=actor, catalogue=catalogue, current=documents.read(document), updates=updates, replace=replace,
        authorize=lambda name, right: None, save=save, event=event, object_type="server", object_name=what,
    )


def _update_domain_layer(
    *, actor: Account | None, domain: Domain, field: str, catalogue, updates: Mapping[str, Value],
    replace: bool, event: Event, what: str,
) -> SettingsChange:
    check_domain(actor, domain)
    domain = Domain.objects.select_for_update().get(pk=domain.pk)

    def save(values: dict[str, Value]) -> None:
        setattr(domain, field, values)
        domain.save(update_fields=[field])
        outbox.mark_dirty(outbox.DOMAIN, domain.pk)

    return apply_change(
        actor=actor, catalogue=catalogue, current=getattr(domain, field), updates=updates, replace=replace,
        authorize=domain_setting_authorizer(actor, domain), save=save, event=event, object_type=what,
        object_name=domain.name, domain_name=domain.name,
    )


@transaction.atomic
def domain_defaults_update(
    *, actor: Account | None, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change the server-wide Domain Defaults every domain's settings inherit."""
    change = _update_server_document(
        actor=actor, document=documents.DOMAIN_DEFAULTS, catalogue=DOMAIN, updates=_with_checked_classes(updates),
        replace=replace,
        event=Event.DOMAIN_DEFAULTS, what="Domain Defaults",
    )
    directory_sync.domain_defaults_changed(before=change.before, after=change.after)  # Central Directory
    return change


@transaction.atomic
def account_defaults_update(
    *, actor: Account | None, domain: Domain | None, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change the Account Defaults: server-wide (domain None) or one domain's."""
    from accounts.settings_schema import ACCOUNT

    if domain is None:
        change = _update_server_document(
            actor=actor, document=documents.ACCOUNT_DEFAULTS, catalogue=ACCOUNT, updates=updates,
            replace=replace, event=Event.ACCOUNT_DEFAULTS, what="Account Defaults",
        )
    else:
        change = _update_domain_layer(
            actor=actor, domain=domain, field="account_defaults", catalogue=ACCOUNT, updates=updates,
            replace=replace, event=Event.ACCOUNT_DEFAULTS, what="account_defaults",
        )
    _keep_a_master(change, domain)
    return change


@transaction.atomic
def account_template_update(
    *, actor: Account | None, domain: Domain, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change a domain's Account Template (applied over the defaults to its accounts)."""
    from accounts.settings_schema import ACCOUNT

    change = _update_domain_layer(
        actor=actor, domain=domain, field="template", catalogue=ACCOUNT, updates=updates, replace=replace,
        event=Event.ACCOUNT_TEMPLATE, what="account_template",
    )
    _keep_a_master(change, domain)
    return change


def _keep_a_master(change: SettingsChange, domain: Domain | None) -> None:
    """A layer under the Main Domain's accounts that sets AccessModes None may not disable every Master."""
    if ACCESS_MODES in change.changed and (domain is None or domain.is_main):
        require_a_master_able_to_log_in()


@transaction.atomic
def account_default_prefs_update(
    *, actor: Account | None, domain: Domain | None, updates: Mapping[str, Value], replace: bool = False
) -> SettingsChange:
    """Change the Default Preferences: server-wide (domain None) or one domain's."""
    from accounts.settings_schema import PREFS

    if domain is None:
        return _update_server_document(
            actor=actor, document=documents.ACCOUNT_PREFS, catalogue=PREFS, updates=updates, replace=replace,
            event=Event.ACCOUNT_DEFAULT_PREFS, what="Default Preferences",
        )
    return _update_domain_layer(
        actor=actor, domain=domain, field="account_prefs", catalogue=PREFS, updates=updates, replace=replace,
        event=Event.ACCOUNT_DEFAULT_PREFS, what="account_default_prefs",
    )


# --- Classes of Service ------------------------------------------------------------------------
# A class is a named set of account settings (the domain setting ServiceClasses: server-wide in the
# Domain Defaults, or a domain's own); an account naming it in ServiceClass gets those settings over its
# template and under its own values (accounts.selectors.account_layers).

SERVICE_CLASSES = "ServiceClasses"
MAX_CLASS_NAME = 64


def _classes_of(domain: Domain | None) -> dict[str, dict[str, Value]]:
    """The classes as stored now (the domain row locked: two changes of its classes never interleave)."""
    if domain is not None:
        source = Domain.objects.select_for_update().only("settings").get(pk=domain.pk).settings
    else:
        source = documents.read(documents.DOMAIN_DEFAULTS)
    value = source.get(SERVICE_CLASSES)
    return {str(name): dict(settings) for name, settings in value.items()} if isinstance(value, dict) else {}


def _write_classes(actor: Account | None, domain: Domain | None, classes: dict[str, dict[str, Value]]) -> None:
    """Every class change is a change of the ServiceClasses setting: its right, audit and export."""
    updates: dict[str, Value] = {SERVICE_CLASSES: value_dict(classes) if classes else DEFAULT}
    if domain is None:
        domain_defaults_update(actor=actor, updates=updates)
    else:
        domain_update_settings(actor=actor, domain=domain, updates=updates)


def _authorize_classes(actor: Account | None, domain: Domain | None) -> None:
    """Refused before anything is read or checked, so a refusal says nothing about the classes."""
    if domain is None:
        require_all_domains(actor, "change the server's Classes of Service")
    else:
        domain_setting_authorizer(actor, domain)(SERVICE_CLASSES, SERVICE_CLASSES)


def _checked_class_name(name: str) -> str:
    """A class name: printable, at most 64 characters, no surrounding spaces."""
    text = str(name or "").strip()
    if not text:
        raise InvalidInput("the Class of Service name is empty", field="name")
    if len(text) > MAX_CLASS_NAME or any(not character.isprintable() for character in text):
        raise InvalidInput(f"{text[:80]!r} is not a Class of Service name: at most {MAX_CLASS_NAME} printable "
                           "characters", field="name")
    return text


def _checked_class_settings(settings: Mapping[str, Value]) -> dict[str, Value]:
    """A class's settings: account settings (validated as such), never a class within a class."""
    checked = ACCOUNT.validate_all(settings)
    for forbidden in ("ServiceClass", "Password"):
        if forbidden in checked:
            raise InvalidInput(f"a Class of Service cannot set {forbidden}", field=forbidden)
    return checked


def _with_checked_classes(updates: Mapping[str, Value]) -> dict[str, Value]:
    """Updates whose ServiceClasses (in any spelling of the key) hold valid classes of account settings."""
    return {name: _checked_service_classes(value) if name.lower() == SERVICE_CLASSES.lower() else value
            for name, value in updates.items()}


def _checked_service_classes(value: Value) -> Value:
    """The ServiceClasses setting as the CLI sends it: {name = {account settings}; ...}."""
    if value == DEFAULT or value is None:
        return value
    if not isinstance(value, dict):
        raise InvalidInput(f"{SERVICE_CLASSES}: not a dictionary of classes", field=SERVICE_CLASSES)
    classes: dict[str, Value] = {}
    for name, settings in value.items():
        if not isinstance(settings, dict):
            raise InvalidInput(f"{SERVICE_CLASSES}: the class {name!r} is not a dictionary of settings",
                               field=SERVICE_CLASSES)
        try:
            classes[_checked_class_name(name)] = _checked_class_settings(settings)
        except InvalidInput as error:
            raise InvalidInput(f"{SERVICE_CLASSES}: class {name!r}: {error.message}", field=SERVICE_CLASSES)
    return classes


@transaction.atomic
def service_class_create(*, actor: Account | None, domain: Domain | None, name: str) -> str:
    """Create an empty Class of Service on the server (domain None) or in a domain."""
    _authorize_classes(actor, domain)
    key = _checked_class_name(name)
    classes = _classes_of(domain)
    if any(existing.lower() == key.lower() for existing in classes):
        raise AlreadyExists(f"a Class of Service named {key!r} already exists", field="name")
    _write_classes(actor, domain, {**classes, key: {}})
    return key


@transaction.atomic
def service_class_update(
    *, actor: Account | None, domain: Domain | None, name: str, updates: Mapping[str, Value]
) -> SettingsChange:
    """Change a class's settings (`default` removes one, as in every Update)."""
    _authorize_classes(actor, domain)
    classes = _classes_of(domain)
    if name not in classes:
        raise NotFound(f"no Class of Service named {name!r}")
    before = classes[name]
    checked = ACCOUNT.validate_update(updates)
    after = _checked_class_settings(apply_update(before, checked))
    changed = tuple(sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key)))
    if changed:
        _write_classes(actor, domain, {**classes, name: after})
    return SettingsChange(before=before, after=after, changed=changed)


@transaction.atomic
def service_class_rename(*, actor: Account | None, domain: Domain | None, name: str, new_name: str) -> str:
    """Rename a class that no account, template or defaults name yet."""
    _authorize_classes(actor, domain)
    classes = _classes_of(domain)
    if name not in classes:
        raise NotFound(f"no Class of Service named {name!r}")
    key = _checked_class_name(new_name)
    if key != name and any(existing.lower() == key.lower() for existing in classes if existing != name):
        raise AlreadyExists(f"a Class of Service named {key!r} already exists", field="new_name")
    _refuse_class_in_use(domain, name, "rename")
    renamed = {key if existing == name else existing: settings for existing, settings in classes.items()}
    _write_classes(actor, domain, renamed)
    return key


@transaction.atomic
def service_class_remove(*, actor: Account | None, domain: Domain | None, name: str) -> None:
    """Remove a class that no account, template or defaults name."""
    _authorize_classes(actor, domain)
    classes = _classes_of(domain)
    if name not in classes:
        raise NotFound(f"no Class of Service named {name!r}")
    _refuse_class_in_use(domain, name, "remove")
    _write_classes(actor, domain, {existing: settings for existing, settings in classes.items() if existing != name})


def _refuse_class_in_use(domain: Domain | None, name: str, what: str) -> None:
    """Accounts would silently lose their class: the administrator moves them first."""
    users = service_class_users(domain, name)
    if users:
        raise InUse(f"cannot {what} the Class of Service {name!r}: {users} name it; "
                    "give them another Class of Service first", field="name")
