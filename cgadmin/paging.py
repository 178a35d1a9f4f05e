"""Lists that stay fast at a million rows: paged by key, never by OFFSET, never counted per view.

A page is `WHERE key > last ORDER BY key LIMIT n+1` (the extra row says whether a next page exists);
going back is the same query in reverse. Each page costs one indexed range scan, however deep.
A list sorted by another value pages on (value, name) the same way (`page_by_order`), with the
index (value, name) behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import QueryDict

T = TypeVar("T")
MAX_PAGE_SIZE = 1000
MAX_FILTER_LENGTH = 255
LAST = "\U0010ffff"  # `before` it: the last page (after every name, and no value of a sort key)
SEPARATOR = "|"  # between a sort value and the name in a page's key (`after=1048576|jane`)


@dataclass(frozen=True)
class KeyPage(Generic[T]):
    """One page of a list and the keys of its neighbours (None where there is none)."""

    rows: list[T]
    size: int
    filter: str
    next_key: str | None
    previous_key: str | None
    sort: str = ""  # the list's order when not its default (kept by every link)

    @property
    def is_first(self) -> bool:
        return self.previous_key is None

    def link(self, **changes: Any) -> str:
        """The query string of a neighbouring page, keeping the filter and page size."""
        query = QueryDict(mutable=True)
        if self.filter:
            query["filter"] = self.filter
        if self.sort:
            query["sort"] = self.sort
        query["limit"] = str(self.size)
        for name, value in changes.items():
            if value:
                query[name] = value
        return "?" + query.urlencode()

    @property
    def next_link(self) -> str:
        return self.link(after=self.next_key) if self.next_key else ""

    @property
    def previous_link(self) -> str:
        return self.link(before=self.previous_key) if self.previous_key else ""

    @property
    def first_link(self) -> str:
        return self.link()


@dataclass(frozen=True)
class ListRequest:
    """What the list's query string asks for: a filter, a page size, and where the page starts."""

    filter: str
    size: int
    after: str
    before: str


def page_by_key(queryset: QuerySet, wanted: ListRequest, *, key: str = "name") -> KeyPage:
    """The page of `queryset` (already filtered) that `wanted` asks for, ordered by `key`."""
    size = wanted.size
    if wanted.before:
        chunk = list(queryset.filter(**{f"{key}__lt": wanted.before}).order_by(f"-{key}")[: size + 1])
        if len(chunk) > size:
            rows = list(reversed(chunk[:size]))
            return KeyPage(rows, size, wanted.filter, getattr(rows[-1], key), getattr(rows[0], key))
        wanted = ListRequest(wanted.filter, size, "", "")  # back at the start: show a full first page
    start = queryset.filter(**{f"{key}__gt": wanted.after}) if wanted.after else queryset
    chunk = list(start.order_by(key)[: size + 1])
    rows = chunk[:size]
    next_key = getattr(rows[-1], key) if len(chunk) > size else None
    previous_key = getattr(rows[0], key) if wanted.after and rows else None
    if wanted.after and not rows:
        previous_key = wanted.after  # past the end: let the administrator step back
    return KeyPage(rows, size, wanted.filter, next_key, previous_key)


@dataclass(frozen=True)
class Order:
    """An order of a list: the rows' key attributes (a value then the unique name, or the name alone),
    one direction for all (so one index range scan serves it either way), and how a key's value reads
    back from its text."""

    keys: tuple[str, ...]
    descending: bool = False
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str

    def ordering(self, *, backward: bool = False) -> list[Any]:
        down = self.descending != backward
        return [F(key).desc() if down else F(key).asc() for key in self.keys]

    def key_of(self, row: Any) -> str:
        values = [getattr(row, key) for key in self.keys]
        return SEPARATOR.join([self.show(values[0]), *map(str, values[1:])])

    def values_of(self, text: str) -> tuple[Any, ...] | None:
        """A page key's values, or None for a key this order never wrote (the list starts over)."""
        parts = text.split(SEPARATOR, len(self.keys) - 1)
        if len(parts) != len(self.keys):
            return None
        try:
            return (self.parse(parts[0]), *parts[1:])
        except (TypeError, ValueError):
            return None

    def beyond(self, queryset: QuerySet, values: tuple[Any, ...], *, backward: bool = False) -> QuerySet:
        """The rows after `values` in this order (before them, backward): a row comparison, which
        the index (value, name) answers as a range."""
        later = TupleLessThan if self.descending != backward else TupleGreaterThan
        return queryset.filter(later(Tuple(*(F(key) for key in self.keys)), values))


def page_by_order(queryset: QuerySet, wanted: ListRequest, order: Order, *, sort: str = "") -> KeyPage:
    """The page of `queryset` (filtered, with the order's keys) that `wanted` asks for, in `order`;
    `before=LAST` is the last page. `sort` names the order in the page's links."""
    size = wanted.size
    before = None if wanted.before in ("", LAST) else order.values_of(wanted.before)
    if wanted.before == LAST or before is not None:
        found = queryset if before is None else order.beyond(queryset, before, backward=True)
        chunk = list(found.order_by(*order.ordering(backward=True))[: size + 1])
        if len(chunk) > size:
            rows = list(reversed(chunk[:size]))
            following = None if before is None else order.key_of(rows[-1])
            return KeyPage(rows, size, wanted.filter, following, order.key_of(rows[0]), sort)
        # back at the start (or all of it fits a page): a full first page
    after = order.values_of(wanted.after) if wanted.after else None
    start = order.beyond(queryset, after) if after is not None else queryset
    chunk = list(start.order_by(*order.ordering())[: size + 1])
    rows = chunk[:size]
    next_key = order.key_of(rows[-1]) if len(chunk) > size else None
    previous_key = order.key_of(rows[0]) if after is not None and rows else None
    if after is not None and not rows:
        previous_key = wanted.after  # past the end: let the administrator step back
    return KeyPage(rows, size, wanted.filter, next_key, previous_key, sort)
