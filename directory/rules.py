"""The Directory Access Rights: who may read which attributes of which unit's records.

A small list of rules, kept in the server document "DirectoryAccess" as {Rules = (...);}:

    {Unit = "*"; Attributes = "*"; Who = Administrators;}
    {Unit = "*"; Attributes = (Name, RealName, Email, Domain); Who = Authenticated;}
    {Unit = client1.test; Attributes = (Name, Email); Who = "Domain users";}

- Unit: "*" (every unit), "_local" (the Local Unit) or a domain's name (its unit).
- Attributes: "*" (all), or names: Name, RealName, Email, Domain, Aliases and the PublicInfo settings.
- Who: Anybody (even without logging in), Authenticated (any account), "Domain users" (accounts of
  the unit's domain; the Main Domain's for the Local Unit), Administrators (accounts with the
  Directory right, Master included, and the unit domain's own Domain Administrators).

Rules only grant: an attribute is readable when any rule grants it, and nothing else is. The
shell operator (actor None) reads everything. Searching by an attribute needs the right to read it,
so a search never reveals a value the searcher may not see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from django.db.models import Q

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from directory.config import check_attribute_name
from directory.units import LOCAL_UNIT, Unit
from domains.models import Domain
from domains.names import lookup_domain_key
from realms import rights as R
from realms.permissions import administered_domains, has_server_right, is_domain_admin
from server import documents

if TYPE_CHECKING:
    from accounts.models import Account

RULES_DOCUMENT = "DirectoryAccess"
RULES_KEY = "Rules"
ANY_UNIT = "*"
ALL_ATTRIBUTES = "*"
ANYBODY = "Anybody"
AUTHENTICATED = "Authenticated"
DOMAIN_USERS = "Domain users"
ADMINISTRATORS = "Administrators"
WHO = (ANYBODY, AUTHENTICATED, DOMAIN_USERS, ADMINISTRATORS)
BASE_ATTRIBUTES = ("Name", "RealName", "Email", "Domain", "Aliases")
# The attributes a search may match, and the record column that holds each one's search key.
SEARCHABLE = {"Name": "name_key", "Email": "email_key", "RealName": "real_name_key"}
MAX_RULES = 200


class Anonymous:
    """A viewer who has not logged in (the search API is open to "Anybody" rules)."""

    def __repr__(self) -> str:
        return "ANONYMOUS"


ANONYMOUS = Anonymous()
Viewer = Union["Account", None, Anonymous]


@dataclass(frozen=True)
class Rule:
    unit: str
    attributes: tuple[str, ...]  # ("*",) for all
    who: str

    @property
    def all_attributes(self) -> bool:
        return ALL_ATTRIBUTES in self.attributes

    def covers(self, attribute: str) -> bool:
        return self.all_attributes or attribute.lower() in (name.lower() for name in self.attributes)

    def to_value(self) -> dict[str, Value]:
        attributes: Value = ALL_ATTRIBUTES
        if not self.all_attributes:
            attributes = [*self.attributes]
        return {"Unit": self.unit, "Attributes": attributes, "Who": self.who}


DEFAULT_RULES = (
    Rule(ANY_UNIT, (ALL_ATTRIBUTES,), ADMINISTRATORS),
    Rule(ANY_UNIT, ("Name", "RealName", "Email", "Domain"), AUTHENTICATED),
)


def _who(text: Value, index: int) -> str:
    wanted = str(text).replace(" ", "").lower()
    for who in WHO:
        if who.replace(" ", "").lower() == wanted:
            return who
    raise InvalidInput(f"rule {index}: Who must be one of {', '.join(WHO)}, not {text!r}", field="rules")


def _unit(text: Value, index: int) -> str:
    key = str(text).strip()
    if key in (ANY_UNIT, LOCAL_UNIT):
        return key
    name = lookup_domain_key(key)
    if not Domain.objects.filter(name=name).exists():
        raise InvalidInput(f"rule {index}: unknown unit {key!r}: use *, {LOCAL_UNIT} or a domain name", field="rules")
    return name


def _attributes(value: Value, index: int) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise InvalidInput(f"rule {index}: Attributes must be * or a list of attribute names", field="rules")
    names: list[str] = []
    for item in items:
        text = str(item).strip()
        if text == ALL_ATTRIBUTES:
            return (ALL_ATTRIBUTES,)
        name = check_attribute_name(text, field="rules")
        canonical = next((base for base in BASE_ATTRIBUTES if base.lower() == name.lower()), name)
        if canonical.lower() not in (known.lower() for known in names):
            names.append(canonical)
    return tuple(names)


def parse_rule(value: Value, index: int) -> Rule:
    """One rule from its dictionary form, or InvalidInput naming the rule and what is wrong."""
    if not isinstance(value, dict):
        raise InvalidInput(f"rule {index}: must be a dictionary {{Unit=...; Attributes=...; Who=...;}}",
                           field="rules")
    fields = {key.lower(): item for key, item in value.items()}
    unknown = sorted(set(fields) - {"unit", "attributes", "who"})
    if unknown:
        raise InvalidInput(f"rule {index}: unknown key {unknown[0]!r}", field="rules")
    for key in ("unit", "attributes", "who"):
        if key not in fields:
            raise InvalidInput(f"rule {index}: {key.capitalize()} is missing", field="rules")
    return Rule(_unit(fields["unit"], index), _attributes(fields["attributes"], index), _who(fields["who"], index))


def parse_rules(values: Iterable[Value]) -> list[Rule]:
    """Every rule checked; the same rule twice is kept once."""
    rules: list[Rule] = []
    for index, value in enumerate(values, start=1):
        rule = parse_rule(value, index)
        if rule not in rules:
            rules.append(rule)
    if len(rules) > MAX_RULES:
        raise InvalidInput(f"at most {MAX_RULES} rules", field="rules")
    return rules


def stored_rules() -> list[Value] | None:
    document = documents.read(RULES_DOCUMENT)
    stored = document.get(RULES_KEY)
    return stored if isinstance(stored, list) else None


def current_rules() -> list[Rule]:
    """The rules in force: the stored ones, or DEFAULT_RULES when none were ever stored."""
    stored = stored_rules()
    if stored is None:
        return list(DEFAULT_RULES)
    rules = []
    for value in stored:
        if isinstance(value, dict):
            fields = {key.lower(): item for key, item in value.items()}
            attributes = fields.get("attributes")
            names = (attributes,) if isinstance(attributes, str) else tuple(
                str(item) for item in (attributes if isinstance(attributes, list) else ()))
            rules.append(Rule(str(fields.get("unit", "")), names, str(fields.get("who", ""))))
    return rules


def rules_value(rules: Iterable[Rule]) -> list[Value]:
    return [rule.to_value() for rule in rules]


@dataclass(frozen=True)
class UnitSet:
    """A set of units: every unit, or some domains' units and perhaps the Local Unit."""

    every: bool = False
    local: bool = False
    domain_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.every or self.local or self.domain_ids)

    def __or__(self, other: UnitSet) -> UnitSet:
        if self.every or other.every:
            return EVERY_UNIT
        return UnitSet(False, self.local or other.local, self.domain_ids | other.domain_ids)

    def __contains__(self, domain_id: object) -> bool:
        if self.every:
            return True
        return self.local if domain_id is None else domain_id in self.domain_ids

    def restricted_to(self, domain_id: int | None) -> UnitSet:
        """This set and one unit (domain_id None: the Local Unit)."""
        if domain_id not in self:
            return NO_UNIT
        return UnitSet(local=True) if domain_id is None else UnitSet(domain_ids=frozenset({domain_id}))

    def q(self) -> Q:
        """The records of these units (call only when not empty)."""
        if self.every:
            return Q()
        condition = Q(domain_id__in=sorted(self.domain_ids)) if self.domain_ids else Q(pk__in=[])
        return condition | Q(domain__isnull=True) if self.local else condition


