"""Response headers that Django 5.2 does not set itself: the Content Security Policy.

The WebAdmin serves everything it needs from its own origin (one stylesheet, no scripts from
outside, charts drawn on the server as SVG), so the policy can forbid everything else."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    """The policy text, from settings.CONTENT_SECURITY_POLICY (directive -> sources)."""
    directives = settings.CONTENT_SECURITY_POLICY.items()
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives)


class ContentSecurityPolicyMiddleware:
    """Add Content-Security-Policy (and Permissions-Policy) to every response that lacks them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


def cross_origin(request: HttpRequest) -> bool:
    """A browser sent this request for a page of another site: its Origin is not the WebAdmin's
    own (nor one of CSRF_TRUSTED_ORIGINS), or its Sec-Fetch-Site says so. Scripts send neither."""
    if request.META.get("HTTP_SEC_FETCH_SITE", "") in ("cross-site", "same-site"):
        return True
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return False
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return True
    return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS
