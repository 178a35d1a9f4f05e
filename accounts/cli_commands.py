"""CLI verbs of the Accounts section (spec/cli.md): each parses nothing itself and calls one service.

Alerts belong to the logs app's cli_commands, ClearAccountCache to the basedir app's."""

from __future__ import annotations

from accounts import selectors, services
from accounts.models import Account
from cgadmin.dataformat import Value, value_list
from cgadmin.errors import GeneralError, LoginFailed
from cli.registry import ACCOUNTS, NULL, ArgumentError, ArgumentReader, Call, Reply, verb
from domains import services as domain_services
from domains.cli_commands import domain_named
from domains.selectors import server_document_for
from mailrules.rules import keeping_rules
from realms.access import access_account
from realms.permissions import split_address
from server import documents

OWN_OR_READ = "the account itself, DomainsRead, AllDomains, Master, or a Domain Administrator of its domain"
CREATE = "AllDomains, or a Domain Administrator with CanCreateAccounts"
SETTINGS_RIGHT = "AllDomains, or a Domain Administrator with each changed setting's right"
PREFS_RIGHT = "the account itself, AllDomains, or a Domain Administrator with WebUserSettings"
MAILBOXES = "the account itself, AllDomains, or a Domain Administrator with CanAccessMailboxes"
READ_DOMAIN = "DomainsRead, AllDomains, Master, or a Domain Administrator of the domain"
SERVER_READ = "DomainsRead, AllDomains or Master"
SERVER_WRITE = "AllDomains or Master"


def account_named(call: Call, address: str) -> Account:
    """The account `name[@domain]` (the caller's own domain when none is named), if the caller may read it."""
    return access_account(call.actor, address)


@verb("ListAccounts [domain:dom]", rights=READ_DOMAIN, section=ACCOUNTS)
def list_accounts(call: Call, domain: str | None) -> Value:
    """Every account of the domain with its storage kind (macnt, mbox, mdir)."""
    return selectors.account_storage_kinds(domain_named(call, domain))


@verb("CreateAccount account:acct [type:str] [settings:dict]", rights=CREATE, section=ACCOUNTS)
def create_account(call: Call, account: str, type: str | None, settings: dict | None) -> None:
    """Create an account of a type (MultiMailbox by default) with optional settings (Password included)."""
    name, domain = _split(call, account)
    services.account_create(actor=call.actor, domain=domain_named(call, domain), name=name, kind=type,
                            settings=settings)


def _split(call: Call, address: str) -> tuple[str, str]:
    from realms.access import default_domain_name

    return split_address(address, default_domain_name(call.actor))


@verb("RenameAccount account:acct INTO new_name:acct", rights=CREATE, section=ACCOUNTS)
def rename_account(call: Call, account: str, new_name: str) -> None:
    """Rename an account (a name without @domain stays in the account's domain)."""
    services.account_rename(actor=call.actor, account=account_named(call, account), new_address=new_name)


@verb("DeleteAccount account:acct", rights=CREATE, section=ACCOUNTS)
def delete_account(call: Call, account: str) -> None:
    """Remove an account with its aliases and mailboxes."""
    services.account_delete(actor=call.actor, account=account_named(call, account))


@verb("SetAccountType account:acct type:str", rights=CREATE, section=ACCOUNTS)
def set_account_type(call: Call, account: str, type: str) -> None:
    """Change the account's type (MultiMailbox, AGrade, ...)."""
    services.account_set_type(actor=call.actor, account=account_named(call, account), kind=type)


