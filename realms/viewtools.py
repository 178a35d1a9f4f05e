"""Small helpers the thin views share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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


def form_post(
    request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], T | None], *,
    then: str | Callable[[T], str], done: str | Callable[[T], str] = "", shown: bool = True,
) -> HttpResponse | None:
    """A form page's POST, the same on every page: a valid form calls one service with its cleaned
    data (call_service: the refusal goes next to the field, or above the page when `shown` is False
    because the form is not on it); once done, the message and a redirect to `then` (a URL, or one
    made from the result). None for a GET or when the page is shown again (form_status says 400)."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    result = call_service(request, form if shown else None, lambda: call(data))
    if result is None:
        return None
    message = done(result) if callable(done) else done
    if message:
        messages.success(request, message)
    return HttpResponseRedirect(then(result) if callable(then) else then)


def form_status(request: HttpRequest) -> int:
    """A form page's status: 200, or 400 when a POST shows it again (form_post changed nothing)."""
    return 400 if request.method == "POST" else 200


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
