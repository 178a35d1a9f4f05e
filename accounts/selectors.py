"""Reads of accounts and their effective settings."""

from accounts.models import Account, AccountAlias
from accounts.settings_schema import ACCOUNT, PREFS
from cgadmin.catalogue import EffectiveValue, Layer, effective, effective_values, effective_with_inherited
from cgadmin.dataformat import Value
from domains.models import Domain
from domains.selectors import find_domain
from server import documents


def find_account(domain_name: str, name: str) -> Account | None:
    """The account `name` (or the account an alias `name` points to) in the domain, or None."""
    domain = find_domain(domain_name)
    if domain is None:
        return None
    key = name.strip().lower()
    account = Account.objects.select_related("domain").filter(domain=domain, name=key).first()
    if account is None:
        alias = AccountAlias.objects.select_related("account__domain").filter(domain=domain, name=key).first()
        account = alias.account if alias else None
    return account


def account_setting_layers(domain: Domain) -> list[Layer]:
    """What lies under an account's explicit settings: server defaults, domain defaults, template."""
    return [
        Layer("server defaults", documents.read(documents.ACCOUNT_DEFAULTS)),
        Layer("domain defaults", domain.account_defaults),
        Layer("template", domain.template),
    ]


def account_settings_effective(account: Account) -> dict[str, EffectiveValue]:
    """Every account setting with its value and where the value comes from."""
    return effective(ACCOUNT, [*account_setting_layers(account.domain), Layer("explicit", account.settings)])


def account_effective_values(account: Account) -> dict[str, Value]:
    return effective_values(ACCOUNT, [*account_setting_layers(account.domain), Layer("explicit", account.settings)])


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
    return effective_with_inherited(ACCOUNT, account_setting_layers(account.domain), account.settings)


def accounts_page(domain: Domain, wanted):
    """One page of a domain's accounts, filtered by a part of the name, paged by name, with each
    account's aliases fetched in one more query (never one query a row)."""
    from django.db.models import Prefetch

    from realms.listing import page_by_key

    aliases = AccountAlias.objects.only("name", "account_id").order_by("name")
    accounts = (
        Account.objects.filter(domain=domain)
        .only("name", "kind", "settings", "info", "rights", "domain_id")
        .prefetch_related(Prefetch("aliases", queryset=aliases))
    )
    if wanted.filter:
        accounts = accounts.filter(name__contains=wanted.filter.lower())
    page = page_by_key(accounts, wanted)
    for account in page.rows:
        account.domain = domain  # the page knows its domain: account.address costs no query
    return page
