"""Every change to Automated Rules: account, domain and server mail and signal rules, and the
account data sets rules keep (RemoveAccountSubset).

Account rules live in the account's settings under `Rules` / `SignalRules` (account.settings, as
CommuniGate keeps them), domain rules in the domain's settings (Domain.settings), server rules in
the server documents `Rules` and `SignalRules` (Settings/Rules.settings, Settings/SignalRules.settings)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Account
from accounts.selectors import account_effective_values
from basedir import outbox
from cgadmin.dataformat import Value
from cgadmin.errors import AccessDenied, InvalidInput
from domains.models import Domain
from logs.audit import audit
from logs.events import Event
from mailrules import rules as rule_format
from mailrules.models import REPLIED_ADDRESSES, RepliedAddress
from realms import rights as R
from realms.permissions import check_account, check_domain, require_server_right
from server import documents

RULES_RIGHT = {rule_format.MAIL: "RulesAllowed", rule_format.SIGNAL: "SignalRulesAllowed"}
SERVER_DOCUMENTS = rule_format.SERVER_DOCUMENTS
SUBSETS = (REPLIED_ADDRESSES,)


def _kind(kind: str) -> str:
    if kind not in rule_format.KEYS:
        raise InvalidInput(f"unknown kind of rules {kind!r}: use mail or signal")
    return kind


def stored_rules(settings: dict[str, Value] | None, kind: str = rule_format.MAIL) -> list[Value]:
    """The rules kept in a settings dictionary (an empty array when there are none)."""
    value = (settings or {}).get(rule_format.KEYS[_kind(kind)])
    return list(value) if isinstance(value, list) else []


def server_rules(kind: str = rule_format.MAIL) -> list[Value]:
    """The server-wide rules (read by the queue and by the Get verbs after their rights check)."""
    return stored_rules(documents.read(SERVER_DOCUMENTS[_kind(kind)]), kind)


def _check_writer(actor: Account | None, account: Account, kind: str) -> None:
    """The account itself may change its own rules; administrators need RulesAllowed (SignalRulesAllowed)."""
    if actor is not None and actor.pk == account.pk:
        return
    check_account(actor, account, write=True, right=RULES_RIGHT[kind])


def _within_rules_allowed(account: Account, rules: list[Value], kind: str) -> None:
    if kind != rule_format.MAIL or not rules:
        return
    allowed = str(account_effective_values(account).get("RulesAllowed") or "Any")
    refused = rule_format.refused_actions(rules, allowed)
    if allowed.lower() == "none" or refused:
        what = "rules" if allowed.lower() == "none" else f"the actions {', '.join(refused)}"
        raise AccessDenied(f"not enough access rights: RulesAllowed ({allowed}) does not allow {what} "
                           f"for {account.address}", field="rules")


def _save_account_rules(actor: Account | None, account: Account, rules: list[Value], kind: str) -> list[Value]:
    key = rule_format.KEYS[kind]
    before = stored_rules(account.settings, kind)
    if rules == before:
        return rules
    settings = dict(account.settings or {})
    if rules:
        settings[key] = rules
    else:
        settings.pop(key, None)
    account.settings = settings
    account.save(update_fields=["settings"])
    audit(actor=actor, event=Event.ACCOUNT_RULES, object_type="account", object_name=account.address,
          domain_name=account.domain.name, before={key: before}, after={key: rules})
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return rules


@transaction.atomic
def account_rules_set(*, actor: Account | None, account: Account, rules: Value,
                      kind: str = rule_format.MAIL) -> list[Value]:
    """Replace the account's mail (or signal) rules; its RulesAllowed limits the actions they hold."""
    _check_writer(actor, account, _kind(kind))
    checked = rule_format.check_rules(rules, kind)
    _within_rules_allowed(account, checked, kind)
    return _save_account_rules(actor, account, checked, kind)


@transaction.atomic
def account_rule_update(*, actor: Account | None, account: Account, change: Value,
                        kind: str = rule_format.MAIL) -> list[Value]:
    """UpdateAccountMailRule: add or replace one rule by name, set its priority, or remove it (a name)."""
    _check_writer(actor, account, _kind(kind))
    locked = Account.objects.select_for_update().only("settings").get(pk=account.pk)
    account.settings = locked.settings
    current = stored_rules(locked.settings, kind)
    updated = rule_format.update_rule(current, change, kind)
    _within_rules_allowed(account, updated, kind)
    return _save_account_rules(actor, account, updated, kind)


@transaction.atomic
def domain_rules_set(*, actor: Account | None, domain: Domain, rules: Value,
                     kind: str = rule_format.MAIL) -> list[Value]:
    """Replace the domain-wide mail (or signal) rules (run before each account's own at local delivery)."""
    check_domain(actor, domain, write=True, right=RULES_RIGHT[_kind(kind)])
    checked = rule_format.check_rules(rules, kind)
    key = rule_format.KEYS[kind]
    before = stored_rules(domain.settings, kind)
    if checked != before:
        settings = dict(domain.settings or {})
        if checked:
            settings[key] = checked
        else:
            settings.pop(key, None)
        domain.settings = settings
        domain.save(update_fields=["settings"])
        audit(actor=actor, event=Event.DOMAIN_RULES, object_type="domain", object_name=domain.name,
              domain_name=domain.name, before={key: before}, after={key: checked})
        outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    return checked


@transaction.atomic
def server_rules_set(*, actor: Account | None, rules: Value, kind: str = rule_format.MAIL) -> list[Value]:
    """Replace the server-wide mail (or signal) rules (run when a message is first routed)."""
    require_server_right(actor, R.SETTINGS)
    checked = rule_format.check_rules(rules, _kind(kind))
    name = SERVER_DOCUMENTS[kind]
    before = server_rules(kind)
    if checked != before:
        documents.write(name, {rule_format.KEYS[kind]: checked} if checked else {})
        audit(actor=actor, event=Event.SERVER_RULES, object_type="server", object_name=name,
              before={rule_format.KEYS[kind]: before}, after={rule_format.KEYS[kind]: checked})
        outbox.mark_dirty(outbox.SERVER, name)
    return checked


@transaction.atomic
def account_subset_remove(*, actor: Account | None, account: Account, subset: str) -> int:
    """RemoveAccountSubset: forget a data set of the account (RepliedAddresses: who got automatic replies)."""
    if actor is None or actor.pk != account.pk:
        check_account(actor, account, write=True, right="BasicSettings")
    name = next((known for known in SUBSETS if known.lower() == subset.strip().lower()), None)
    if name is None:
        raise InvalidInput(f"unknown data set {subset!r}: this server keeps {', '.join(SUBSETS)}", field="subset")
    removed, _by_model = RepliedAddress.objects.filter(account=account, subset=name).delete()
    audit(actor=actor, event=Event.ACCOUNT_SUBSET_REMOVE, object_type="account", object_name=account.address,
          domain_name=account.domain.name, before={"Subset": name, "Entries": str(removed)}, after=None)
    return removed