EVERY_UNIT = UnitSet(every=True)
NO_UNIT = UnitSet()


@dataclass(frozen=True)
class Readable:
    """The attributes one viewer may read in one unit."""

    every: bool = False
    names: frozenset[str] = frozenset()  # lower-case

    def __contains__(self, attribute: object) -> bool:
        return self.every or (isinstance(attribute, str) and attribute.lower() in self.names)

    @property
    def empty(self) -> bool:
        return not self.every and not self.names


class DirectoryReader:
    """What one viewer may read: the rules applied to who the viewer is. Build one per request."""

    def __init__(self, viewer: Viewer, rules: list[Rule] | None = None) -> None:
        from accounts.models import Account

        self.shell = viewer is None
        self.account: Account | None = viewer if isinstance(viewer, Account) else None
        self.rules = list(DEFAULT_RULES) if self.shell else (current_rules() if rules is None else rules)
        self.directory_admin = self.account is not None and has_server_right(self.account, R.DIRECTORY)
        self._class_sets: dict[str, UnitSet] = {}
        self._unit_ids: dict[str, int | None] | None = None

    def _administered(self) -> UnitSet:
        if self.account is None or not is_domain_admin(self.account):
            return NO_UNIT
        return UnitSet(domain_ids=frozenset(administered_domains(self.account).values_list("pk", flat=True)))

    def _class_units(self, who: str) -> UnitSet:
        """The units in which the viewer belongs to this class of readers."""
        if who not in self._class_sets:
            account = self.account
            if who == ANYBODY or self.shell:
                units = EVERY_UNIT
            elif account is None:
                units = NO_UNIT
            elif who == AUTHENTICATED:
                units = EVERY_UNIT
            elif who == DOMAIN_USERS:
                units = UnitSet(local=account.domain.is_main, domain_ids=frozenset({account.domain_id}))
            elif who == ADMINISTRATORS:
                units = EVERY_UNIT if self.directory_admin else self._administered()
            else:
                units = NO_UNIT
            self._class_sets[who] = units
        return self._class_sets[who]

    def _unit_id(self, unit: str) -> int | None:
        """The domain id of a rule's domain unit (one query for every rule's domain)."""
        if self._unit_ids is None:
            names = {rule.unit for rule in self.rules} - {ANY_UNIT, LOCAL_UNIT}
            self._unit_ids = dict(Domain.objects.filter(name__in=names).values_list("name", "pk")) if names else {}
        return self._unit_ids.get(unit)

    def _rule_units(self, rule: Rule) -> UnitSet:
        units = self._class_units(rule.who)
        if rule.unit == ANY_UNIT or units.empty:
            return units
        if rule.unit == LOCAL_UNIT:
            return units.restricted_to(None)
        domain_id = self._unit_id(rule.unit)
        return units.restricted_to(domain_id) if domain_id is not None else NO_UNIT

    def units_where(self, attribute: str) -> UnitSet:
        """The units in which the viewer may read this attribute."""
        result = NO_UNIT
        for rule in self.rules:
            if rule.covers(attribute):
                result = result | self._rule_units(rule)
        return result

    def units_where_any(self) -> UnitSet:
        """The units in which the viewer may read at least one attribute."""
        result = NO_UNIT
        for rule in self.rules:
            result = result | self._rule_units(rule)
        return result

    def readable(self, unit: Unit) -> Readable:
        """The attributes the viewer may read in this unit."""
        domain_id = unit.domain.pk if unit.domain is not None else None
        return self.readable_in(domain_id)

    def readable_in(self, domain_id: int | None) -> Readable:
        names: set[str] = set()
        for rule in self.rules:
            if domain_id in self._rule_units(rule):
                if rule.all_attributes:
                    return Readable(every=True)
                names.update(name.lower() for name in rule.attributes)
        return Readable(names=frozenset(names))
