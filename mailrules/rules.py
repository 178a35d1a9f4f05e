"""CommuniGate's Automated Rules: the stored form, its checks, and how a rule set runs on a message.

A rule set is an array of rules; a rule is `(priority, name, conditions, actions [, comment])`.
A condition is `(field, operation [, parameter])`, an action `(name [, parameter])`:

    ( (5, "Junk", (("Subject", "is", "*[SPAM]*")), (("Store in", "Junk"), ("Stop Processing"))) )

Rules with a higher priority run first (9 before 1); priority 0 is "Inactive" (kept, never run).
`is` / `is not` compare with a picture in which `*` matches any text (case-insensitive); `in` /
`not in` with a comma-separated list of pictures; `greater than` / `less than` compare sizes."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.utils import getaddresses

from cgadmin.catalogue import parse_size
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput

RULES = "Rules"  # the settings key (account.settings, Domain.settings) and the Settings/Rules.settings key
SIGNAL_RULES = "SignalRules"
MAIL, SIGNAL = "mail", "signal"
KEYS = {MAIL: RULES, SIGNAL: SIGNAL_RULES}
SERVER_DOCUMENTS = {MAIL: "Rules", SIGNAL: "SignalRules"}  # Settings/Rules.settings, Settings/SignalRules.settings

IS, IS_NOT, IN, NOT_IN, GREATER, LESS = "is", "is not", "in", "not in", "greater than", "less than"
PICTURE_OPS = (IS, IS_NOT, IN, NOT_IN)
SIZE_OPS = (GREATER, LESS)
NO_OP = "---"  # conditions without an operation ("Human Generated")

# Conditions this server evaluates, and the operations each takes.
ADDRESS_FIELDS = ("From", "Sender", "Return-Path", "To", "Cc", "Any To or Cc", "Each To or Cc", "Reply-To")
EVALUATED_CONDITIONS: dict[str, tuple[str, ...]] = {
    **{name: PICTURE_OPS for name in ADDRESS_FIELDS},
    "From Name": PICTURE_OPS, "Subject": PICTURE_OPS, "Message-ID": PICTURE_OPS, "Header Field": PICTURE_OPS,
    "Any Recipient": PICTURE_OPS, "Each Recipient": PICTURE_OPS,
    "Message Size": SIZE_OPS, "Human Generated": (NO_OP,),
}
# CommuniGate conditions kept and exported as written, which this server never finds met.
KEPT_CONDITIONS = ("Time Of Day", "Current Date", "Current Day", "Preference", "FreeBusy", "Source", "Security",
                   "Submit Address", "Attachments", "Any Route", "Each Route", "Existing Mailbox", "Original Subject",
                   "Method", "RequestURI", "To Name")

STORE_IN, REDIRECT, FORWARD, MIRROR = "Store in", "Redirect to", "Forward to", "Mirror to"
REPLY, REPLY_ALL, REJECT, DISCARD, STOP = "Reply with", "Reply to All with", "Reject with", "Discard", "Stop Processing"
REMEMBER = "Remember 'From' in"
EXECUTE = "Execute"
# Actions by what RulesAllowed lets an account hold (None < Filter Only < No Redirect < All But Exec < Any).
FILTER_ACTIONS = (STORE_IN, "Mark", "Add Header", "Tag Subject", DISCARD, REJECT, STOP, REMEMBER,
                  "Copy attachments into", "Store Encrypted in", "Write To Log")
SENDING_ACTIONS = (REPLY, REPLY_ALL, "React with", "Send Notification", "Accept Request", "Accept Reply",
                   "FingerNotify")
REDIRECT_ACTIONS = (REDIRECT, FORWARD, MIRROR)
EXEC_ACTIONS = (EXECUTE,)
ALL_ACTIONS = (*FILTER_ACTIONS, *SENDING_ACTIONS, *REDIRECT_ACTIONS, *EXEC_ACTIONS)
NO_PARAMETER = (DISCARD, STOP, "Accept Request", "Accept Reply")

RULES_ALLOWED = ("None", "Filter Only", "No Redirect", "All But Exec", "Any")
_ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    "None": (),
    "Filter Only": FILTER_ACTIONS,
    "No Redirect": (*FILTER_ACTIONS, *SENDING_ACTIONS),
    "All But Exec": (*FILTER_ACTIONS, *SENDING_ACTIONS, *REDIRECT_ACTIONS),
    "Any": ALL_ACTIONS,
}
MAX_PRIORITY = 9
MAX_RULES = 500


def keeping_rules(current: dict[str, Value], settings: dict[str, Value]) -> dict[str, Value]:
    """A Set*Settings replacement that leaves the rules (kept in the same settings) as they are:
    they change through the rules verbs, with their checks, unless the new settings name them."""
    named = {key.lower() for key in settings}
    kept = {key: value for key, value in current.items() if key in KEYS.values() and key.lower() not in named}
    return {**settings, **kept}


def _canonical(name: str, known: Iterable[str]) -> str | None:
    lowered = name.strip().lower()
    return next((item for item in known if item.lower() == lowered), None)


def allowed_actions(rules_allowed: Value) -> tuple[str, ...]:
    """The actions an account's rules may hold under its RulesAllowed setting (Any when unset)."""
    level = _canonical(str(rules_allowed or "Any"), RULES_ALLOWED) or "Any"
    return _ALLOWED_ACTIONS[level]


