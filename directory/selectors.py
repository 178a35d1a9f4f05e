"""Reads of the Central Directory that depend on who asks: every one goes through the Directory
Access Rights (directory.rules), so the pages and the search API show the same things.

A search by prefix runs one query per searchable attribute (Name, Email, RealName), each an index
range scan in its own key's order (`WHERE email_key LIKE 'jo%' ORDER BY email_key, id LIMIT n`),
and merges them: results come in the order of the value that matched. A record that matches
through several attributes is shown once, at its first match. A single query ORing the three
prefixes cannot be ordered by one index: PostgreSQL then either sorts every match or walks one
index filtering the rest, and both cost time in proportion to the table, not to the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db import connection
from django.db.models import F, IntegerField, Q, QuerySet
from django.db.models import Value as V

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from directory.models import DirectoryRecord, search_key
from directory.rules import SEARCHABLE, DirectoryReader, Readable, UnitSet, Viewer
from directory.units import LOCAL_UNIT, Unit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
ATTRIBUTE_ORDER = ("Name", "RealName", "Email", "Domain", "Aliases")
# Each searchable attribute's place in the merged order when two records match with equal values.
KINDS: tuple[tuple[str, str], ...] = tuple(SEARCHABLE.items())
BROWSE_KIND = 0  # without a prefix, records come in name order
MAX_MERGE_ROUNDS = 20


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the merged order: the value that matched, its attribute's kind, the record id.
    The next page starts after it."""

    term: str
    kind: int
    id: int

    def encode(self) -> str:
        return f"{self.kind}:{self.id}:{self.term}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        kind, _, rest = text.partition(":")
        number, colon, term = rest.partition(":")
        if not colon or not kind.isdigit() or not number.isdigit() or int(kind) >= len(KINDS):
            raise InvalidInput(f"{text!r} is not a page position", field="after")
        return cls(term, int(kind), int(number))


@dataclass(frozen=True)
class VisibleRecord:
    """A record as one viewer sees it: only the attributes it may read."""

    unit: str
    values: dict[str, Value]
    custom: bool = False
    account: tuple[str, str] | None = None  # (domain, name) of the account the record mirrors

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


def _restricted(units: UnitSet, unit: Unit | None) -> UnitSet:
    if unit is None:
        return units
    return units.restricted_to(unit.domain.pk if unit.domain is not None else None)


class _HitColumns(TypedDict):
    unit_name: str | None  # the name of the record's domain (None: the Local Unit)
    hit_kind: int  # the stream that found the record


_FoundRecord: TypeAlias = "WithAnnotations[DirectoryRecord, _HitColumns]"


@dataclass
class _Stream:
    """The records matching through one attribute, in that attribute's key order."""

    kind: int
    column: str
    units: UnitSet
    exhausted: bool = False

    def query(self, key: str, unit: Unit | None, after: Cursor | None, size: int) -> QuerySet[_FoundRecord]:
        column = self.column
        records = DirectoryRecord.objects.filter(self.units.q())
        if key:
            records = records.filter(**{f"{column}__startswith": key})
        if unit is not None:
            records = records.filter(domain=unit.domain) if unit.domain is not None else records.filter(
                domain__isnull=True)
        if after is not None:
            records = records.filter(self._after(after), **{f"{column}__gte": after.term})
        return (records.annotate(unit_name=F("domain__name"), hit_kind=V(self.kind, output_field=IntegerField()))
                .order_by(column, "id").defer("updated")[:size])

    def _after(self, after: Cursor) -> Q:
        later = Q(**{f"{self.column}__gt": after.term})
        if self.kind > after.kind:
            return later | Q(**{self.column: after.term})
        if self.kind == after.kind:
            return later | Q(**{self.column: after.term, "id__gt": after.id})
        return later


