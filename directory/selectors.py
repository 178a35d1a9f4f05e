"""Reads of the Central Directory that depend on who asks: every one goes through the Directory
Access Rights (directory.rules), so the pages and the search API show the same things."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from directory.models import DirectoryRecord, search_key
from directory.rules import SEARCHABLE, DirectoryReader, Readable, UnitSet, Viewer
from directory.units import LOCAL_UNIT, Unit

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
ATTRIBUTE_ORDER = ("Name", "RealName", "Email", "Domain", "Aliases")


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: records come in (name_key, id) order, so the next page starts after it."""

    name_key: str
    id: int

    def encode(self) -> str:
        return f"{self.id}:{self.name_key}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        number, colon, key = text.partition(":")
        if not colon or not number.isdigit():
            raise InvalidInput(f"{text!r} is not a page position", field="after")
        return cls(key, int(number))


@dataclass(frozen=True)
class VisibleRecord:
    """A record as one viewer sees it: only the attributes it may read."""

    unit: str
    values: dict[str, Value]
    custom: bool = False

    def get(self, attribute: str) -> Value | None:
        return self.values.get(attribute)

    @property
    def others(self) -> dict[str, Value]:
        return {name: value for name, value in self.values.items() if name not in ATTRIBUTE_ORDER}


@dataclass(frozen=True)
class RecordPage:
    records: list[VisibleRecord]
    next: Cursor | None = None
    readable: dict[int | None, Readable] = field(default_factory=dict)


def visible_values(record: DirectoryRecord, readable: Readable) -> dict[str, Value]:
    """The record's attributes this reader may read, in the directory's order."""
    candidates: list[tuple[str, Value]] = [
        ("Name", record.name), ("RealName", record.real_name), ("Email", record.email),
        ("Domain", record.domain_name), ("Aliases", list(record.aliases or [])),
        *sorted((record.public or {}).items(), key=lambda item: item[0].lower()),
    ]
    return {name: value for name, value in candidates if name in readable and value not in ("", [], None)}


def _unit_condition(units: UnitSet, unit: Unit | None) -> UnitSet:
    if unit is None:
        return units
    return units.restricted_to(unit.domain.pk if unit.domain is not None else None)


def _condition(reader: DirectoryReader, key: str, unit: Unit | None) -> Q | None:
    """Records the reader may find: by a prefix of an attribute it may read, in units where it may."""
    if not key:
        units = _unit_condition(reader.units_where_any(), unit)
        return None if units.empty else units.q()
    condition: Q | None = None
    for attribute, column in SEARCHABLE.items():
        units = _unit_condition(reader.units_where(attribute), unit)
        if units.empty:
            continue
        part = Q(**{f"{column}__startswith": key}) & units.q()
        condition = part if condition is None else condition | part
    return condition


def search_records(
    *,
    viewer: Viewer,
    prefix: str = "",
    unit: Unit | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    reader: DirectoryReader | None = None,
) -> RecordPage:
    """One page of records whose Name, RealName or Email starts with prefix (any case), in one unit
    or all, in name order, after the cursor. Paged by key, never by OFFSET; one query for the page."""
    reader = reader or DirectoryReader(viewer)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    condition = _condition(reader, search_key(prefix), unit)
    if condition is None:
        return RecordPage([])
    records = DirectoryRecord.objects.filter(condition)
    if unit is not None:
        records = records.filter(domain=unit.domain) if unit.domain is not None else records.filter(
            domain__isnull=True)
    if after is not None:
        records = records.filter(Q(name_key__gt=after.name_key) | Q(name_key=after.name_key, id__gt=after.id),
                                 name_key__gte=after.name_key)
    rows = list(
        records.annotate(unit_name=F("domain__name")).order_by("name_key", "id").defer("updated", "account")[
            : limit + 1]
    )
    readable: dict[int | None, Readable] = {}
    visible = []
    for record in rows[:limit]:
        if record.domain_id not in readable:
            readable[record.domain_id] = reader.readable_in(record.domain_id)
        unit_key = LOCAL_UNIT if record.domain_id is None else record.unit_name
        visible.append(VisibleRecord(unit_key, visible_values(record, readable[record.domain_id]),
                                     custom=record.domain_id is None))
    last = rows[limit - 1] if len(rows) > limit else None
    return RecordPage(visible, Cursor(last.name_key, last.pk) if last else None, readable)
