"""Lists that stay fast at a million rows: paged by key, never by OFFSET, never counted per view.

A page is `WHERE key > last ORDER BY key LIMIT n+1` (the extra row says whether a next page exists);
going back is the same query in reverse. Each page costs one indexed range scan, however deep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import QueryDict

T = TypeVar("T")
MAX_PAGE_SIZE = 1000
MAX_FILTER_LENGTH = 255


@dataclass(frozen=True)
class KeyPage(Generic[T]):
    """One page of a list and the keys of its neighbours (None where there is none)."""

    rows: list[T]
    size: int
    filter: str
    next_key: str | None
    previous_key: str | None

    @property
    def is_first(self) -> bool:
        return self.previous_key is None

    def link(self, **changes: Any) -> str:
        """The query string of a neighbouring page, keeping the filter and page size."""
        query = QueryDict(mutable=True)
        if self.filter:
            query["filter"] = self.filter
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
