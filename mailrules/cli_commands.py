"""CLI verbs of Automated Rules (account, domain and server mail and signal rules), RemoveAccountSubset,
GetAccountPlainPassword and the statistics verbs GetAccountStat / GetDomainStat."""

from __future__ import annotations

from accounts.hashers import recover_password
from cgadmin.dataformat import Value
from cgadmin.errors import GeneralError
from cli.registry import ACCOUNTS, DOMAINS, SERVER, Call, verb
from mailrules import services, stats
from mailrules.rules import MAIL, SIGNAL
from realms import rights as R
from realms.access import access_account, access_domain
from realms.permissions import require_server_right

OWN_OR_READ = "the account itself, DomainsRead, AllDomains, Master, or a Domain Administrator of its domain"
OWN_OR_RULES = "the account itself (within its RulesAllowed), AllDomains, or a Domain Administrator with RulesAllowed"
OWN_OR_SIGNAL = "the account itself, AllDomains, or a Domain Administrator with SignalRulesAllowed"
READ_DOMAIN = "DomainsRead, AllDomains, Master, or a Domain Administrator of the domain"
DOMAIN_RULES = "AllDomains, or a Domain Administrator with RulesAllowed"
DOMAIN_SIGNAL = "AllDomains, or a Domain Administrator with SignalRulesAllowed"
SETTINGS = "Settings or Master"
PLAIN = "AllDomains, or a Domain Administrator with BasicSettings (never on a server administrator's account)"
NOT_REVERSIBLE = "the password is not stored in a reversible form"


# --- account rules ---------------------------------------------------------------------------------

