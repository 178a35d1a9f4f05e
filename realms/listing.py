"""The query string of a list page: its filter, page size and starting key (cgadmin.paging pages it)."""

from __future__ import annotations

from django.http import HttpRequest

from cgadmin.paging import MAX_FILTER_LENGTH, MAX_PAGE_SIZE, ListRequest
from realms.navigation import request_page_size


def list_request(request: HttpRequest) -> ListRequest:
    """Read filter/limit/after/before; a bad limit falls back to the administrator's page size."""
    params = request.GET
    try:
        size = int(params.get("limit", ""))
    except ValueError:
        size = request_page_size(request)
    size = min(max(size, 1), MAX_PAGE_SIZE)
    return ListRequest(
        filter=params.get("filter", "").strip()[:MAX_FILTER_LENGTH],
        size=size,
        after=params.get("after", "")[:MAX_FILTER_LENGTH],
        before=params.get("before", "")[:MAX_FILTER_LENGTH],
    )
