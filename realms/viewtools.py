"""Small helpers the thin views share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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


class Refusal:
    """Where a page whose fields are no Django form keeps its service's refusal (call_service reports it)."""

    def __init__(self) -> None:
        self.error: CGError | None = None

    def report(self, error: CGError) -> None:
        self.error = error


CONFIRM = "confirm"
CONFIRMING = "confirming"  # the POST came from the confirmation page: an unticked box is an error


def confirmed(request: HttpRequest) -> bool:
    """Whether a destructive POST carries its ticked confirmation."""
    return request.POST.get(CONFIRM) == "on"


def confirmation_page(
    request: HttpRequest, *, title: str, question: str, button: str, back_url: str, items: Sequence[str] = (),
    more: int = 0,
) -> HttpResponse:
    """Ask before a destructive POST is carried out: the page posts the same fields again with the
    box ticked. Nothing was changed; sent back unticked, the page says so (400) next to the box."""
    skipped = {CONFIRM, CONFIRMING, "csrfmiddlewaretoken"}
    hidden = [(name, value) for name in request.POST if name not in skipped for value in request.POST.getlist(name)]
    unticked = CONFIRMING in request.POST
    context = {"title": title, "question": question, "button": button, "back_url": back_url, "items": items,
               "more": more, "hidden": hidden, "unticked": unticked}
    return render(request, "realms/confirm.html", context, status=400 if unticked else 200)