@verb("GetAccountMailRules account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_mail_rules(call: Call, account: str) -> Value:
    """The account's mail rules: an array of (priority, name, conditions, actions)."""
    return services.stored_rules(access_account(call.actor, account).settings, MAIL)


@verb("SetAccountMailRules account:acct rules:array", rights=OWN_OR_RULES, section=ACCOUNTS)
def set_account_mail_rules(call: Call, account: str, rules: list) -> None:
    """Replace the account's mail rules."""
    services.account_rules_set(actor=call.actor, account=access_account(call.actor, account), rules=rules)


@verb("UpdateAccountMailRule account:acct [DELETE] rule:any", rights=OWN_OR_RULES, section=ACCOUNTS)
def update_account_mail_rule(call: Call, account: str, delete: bool, rule: Value) -> None:
    """Add or replace one rule (priority, name, conditions, actions), set a rule's priority
    (priority, name), or remove a rule: DELETE name."""
    services.account_rule_update(actor=call.actor, account=access_account(call.actor, account),
                                 change=str(rule) if delete else rule)


@verb("GetAccountSignalRules account:acct", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_signal_rules(call: Call, account: str) -> Value:
    """The account's signal rules (stored and exported; signals are not processed here)."""
    return services.stored_rules(access_account(call.actor, account).settings, SIGNAL)


@verb("SetAccountSignalRules account:acct rules:array", rights=OWN_OR_SIGNAL, section=ACCOUNTS)
def set_account_signal_rules(call: Call, account: str, rules: list) -> None:
    """Replace the account's signal rules."""
    services.account_rules_set(actor=call.actor, account=access_account(call.actor, account), rules=rules,
                               kind=SIGNAL)


@verb("UpdateAccountSignalRule account:acct [DELETE] rule:any", rights=OWN_OR_SIGNAL, section=ACCOUNTS)
def update_account_signal_rule(call: Call, account: str, delete: bool, rule: Value) -> None:
    """As UpdateAccountMailRule, for the signal rules."""
    services.account_rule_update(actor=call.actor, account=access_account(call.actor, account),
                                 change=str(rule) if delete else rule, kind=SIGNAL)


@verb("RemoveAccountSubset account:acct SUBSET subset:str",
      rights="the account itself, AllDomains, or a Domain Administrator with BasicSettings", section=ACCOUNTS)
def remove_account_subset(call: Call, account: str, subset: str) -> None:
    """Remove an account data set (RepliedAddresses: the senders automatic replies went to)."""
    services.account_subset_remove(actor=call.actor, account=access_account(call.actor, account), subset=subset)


@verb("GetAccountPlainPassword account:acct [CHECK]", rights=PLAIN, section=ACCOUNTS)
def get_account_plain_password(call: Call, account: str, check: bool) -> Value:
    """The password in clear text when it is stored reversibly (clear, A-crpt); "" otherwise (with
    CHECK: an error)."""
    found = access_account(call.actor, account, write=True, right="BasicSettings")
    clear = recover_password(found.password or "")
    if clear is None and check:
        raise GeneralError(NOT_REVERSIBLE)
    return clear or ""


@verb("GetAccountStat account:acct [KEY key:str]", rights=OWN_OR_READ, section=ACCOUNTS)
def get_account_stat(call: Call, account: str, key: str | None) -> Value:
    """Statistics: MessagesReceived, BytesReceived, MessagesSent, BytesSent, Logins, StorageUsed."""
    return stats.one_key(stats.account_stat(access_account(call.actor, account)), key)


# --- domain rules ----------------------------------------------------------------------------------

@verb("GetDomainMailRules domain:dom", rights=READ_DOMAIN, section=DOMAINS)
def get_domain_mail_rules(call: Call, domain: str) -> Value:
    """The domain-wide mail rules (run before each account's rules at local delivery)."""
    return services.stored_rules(access_domain(call.actor, domain).settings, MAIL)


@verb("SetDomainMailRules domain:dom rules:array", rights=DOMAIN_RULES, section=DOMAINS)
def set_domain_mail_rules(call: Call, domain: str, rules: list) -> None:
    """Replace the domain-wide mail rules."""
    services.domain_rules_set(actor=call.actor, domain=access_domain(call.actor, domain), rules=rules)


@verb("GetDomainSignalRules domain:dom", rights=READ_DOMAIN, section=DOMAINS)
def get_domain_signal_rules(call: Call, domain: str) -> Value:
    """The domain-wide signal rules."""
    return services.stored_rules(access_domain(call.actor, domain).settings, SIGNAL)


@verb("SetDomainSignalRules domain:dom rules:array", rights=DOMAIN_SIGNAL, section=DOMAINS)
def set_domain_signal_rules(call: Call, domain: str, rules: list) -> None:
    """Replace the domain-wide signal rules."""
    services.domain_rules_set(actor=call.actor, domain=access_domain(call.actor, domain), rules=rules, kind=SIGNAL)


@verb("GetDomainStat domain:dom [KEY key:str]", rights=READ_DOMAIN, section=DOMAINS)
def get_domain_stat(call: Call, domain: str, key: str | None) -> Value:
    """Statistics of the domain's accounts: MessagesReceived, BytesReceived, MessagesSent, BytesSent, ..."""
    return stats.one_key(stats.domain_stat(access_domain(call.actor, domain)), key)


# --- server rules ----------------------------------------------------------------------------------

def _server_rules(call: Call, kind: str) -> Value:
    require_server_right(call.actor, R.SETTINGS)
    return services.server_rules(kind)


@verb("GetServerMailRules", rights=SETTINGS, section=SERVER)
def get_server_mail_rules(call: Call) -> Value:
    """The server-wide mail rules (run when a message is first routed)."""
    return _server_rules(call, MAIL)


@verb("SetServerMailRules rules:array", rights=SETTINGS, section=SERVER)
def set_server_mail_rules(call: Call, rules: list) -> None:
    """Replace the server-wide mail rules."""
    services.server_rules_set(actor=call.actor, rules=rules)


@verb("GetServerRules", rights=SETTINGS, section=SERVER)
def get_server_rules(call: Call) -> Value:
    """The older name of GetServerMailRules."""
    return _server_rules(call, MAIL)


@verb("SetServerRules rules:array", rights=SETTINGS, section=SERVER)
def set_server_rules(call: Call, rules: list) -> None:
    """The older name of SetServerMailRules."""
    services.server_rules_set(actor=call.actor, rules=rules)


@verb("GetServerSignalRules", rights=SETTINGS, section=SERVER)
def get_server_signal_rules(call: Call) -> Value:
    """The server-wide signal rules."""
    return _server_rules(call, SIGNAL)


@verb("SetServerSignalRules rules:array", rights=SETTINGS, section=SERVER)
def set_server_signal_rules(call: Call, rules: list) -> None:
    """Replace the server-wide signal rules."""
    services.server_rules_set(actor=call.actor, rules=rules, kind=SIGNAL)