# --- the stored form ------------------------------------------------------------------------------


def _priority(value: Value, where: str) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d+", text) or int(text) > MAX_PRIORITY:
        raise InvalidInput(f"{where}: the priority must be a number from 0 (inactive) to {MAX_PRIORITY}, "
                           f"not {value!r}")
    return int(text)


def _text(value: Value, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a string, not {value!r}")
    return value


def _condition(item: Value, where: str, kind: str) -> list[Value]:
    if not isinstance(item, list) or not 1 <= len(item) <= 3:
        raise InvalidInput(f"{where} must be an array (field, operation, parameter), not {item!r}")
    name = _text(item[0], f"{where}: the field")
    known = _canonical(name, EVALUATED_CONDITIONS) or _canonical(name, KEPT_CONDITIONS)
    if known is None and kind == MAIL:
        raise InvalidInput(f"{where}: unknown condition {name!r}; known: {', '.join(EVALUATED_CONDITIONS)}")
    result: list[Value] = [known or name]
    if len(item) >= 2:
        operation = _text(item[1], f"{where}: the operation").strip().lower()
        ops = EVALUATED_CONDITIONS.get(known or "", (*PICTURE_OPS, *SIZE_OPS, NO_OP))
        if known in EVALUATED_CONDITIONS and operation not in ops:
            raise InvalidInput(f"{where}: {known} takes the operation {' or '.join(repr(op) for op in ops)}, "
                               f"not {item[1]!r}")
        result.append(item[1] if operation == NO_OP else operation)
    elif known in EVALUATED_CONDITIONS and EVALUATED_CONDITIONS[known] != (NO_OP,):
        raise InvalidInput(f"{where}: {known} needs an operation and a parameter")
    if len(item) == 3:
        parameter = _text(item[2], f"{where}: the parameter")
        if known == "Message Size":
            try:
                parse_size(parameter)
            except InvalidInput:
                raise InvalidInput(f"{where}: the Message Size must be a size such as 100K, not {parameter!r}") \
                    from None
        if known == "Header Field" and ":" not in parameter:
            raise InvalidInput(f"{where}: a Header Field parameter is 'Field-Name: picture', not {parameter!r}")
        result.append(parameter)
    elif known in EVALUATED_CONDITIONS and EVALUATED_CONDITIONS[known] != (NO_OP,):
        raise InvalidInput(f"{where}: {known} needs a parameter")
    return result


def _action(item: Value, where: str, kind: str) -> list[Value]:
    if not isinstance(item, list):
        item = [item] if isinstance(item, str) else item
    if not isinstance(item, list) or not 1 <= len(item) <= 2:
        raise InvalidInput(f"{where} must be an array (action, parameter), not {item!r}")
    name = _text(item[0], f"{where}: the action")
    known = _canonical(name, ALL_ACTIONS)
    if known is None and kind == MAIL:
        raise InvalidInput(f"{where}: unknown action {name!r}")
    result: list[Value] = [known or name]
    if len(item) == 2:
        result.append(item[1])
    if kind == MAIL and known not in NO_PARAMETER:
        parameter = result[1] if len(result) == 2 else ""
        if not isinstance(parameter, str) or not parameter.strip():
            raise InvalidInput(f"{where}: {known} needs a parameter")
    return result


def check_rule(rule: Value, where: str, kind: str = MAIL) -> list[Value]:
    """One rule in its stored form, or InvalidInput naming what is wrong."""
    if not isinstance(rule, list) or not 4 <= len(rule) <= 5:
        raise InvalidInput(f"{where} must be an array (priority, name, conditions, actions [, comment])")
    priority = _priority(rule[0], where)
    name = _text(rule[1], f"{where}: the name").strip()
    if not name:
        raise InvalidInput(f"{where}: the name is empty")
    where = f"rule {name!r}"
    conditions, actions = rule[2], rule[3]
    if not isinstance(conditions, list):
        raise InvalidInput(f"{where}: the conditions must be an array")
    if not isinstance(actions, list):
        raise InvalidInput(f"{where}: the actions must be an array")
    checked: list[Value] = [
        str(priority), name,
        [_condition(item, f"{where}, condition {n}", kind) for n, item in enumerate(conditions, 1)],
        [_action(item, f"{where}, action {n}", kind) for n, item in enumerate(actions, 1)],
    ]
    if len(rule) == 5:
        checked.append(_text(rule[4], f"{where}: the comment"))
    return checked


def check_rules(rules: Value, kind: str = MAIL) -> list[Value]:
    """A whole rule set in its stored form (names unique), or InvalidInput naming what is wrong."""
    if not isinstance(rules, list):
        raise InvalidInput("the rules must be an array of rules")
    if len(rules) > MAX_RULES:
        raise InvalidInput(f"more than {MAX_RULES} rules")
    checked: list[Value] = [check_rule(rule, f"rule {n}", kind) for n, rule in enumerate(rules, 1)]
    seen: set[str] = set()
    for rule in checked:
        key = rule_name(rule).lower()
        if key in seen:
            raise InvalidInput(f"two rules are named {rule_name(rule)!r}")
        seen.add(key)
    return checked


def rule_name(rule: Value) -> str:
    """The name of a stored rule ("" for something that is no rule)."""
    return str(rule[1]) if isinstance(rule, list) and len(rule) > 1 else ""


def refused_actions(rules: Sequence[Value], rules_allowed: Value) -> list[str]:
    """The actions of these rules that RulesAllowed does not let the account hold."""
    allowed = allowed_actions(rules_allowed)
    found: list[str] = []
    for rule in rules:
        if isinstance(rule, list) and len(rule) >= 4 and isinstance(rule[3], list):
            for action in rule[3]:
                name = str(action[0]) if isinstance(action, list) and action else str(action)
                if name not in allowed and name not in found:
                    found.append(name)
    return found


def update_rule(rules: list[Value], change: Value, kind: str = MAIL) -> list[Value]:
    """UpdateAccountMailRule: a 4- or 5-element rule replaces (or adds) the rule of its name; a
    shorter array sets the priority of the named rule; `DELETE name` removes it (quietly if absent)."""
    if isinstance(change, str):  # the name of a rule to remove
        return [rule for rule in rules if rule_name(rule).lower() != change.strip().lower()]
    if not isinstance(change, list) or len(change) < 2:
        raise InvalidInput("the rule must be an array (priority, name [, conditions, actions [, comment]])")
    name = _text(change[1], "the rule name").strip()
    if len(change) < 4:
        priority = str(_priority(change[0], f"rule {name!r}"))
        if not any(rule_name(rule).lower() == name.lower() for rule in rules):
            raise InvalidInput(f"there is no rule named {name!r}")
        return [[priority, *rule[1:]] if isinstance(rule, list) and rule_name(rule).lower() == name.lower() else rule
                for rule in rules]
    new = check_rule(change, f"rule {name!r}", kind)
    return [rule for rule in rules if rule_name(rule).lower() != name.lower()] + [new]


# --- running a rule set on a message --------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _picture(picture: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in picture.strip().split("*")), re.IGNORECASE | re.DOTALL)


def picture_matches(picture: str, text: str) -> bool:
    """CommuniGate's pictures: `*` matches any text, the rest literally, case-insensitive."""
    return _picture(picture).fullmatch(text.strip()) is not None


def _decoded(value: str) -> str:
    if "=?" not in value:
        return value  # no encoded word: nothing to decode
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a malformed encoded word: compare it as it is
        return value


@dataclass
class Message:
    """What the conditions look at: the envelope and the header fields (name in lower case)."""

    sender: str
    recipients: list[str]
    size: int
    headers: dict[str, list[str]]

    @classmethod
    def parse(cls, data: bytes, sender: str, recipients: list[str], size: int) -> Message:
        headers: dict[str, list[str]] = {}
        end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=len(data))
        text = data[:end].decode("utf-8", "replace")
        name = ""
        for line in re.split(r"\r?\n", text):
            if line[:1] in (" ", "\t") and name:
                headers[name][-1] += " " + line.strip()
            elif ":" in line:
                name, _colon, value = line.partition(":")
                name = name.strip().lower()
                headers.setdefault(name, []).append(value.strip())
        return cls(sender, recipients, size, headers)

    def field(self, name: str) -> list[str]:
        return [_decoded(value) for value in self.headers.get(name.lower(), [])]

    def addresses(self, *names: str) -> list[str]:
        return [address for _name, address in getaddresses(self.field_values(names)) if address]

    def field_values(self, names: Iterable[str]) -> list[str]:
        return [value for name in names for value in self.headers.get(name.lower(), [])]

    @property
    def subject(self) -> str:
        return (self.field("Subject") or [""])[0]

    def human_generated(self) -> bool:
        """Not an automatic message: no Auto-Submitted (other than no), no bulk, list or junk
        Precedence, no List-Id, and a sender to answer."""
        if not self.sender or self.sender.lower().startswith(("mailer-daemon", "owner-", "postmaster@")):
            return False
        auto = (self.field("Auto-Submitted") or ["no"])[0].strip().lower()
        precedence = (self.field("Precedence") or [""])[0].strip().lower()
        return auto == "no" and precedence not in ("bulk", "list", "junk") and not self.headers.get("list-id")