def _fetch(streams: list[_Stream], key: str, unit: Unit | None, after: Cursor | None,
           size: int) -> dict[int, list[_Hit]]:
    """Each stream's next rows; one UNION ALL statement where the database allows ordered, limited
    parts in one (PostgreSQL), one statement per stream elsewhere (SQLite)."""
    queries = [stream.query(key, unit, after, size) for stream in streams]
    if len(queries) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(queries[0].union(*queries[1:], all=True))
    else:
        rows = [row for query in queries for row in query]
    by_kind: dict[int, list[_Hit]] = {stream.kind: [] for stream in streams}
    columns = {stream.kind: stream.column for stream in streams}
    for row in rows:
        by_kind[row.hit_kind].append(_Hit(Cursor(getattr(row, columns[row.hit_kind]), row.hit_kind, row.pk), row))
    for stream in streams:
        hits = by_kind[stream.kind]
        hits.sort(key=lambda hit: hit.position)
        stream.exhausted = len(hits) < size
    return by_kind


@dataclass(frozen=True)
class _Hit:
    """A record found through one attribute, at its position in the merged order."""

    position: Cursor
    record: _FoundRecord


def _first_match(record: DirectoryRecord, key: str, streams: list[_Stream]) -> tuple[str, int] | None:
    """Where a record first appears in the merged order: its smallest matching value among the
    attributes the reader may search in its unit."""
    matches = [(getattr(record, stream.column), stream.kind) for stream in streams
               if record.domain_id in stream.units and getattr(record, stream.column).startswith(key)]
    return min(matches) if matches else None


def _streams(reader: DirectoryReader, key: str, unit: Unit | None) -> list[_Stream]:
    if not key:
        units = _restricted(reader.units_where_any(), unit)
        return [] if units.empty else [_Stream(BROWSE_KIND, KINDS[BROWSE_KIND][1], units)]
    streams = []
    for kind, (attribute, column) in enumerate(KINDS):
        units = _restricted(reader.units_where(attribute), unit)
        if not units.empty:
            streams.append(_Stream(kind, column, units))
    return streams


def _merged_hits(streams: list[_Stream], key: str, unit: Unit | None, after: Cursor | None,
                 limit: int) -> tuple[list[_Hit], Cursor | None]:
    """Up to limit + 1 hits in merged order after the cursor, each record once; and, when the page
    had to stop short, the position to continue from."""
    found: list[_Hit] = []
    position = after
    for _ in range(MAX_MERGE_ROUNDS):
        hits: list[_Hit] = []
        complete_upto: Cursor | None = None  # hits beyond a stream's last row may miss that stream's
        for stream, fetched in zip(streams, _fetch(streams, key, unit, position, limit + 1).values(), strict=True):
            hits += fetched
            if not stream.exhausted and (complete_upto is None or fetched[-1].position < complete_upto):
                complete_upto = fetched[-1].position
        for hit in sorted(hits, key=lambda hit: hit.position):
            if complete_upto is not None and hit.position > complete_upto:
                break
            if len(streams) == 1 or _first_match(hit.record, key, streams) == (hit.position.term, hit.position.kind):
                found.append(hit)
                if len(found) > limit:
                    return found, None
        if complete_upto is None:
            return found, None
        position = complete_upto
    return found, position  # a page cut short by duplicates: the next one goes on from here


def search_records(
    *,
    viewer: Viewer,
    prefix: str = "",
    unit: Unit | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    reader: DirectoryReader | None = None,
) -> RecordPage:
    """One page of records whose Name, Email or RealName starts with prefix (any case), in one
    unit or in all: in order of the matching value (of the name without a prefix), after the
    cursor. Paged by key, never by OFFSET: one index range scan per searchable attribute."""
    reader = reader or DirectoryReader(viewer)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    key = search_key(prefix)
    streams = _streams(reader, key, unit)
    if not streams:
        return RecordPage([])
    hits, resume = _merged_hits(streams, key, unit, after, limit)
    readable: dict[int | None, Readable] = {}
    visible = []
    for hit in hits[:limit]:
        record = hit.record
        if record.domain_id not in readable:
            readable[record.domain_id] = reader.readable_in(record.domain_id)
        unit_key = LOCAL_UNIT if record.unit_name is None else record.unit_name  # None: no domain
        mirrored = (record.domain_name, record.name) if record.account_id is not None else None
        visible.append(VisibleRecord(unit_key, visible_values(record, readable[record.domain_id]),
                                     custom=record.domain_id is None, account=mirrored))
    next_position = hits[limit - 1].position if len(hits) > limit else resume
    return RecordPage(visible, next_position, readable)
