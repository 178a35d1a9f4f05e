"""The request as the WebAdmin's middleware leaves it (realms.middleware), typed: a view or helper
that reads the `cg_*` attributes takes one of these, so the type checker knows what is there.

Django hands every view the same WSGIRequest; these classes only describe what the middleware has
set on it by the time the view runs. They are never instantiated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import Account
    from cgadmin.errors import AccessDenied
    from realms.pages import PageAccess


class CGRequest(HttpRequest):
    """Any request that went through WebAdminAuthMiddleware and RealmAccessMiddleware."""

    user: Account | AnonymousUser
    cg_basic: bool  # HTTP Basic credentials authenticated this request (no session involved)
    cg_scheme: str | None  # the URL scheme the page was reached by (pages.MASTER_SCHEME, ...); None outside realms
    cg_realm: str | None  # the realm of that URL; None outside realms
    cg_page: PageAccess  # the view's declared access (set before any view that declares one runs)
    # A service refused for want of a right (realms.viewtools.call_service): the page answers 403.
    cg_denied: AccessDenied
    cg_denied_in_messages: bool  # that refusal is already among the page's messages


class RealmRequest(CGRequest):
    """A request for a page inside a realm (pages.realm_page): its scheme and realm are known."""

    cg_scheme: str
    cg_realm: str