def _compare(operation: str, parameter: str, values: list[str], *, each: bool = False) -> bool:
    pictures = [parameter] if operation in (IS, IS_NOT) else [p for p in parameter.split(",") if p.strip()]

    def matches(value: str) -> bool:
        return any(picture_matches(picture, value) for picture in pictures)

    if operation in (IS, IN):
        return bool(values) and (all if each else any)(matches(value) for value in values)
    return not any(matches(value) for value in values)


def condition_met(condition: Sequence[Value], message: Message) -> bool:
    """Whether the message meets one condition (conditions this server does not evaluate never are)."""
    name = str(condition[0])
    operation = str(condition[1]).lower() if len(condition) > 1 else NO_OP
    parameter = str(condition[2]) if len(condition) > 2 else ""
    if name == "Human Generated":
        return message.human_generated()
    if name == "Message Size":
        try:
            limit = parse_size(parameter)
        except InvalidInput:
            return False
        if limit is None:
            return False
        return message.size > limit if operation == GREATER else message.size < limit
    if name in ("Any Recipient", "Each Recipient"):
        return _compare(operation, parameter, message.recipients, each=name == "Each Recipient")
    if name == "Header Field":
        field_name, _colon, picture = parameter.partition(":")
        return _compare(operation, picture.strip(), message.field(field_name.strip()))
    if name == "Subject":
        return _compare(operation, parameter, [message.subject])
    if name == "Message-ID":
        return _compare(operation, parameter, message.field("Message-ID"))
    if name == "From Name":
        names = [shown for shown, _address in getaddresses(message.field_values(["From"])) if shown]
        return _compare(operation, parameter, [_decoded(shown) for shown in names])
    if name == "Return-Path":
        return _compare(operation, parameter, [message.sender] if message.sender else [])
    if name in ("Any To or Cc", "Each To or Cc"):
        return _compare(operation, parameter, message.addresses("To", "Cc"), each=name == "Each To or Cc")
    if name in ADDRESS_FIELDS:
        return _compare(operation, parameter, message.addresses(name))
    return False


