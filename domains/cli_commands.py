"""CLI verbs of the Domains section (spec/cli.md): each parses nothing itself and calls one service.

Alerts (Get/Set/Post/RemoveDomainAlert...) belong to the logs app's cli_commands."""

from __future__ import annotations

from cgadmin.dataformat import Value, value_list
from cli.registry import DOMAINS, Call, verb
from domains import selectors, services
from domains.models import Domain
from domains.selectors import domain_settings_effective, main_domain
from mailrules.rules import keeping_rules
from realms.access import access_domain, default_domain_name
from realms.permissions import administered_domains
from server import documents

READ = "read: DomainsRead, AllDomains, Master, or a Domain Administrator of the domain"
ALL_DOMAINS = "AllDomains or Master"


def domain_named(call: Call, name: str | None) -> Domain:
    """The named domain (the caller's own domain when none is named), if the caller may read it."""
    return access_domain(call.actor, name or default_domain_name(call.actor))


@verb("ListDomains", rights="any account: the domains it may see (all for DomainsRead)", section=DOMAINS)
def list_domains(call: Call) -> Value:
    """The names of the domains the caller may see."""
    return value_list(selectors.visible_domain_names(call.actor))


@verb("MainDomainName", rights="any logged-in account", section=DOMAINS)
def main_domain_name(call: Call) -> Value:
    """The Main Domain's name."""
    return main_domain().name


@verb("CreateDomain domain:str [settings:dict]", rights=ALL_DOMAINS, section=DOMAINS)
def create_domain(call: Call, domain: str, settings: dict | None) -> None:
    """Create a secondary domain, with optional settings."""
    services.domain_create(actor=call.actor, name=domain, settings=settings)


@verb("RenameDomain domain:dom INTO new_name:str", rights=ALL_DOMAINS, section=DOMAINS)
def rename_domain(call: Call, domain: str, new_name: str) -> None:
    """Rename a domain."""
    services.domain_rename(actor=call.actor, domain=domain_named(call, domain), new_name=new_name)


@verb("DeleteDomain domain:dom [FORCE]", rights=ALL_DOMAINS, section=DOMAINS)
def delete_domain(call: Call, domain: str, force: bool) -> None:
    """Remove a domain; one with accounts only with FORCE."""
    services.domain_delete(actor=call.actor, domain=domain_named(call, domain), force=force)


@verb("SuspendDomain domain:dom", rights=ALL_DOMAINS, section=DOMAINS)
def suspend_domain(call: Call, domain: str) -> None:
    """Suspend a domain: its accounts cannot log in."""
    services.domain_suspend(actor=call.actor, domain=domain_named(call, domain))


@verb("ResumeDomain domain:dom", rights=ALL_DOMAINS, section=DOMAINS)
def resume_domain(call: Call, domain: str) -> None:
    """Resume a suspended domain."""
    services.domain_resume(actor=call.actor, domain=domain_named(call, domain))


@verb("GetDomainSettings [domain:dom]", rights=READ, section=DOMAINS)
def get_domain_settings(call: Call, domain: str | None) -> Value:
    """The domain's explicit settings."""
    return domain_named(call, domain).settings


@verb("GetDomainEffectiveSettings [domain:dom]", rights=READ, section=DOMAINS)
def get_domain_effective_settings(call: Call, domain: str | None) -> Value:
    """The domain's settings with the defaults filled in."""
    return {name: item.value for name, item in domain_settings_effective(domain_named(call, domain)).items()}


@verb("UpdateDomainSettings [domain:dom] settings:dict",
      rights="AllDomains, or a Domain Administrator with each changed setting's right", section=DOMAINS)
def update_domain_settings(call: Call, domain: str | None, settings: dict) -> None:
    """Change some explicit settings; a value of `default` removes the key."""
    services.domain_update_settings(actor=call.actor, domain=domain_named(call, domain), updates=settings)


@verb("SetDomainSettings domain:dom settings:dict",
      rights="AllDomains, or a Domain Administrator with each changed setting's right", section=DOMAINS)
def set_domain_settings(call: Call, domain: str, settings: dict) -> None:
    """Replace all explicit settings (the mail and signal rules stay unless named)."""
    found = domain_named(call, domain)
    services.domain_update_settings(actor=call.actor, domain=found, updates=keeping_rules(found.settings, settings),
                                    replace=True)


@verb("GetDomainAliases [domain:dom]", rights=READ, section=DOMAINS)
def get_domain_aliases(call: Call, domain: str | None) -> Value:
    """The domain's aliases."""
    return value_list(selectors.domain_alias_names(domain_named(call, domain)))


@verb("SetDomainAliases domain:dom aliases:array", rights=ALL_DOMAINS, section=DOMAINS)
def set_domain_aliases(call: Call, domain: str, aliases: list) -> None:
    """Replace the domain's aliases."""
    services.domain_set_aliases(actor=call.actor, domain=domain_named(call, domain), aliases=aliases)


@verb("GetDomainDefaults", rights="DomainsRead, AllDomains or Master", section=DOMAINS)
def get_domain_defaults(call: Call) -> Value:
    """The server-wide Domain Defaults."""
    return selectors.server_document_for(call.actor, documents.DOMAIN_DEFAULTS)


@verb("UpdateDomainDefaults settings:dict", rights=ALL_DOMAINS, section=DOMAINS)
def update_domain_defaults(call: Call, settings: dict) -> None:
    """Change some server-wide Domain Defaults."""
    services.domain_defaults_update(actor=call.actor, updates=settings)


@verb("SetDomainDefaults settings:dict", rights=ALL_DOMAINS, section=DOMAINS)
def set_domain_defaults(call: Call, settings: dict) -> None:
    """Replace the server-wide Domain Defaults."""
    services.domain_defaults_update(actor=call.actor, updates=settings, replace=True)


@verb("ListAdminDomains [domain:dom]",
      rights="any account for its own reach; with a domain: who may read that domain", section=DOMAINS)
def list_admin_domains(call: Call, domain: str | None) -> Value:
    """The domains the caller administers, or those the named domain's administrators may."""
    if domain is None:
        return list(administered_domains(call.actor).order_by("name").values_list("name", flat=True))
    return value_list(selectors.domains_administered_from(domain_named(call, domain)))


@verb("ListDomainObjects domain:dom [FILTER filter:str] limit:num [ACCOUNTS] [ALIASES] [FORWARDERS] "
      "[COOKIE cookie:str]", rights=READ, section=DOMAINS)
def list_domain_objects(
    call: Call, domain: str, filter: str | None, limit: int, accounts: bool, aliases: bool, forwarders: bool,
    cookie: str | None,
) -> Value:
    """One page of the domain's accounts, aliases and forwarders, by name, with the totals and a cookie for the next."""
    from accounts.selectors import domain_objects_page

    if not (accounts or aliases or forwarders):
        accounts = aliases = forwarders = True
    page = domain_objects_page(
        domain_named(call, domain), contains=filter or "", limit=limit, after=cookie or "",
        accounts=accounts, aliases=aliases, forwarders=forwarders,
    )
    answer: list[Value] = [str(page.total_accounts), page.objects, str(page.total_aliases),
                           str(page.total_forwarders)]
    if page.next_cookie is not None:
        answer.append(page.next_cookie)
    return answer