@verb("GetAccountSettings account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_settings(call: Call, account: str) -> Value:
    """The account's explicit settings."""
    return account_named(call, account).settings


@verb("GetAccountEffectiveSettings account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_effective_settings(call: Call, account: str) -> Value:
    """The account's settings with the defaults and the template filled in."""
    return selectors.account_effective_values(account_named(call, account))


@verb("GetAccountOneSetting account:acct key:str", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_one_setting(call: Call, account: str, key: str) -> Reply:
    """One effective setting (#NULL# when it has no value)."""
    value = selectors.account_effective_setting_named(account_named(call, account), key)
    return NULL if value is None else value


@verb("UpdateAccountSettings account:acct settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def update_account_settings(call: Call, account: str, settings: dict) -> None:
    """Change some explicit settings; `default` removes a key, a Password key sets the password."""
    services.account_update_settings(actor=call.actor, account=account_named(call, account), updates=settings)


@verb("SetAccountSettings account:acct settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def set_account_settings(call: Call, account: str, settings: dict) -> None:
    """Replace all explicit settings (the mail and signal rules stay unless named)."""
    found = account_named(call, account)
    services.account_update_settings(actor=call.actor, account=found, updates=keeping_rules(found.settings, settings),
                                     replace=True)


def _parse_set_password(reader: ArgumentReader) -> dict:
    """`acct PASSWORD pw [CHECK]`, or `acct TO pw` as the vendor's Java and Perl clients send it; the
    password quoted or, as CGPCLI sends it, one unquoted word."""
    account = reader.take_kind("acct", "the account")
    if not (reader.take_keyword("PASSWORD") or reader.take_keyword("TO")):
        found = "nothing" if reader.at_end() else repr(reader.text[reader.pos : reader.pos + 20])
        raise ArgumentError(f"{reader.verb_name}: expected PASSWORD (or TO) after the account, found {found}")
    password = reader.take_word("the password")
    return {"account": account, "password": password, "check": reader.take_keyword("CHECK")}


def _parse_verify_password(reader: ArgumentReader) -> dict:
    account = reader.take_kind("acct", "the account")
    reader.expect_keyword("PASSWORD", "the account")
    return {"account": account, "password": reader.take_word("the password")}


@verb("SetAccountPassword account:acct PASSWORD password:str [CHECK]",
      rights="AllDomains, a Domain Administrator with BasicSettings, or the account itself (PWDAllowed)",
      section=ACCOUNTS, parse=_parse_set_password)
def set_account_password(call: Call, account: str, password: str, check: bool) -> None:
    """Set the password; CHECK applies the password policy as if the user changed it."""
    services.account_set_password(actor=call.actor, account=account_named(call, account), password=password,
                                  check=check)


@verb("VerifyAccountPassword account:acct PASSWORD password:str",
      rights="AllDomains, or a Domain Administrator with BasicSettings", section=ACCOUNTS,
      parse=_parse_verify_password)
def verify_account_password(call: Call, account: str, password: str) -> None:
    """OK when the password is the account's, 515 otherwise."""
    if not services.account_verify_password(actor=call.actor, account=account_named(call, account),
                                            password=password):
        raise LoginFailed("incorrect password")


@verb("GetAccountAliases account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_aliases(call: Call, account: str) -> Value:
    """The account's aliases."""
    return value_list(selectors.account_alias_names(account_named(call, account)))


@verb("SetAccountAliases account:acct aliases:array",
      rights="AllDomains, or a Domain Administrator with CanCreateAliases", section=ACCOUNTS)
def set_account_aliases(call: Call, account: str, aliases: list) -> None:
    """Replace the account's aliases."""
    services.account_set_aliases(actor=call.actor, account=account_named(call, account), aliases=aliases)


@verb("GetAccountRights account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_rights(call: Call, account: str) -> Value:
    """The account's server and Domain Administrator rights."""
    return list(account_named(call, account).rights or [])


@verb("SetAccountRights account:acct rights:array",
      rights="Master for server rights; AllDomains or Master for Domain Administrator rights", section=ACCOUNTS)
def set_account_rights(call: Call, account: str, rights: list) -> None:
    """Replace all the account's rights."""
    services.account_set_rights(actor=call.actor, account=account_named(call, account), rights=rights)


def _parse_info_keys(reader: ArgumentReader) -> dict:
    account = reader.take_kind("acct", "the account")
    if reader.take_keyword("Key"):
        return {"account": account, "key": reader.take_kind("str", "the key after Key"), "keys": None}
    keys = reader.take_kind("array", "the key list") if reader.next_is("array") else None
    return {"account": account, "key": None, "keys": keys}


@verb("GetAccountInfo account:acct [KEY key:str] [keys:array]", rights=OWN_OR_READ, section=ACCOUNTS,
      parse=_parse_info_keys)
def get_account_info(call: Call, account: str, key: str | None, keys: list | None) -> Value:
    """Volatile info (LastLogin, LastAddress, StorageUsed, ...): all, one Key, or a (list) of keys."""
    info = selectors.account_info(account_named(call, account))
    by_name = {name.lower(): name for name in info}
    if key is not None:
        found = by_name.get(key.lstrip("#").lower())
        return "" if found is None else info[found]  # CommuniGate answers "" for a key it does not hold
    if keys is not None:
        wanted = [str(name).lstrip("#") for name in keys]
        return {by_name[name.lower()]: info[by_name[name.lower()]] for name in wanted if name.lower() in by_name}
    return info


@verb("GetAccountPrefs account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_prefs(call: Call, account: str) -> Value:
    """The account's explicit preferences."""
    return account_named(call, account).prefs


@verb("GetAccountEffectivePrefs account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_effective_prefs(call: Call, account: str) -> Value:
    """The account's preferences with the defaults filled in."""
    return selectors.account_prefs_effective_values(account_named(call, account))


@verb("UpdateAccountPrefs account:acct prefs:dict", rights=PREFS_RIGHT, section=ACCOUNTS)
def update_account_prefs(call: Call, account: str, prefs: dict) -> None:
    """Change some preferences; `default` removes a key."""
    services.account_update_prefs(actor=call.actor, account=account_named(call, account), updates=prefs)


@verb("SetAccountPrefs account:acct prefs:dict", rights=PREFS_RIGHT, section=ACCOUNTS)
def set_account_prefs(call: Call, account: str, prefs: dict) -> None:
    """Replace all explicit preferences."""
    services.account_update_prefs(actor=call.actor, account=account_named(call, account), updates=prefs,
                                  replace=True)


# --- defaults, templates, default preferences: a domain's (or the caller's own domain's) and server-wide -----


@verb("GetAccountDefaults [domain:dom]", rights=READ_DOMAIN, section=ACCOUNTS)
def get_account_defaults(call: Call, domain: str | None) -> Value:
    """The domain's Account Defaults."""
    return domain_named(call, domain).account_defaults


@verb("UpdateAccountDefaults [domain:dom] settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def update_account_defaults(call: Call, domain: str | None, settings: dict) -> None:
    """Change some of the domain's Account Defaults."""
    domain_services.account_defaults_update(actor=call.actor, domain=domain_named(call, domain), updates=settings)


@verb("SetAccountDefaults [domain:dom] settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def set_account_defaults(call: Call, domain: str | None, settings: dict) -> None:
    """Replace the domain's Account Defaults."""
    domain_services.account_defaults_update(actor=call.actor, domain=domain_named(call, domain), updates=settings,
                                            replace=True)


@verb("GetServerAccountDefaults", rights=SERVER_READ, section=ACCOUNTS)
def get_server_account_defaults(call: Call) -> Value:
    """The server-wide Account Defaults."""
    return server_document_for(call.actor, documents.ACCOUNT_DEFAULTS)


@verb("UpdateServerAccountDefaults settings:dict", rights=SERVER_WRITE, section=ACCOUNTS)
def update_server_account_defaults(call: Call, settings: dict) -> None:
    """Change some server-wide Account Defaults."""
    domain_services.account_defaults_update(actor=call.actor, domain=None, updates=settings)


@verb("SetServerAccountDefaults settings:dict", rights=SERVER_WRITE, section=ACCOUNTS)
def set_server_account_defaults(call: Call, settings: dict) -> None:
    """Replace the server-wide Account Defaults."""
    domain_services.account_defaults_update(actor=call.actor, domain=None, updates=settings, replace=True)


@verb("GetAccountTemplate [domain:dom]", rights=READ_DOMAIN, section=ACCOUNTS)
def get_account_template(call: Call, domain: str | None) -> Value:
    """The domain's Account Template."""
    return domain_named(call, domain).template


@verb("UpdateAccountTemplate [domain:dom] settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def update_account_template(call: Call, domain: str | None, settings: dict) -> None:
    """Change some of the domain's Account Template."""
    domain_services.account_template_update(actor=call.actor, domain=domain_named(call, domain), updates=settings)


@verb("SetAccountTemplate [domain:dom] settings:dict", rights=SETTINGS_RIGHT, section=ACCOUNTS)
def set_account_template(call: Call, domain: str | None, settings: dict) -> None:
    """Replace the domain's Account Template."""
    domain_services.account_template_update(actor=call.actor, domain=domain_named(call, domain), updates=settings,
                                            replace=True)


@verb("GetAccountDefaultPrefs [domain:dom]", rights=READ_DOMAIN, section=ACCOUNTS)
def get_account_default_prefs(call: Call, domain: str | None) -> Value:
    """The domain's Default Preferences."""
    return domain_named(call, domain).account_prefs


@verb("UpdateAccountDefaultPrefs [domain:dom] prefs:dict",
      rights="AllDomains, or a Domain Administrator with WebUserSettings", section=ACCOUNTS)
def update_account_default_prefs(call: Call, domain: str | None, prefs: dict) -> None:
    """Change some of the domain's Default Preferences."""
    domain_services.account_default_prefs_update(actor=call.actor, domain=domain_named(call, domain), updates=prefs)


@verb("SetAccountDefaultPrefs [domain:dom] prefs:dict",
      rights="AllDomains, or a Domain Administrator with WebUserSettings", section=ACCOUNTS)
def set_account_default_prefs(call: Call, domain: str | None, prefs: dict) -> None:
    """Replace the domain's Default Preferences."""
    domain_services.account_default_prefs_update(actor=call.actor, domain=domain_named(call, domain), updates=prefs,
                                                 replace=True)


@verb("GetServerAccountPrefs", rights=SERVER_READ, section=ACCOUNTS)
def get_server_account_prefs(call: Call) -> Value:
    """The server-wide Default Preferences."""
    return server_document_for(call.actor, documents.ACCOUNT_PREFS)


@verb("UpdateServerAccountPrefs prefs:dict", rights=SERVER_WRITE, section=ACCOUNTS)
def update_server_account_prefs(call: Call, prefs: dict) -> None:
    """Change some server-wide Default Preferences."""
    domain_services.account_default_prefs_update(actor=call.actor, domain=None, updates=prefs)


@verb("SetServerAccountPrefs prefs:dict", rights=SERVER_WRITE, section=ACCOUNTS)
def set_server_account_prefs(call: Call, prefs: dict) -> None:
    """Replace the server-wide Default Preferences."""
    domain_services.account_default_prefs_update(actor=call.actor, domain=None, updates=prefs, replace=True)


# --- sessions, storage, mailboxes ----------------------------------------------------------------


@verb("KillAccountSessions account:acct",
      rights="AllDomains, or a Domain Administrator with CanCreateWebUserSessions", section=ACCOUNTS)
def kill_account_sessions(call: Call, account: str) -> None:
    """End the account's WebAdmin, WebUser and CLI sessions."""
    services.account_kill_sessions(actor=call.actor, account=account_named(call, account))


@verb("GetAccountLocation account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_location(call: Call, account: str) -> Value:
    """The account's path inside the base directory."""
    return selectors.account_location(account_named(call, account))


def _parse_list_mailboxes(reader: ArgumentReader) -> dict:
    """`acct [FILTER pattern] [AUTH acct]`: the pattern quoted or bare (`*`, `INBOX/%`), as clients send it."""
    account = reader.take_kind("acct", "the account")
    pattern = reader.take_word("the pattern after FILTER") if reader.take_keyword("FILTER") else None
    on_behalf = reader.take_kind("acct", "the account after AUTH") if reader.take_keyword("AUTH") else None
    return {"account": account, "pattern": pattern, "on_behalf": on_behalf}


@verb("ListMailboxes account:acct [FILTER pattern:str] [AUTH on_behalf:acct]", rights=MAILBOXES, section=ACCOUNTS,
      parse=_parse_list_mailboxes)
def list_mailboxes(call: Call, account: str, pattern: str | None, on_behalf: str | None) -> Value:
    """The account's mailboxes matching the IMAP pattern (`*` any, `%` any but `/`): {name={Format=..;}; ...};
    with AUTH, a mailbox that account may not select lists as ()."""
    owner = account_named(call, account)
    return selectors.account_mailboxes(call.actor, owner, pattern=pattern,
                                       on_behalf=None if on_behalf is None else account_named(call, on_behalf))


@verb("CreateMailbox account:acct MAILBOX mailbox:str [CLASS mailbox_class:str]", rights=MAILBOXES,
      section=ACCOUNTS)
def create_mailbox(call: Call, account: str, mailbox: str, mailbox_class: str | None) -> None:
    """Create a mailbox (CLASS: a calendar, contacts, ... mailbox)."""
    services.mailbox_create(actor=call.actor, account=account_named(call, account), name=mailbox,
                            mailbox_class=mailbox_class or "")


@verb("RenameMailbox account:acct MAILBOX mailbox:str INTO new_name:str", rights=MAILBOXES, section=ACCOUNTS)
def rename_mailbox(call: Call, account: str, mailbox: str, new_name: str) -> None:
    """Rename a mailbox."""
    services.mailbox_rename(actor=call.actor, account=account_named(call, account), name=mailbox, new_name=new_name)


@verb("DeleteMailbox account:acct MAILBOX mailbox:str", rights=MAILBOXES, section=ACCOUNTS)
def delete_mailbox(call: Call, account: str, mailbox: str) -> None:
    """Remove a mailbox and its messages."""
    services.mailbox_delete(actor=call.actor, account=account_named(call, account), name=mailbox)


def parse_rest_of_line(reader: ArgumentReader) -> dict:
    """A password: one quoted string, or the rest of the line as typed (it may hold spaces)."""
    if reader.at_end():
        raise ArgumentError(f"{reader.verb_name}: the password is missing")
    if reader.text.startswith('"', reader.pos):
        return {"password": reader.take_kind("str", "the password")}
    password = reader.text[reader.pos :].rstrip("\r\n")
    reader.pos = len(reader.text)
    return {"password": password}


@verb("NEWPASS password:str", rights="any logged-in account, for itself (PWDAllowed)", section=ACCOUNTS,
      parse=parse_rest_of_line)
def new_password(call: Call, password: str) -> None:
    """Change the logged-in account's own password."""
    if call.actor is None:
        raise GeneralError("NEWPASS changes the logged-in account's own password: log in first")
    services.account_set_password(actor=call.actor, account=call.actor, password=password)