@dataclass
class Outcome:
    """What a rule set decided for one copy of a message."""

    store_in: list[str] = field(default_factory=list)
    discard: bool = False
    reject: str | None = None
    stopped: bool = False
    sends: list[tuple[str, str, str]] = field(default_factory=list)  # (action, parameter, rule name)
    remember: list[str] = field(default_factory=list)  # dataset names
    applied: list[str] = field(default_factory=list)  # rule names
    skipped: list[str] = field(default_factory=list)  # actions not allowed or not performed here

    @property
    def keeps_inbox(self) -> bool:
        return not (self.store_in or self.discard or self.reject is not None)


# Checked rule sets by the identity of the stored list (held here, so the id is not reused): a
# delivery pass shares one list per account, domain and the server for all its copies.
_ACTIVE: dict[int, tuple[Value, list[list[Value]]]] = {}
_ACTIVE_KEPT = 2048


def active_rules(rules: Value) -> list[list[Value]]:
    """The rules to run, highest priority first (malformed and inactive ones left out)."""
    cached = _ACTIVE.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    if len(_ACTIVE) >= _ACTIVE_KEPT:
        _ACTIVE.clear()
    result = _active_rules(rules)
    _ACTIVE[id(rules)] = (rules, result)
    return result


def _active_rules(rules: Value) -> list[list[Value]]:
    found: list[tuple[int, int, list[Value]]] = []
    for position, rule in enumerate(rules if isinstance(rules, list) else []):
        try:
            checked = check_rule(rule, "rule")
        except InvalidInput:
            continue
        priority = int(str(checked[0]))
        if priority > 0:
            found.append((-priority, position, checked))
    return [rule for _priority, _position, rule in sorted(found, key=lambda item: (item[0], item[1]))]


