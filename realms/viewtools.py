"""Small helpers the thin views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.contrib import messages
from django.http import HttpRequest

from cgadmin.errors import AccessDenied, CGError
from realms.request import CGRequest

T = TypeVar("T")


def actor(request: HttpRequest):
    """The logged-in account acting through this request (never the shell's None)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionError("a WebAdmin change needs a logged-in account")
    return user


def call_service(request: HttpRequest, form: object, call: Callable[[], T], done: str = "") -> T | None:
    """Run a service; its refusal goes next to the field it names (or above the form). A refusal
    for want of a right makes the page answer 403 (realms.middleware), whatever status the view chose:
    a redirect becomes a 403 page with the refusal, so nothing looks like a change that was made."""
    try:
        result = call()
    except CGError as error:
        report = getattr(form, "report", None)
        if isinstance(error, AccessDenied):
            denied = cast(CGRequest, request)  # the middleware's request (realms.request)
            denied.cg_denied = error
            denied.cg_denied_in_messages = report is None
        if report is not None:
            report(error)
        else:
            messages.error(request, error.message)
        return None
    if done:
        messages.success(request, done)
    return result