def run(rule_sets: Iterable[Value], message: Message, *, allowed: Iterable[str] = ALL_ACTIONS,
        outcome: Outcome | None = None) -> Outcome:
    """Run rule sets one after the other (domain, then account) until one says Stop Processing."""
    outcome = outcome or Outcome()
    allowed = tuple(allowed)
    for rules in rule_sets:
        for rule in active_rules(rules):
            if outcome.stopped:
                return outcome
            conditions = rule[2] if isinstance(rule[2], list) else []
            if not all(condition_met(condition, message) for condition in conditions if isinstance(condition, list)):
                continue
            outcome.applied.append(str(rule[1]))
            for action in rule[3] if isinstance(rule[3], list) else []:
                _perform(action, str(rule[1]), outcome, allowed)
        if outcome.stopped:
            break
    return outcome


def _perform(action: Value, rule: str, outcome: Outcome, allowed: tuple[str, ...]) -> None:
    if not isinstance(action, list) or not action:
        return
    name = str(action[0])
    parameter = str(action[1]) if len(action) > 1 else ""
    if name not in allowed:
        outcome.skipped.append(f"{name} (not allowed by RulesAllowed)")
    elif name == STOP:
        outcome.stopped = True
    elif name == DISCARD:
        outcome.discard = True
    elif name == REJECT:
        outcome.reject = parameter or "rejected by a rule"
    elif name == STORE_IN:
        outcome.store_in.append(parameter)
    elif name in (REDIRECT, FORWARD, MIRROR, REPLY, REPLY_ALL):
        outcome.sends.append((name, parameter, rule))
    elif name == REMEMBER:
        outcome.remember.append(parameter)
    else:
        outcome.skipped.append(name)


def split_addresses(text: str) -> list[str]:
    """The addresses of a Redirect to / Forward to parameter (comma-separated)."""
    return [address for _name, address in getaddresses([text]) if address]
