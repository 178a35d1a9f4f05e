"""Monitors realm pages of the queue (thin: parse, call one selector or service, render)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cgadmin.catalogue import Level
from cgadmin.errors import InvalidInput
from mailqueue import selectors, services
from realms import permissions
from realms import rights as R
from realms.navigation import request_page_size
from realms.pages import realm_page
from realms.viewtools import actor, call_service, confirmation_page, confirmed

REPORT_CHOICES = ("report", "none")


@realm_page("Monitors", "Queues", level=Level.BASIC, auto_refresh=True)
@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    """The module queues holding messages: message counts, sizes, when they retry, last errors."""
    page = selectors.queues_page(request.user, after=request.GET.get("after", "")[:600],  # type: ignore[arg-type]
                                 limit=request_page_size(request))
    return render(request, "mailqueue/queues.html", {"page": page})


def _reject_arguments(request: HttpRequest) -> tuple[str | None, bool]:
    notify = request.POST.get("notify", "report") != "none"
    text = request.POST.get("report_text", "").strip()
    return (text or None), notify


@realm_page("Monitors", "Queue", level=Level.BASIC, in_menu=False, auto_refresh=True)
@require_http_methods(["GET", "POST"])
def queue_detail(request: HttpRequest, module: str, name: str) -> HttpResponse:
    """One module queue's messages; Release (CanReleaseQueues), Reject (CanRejectQueues)."""
    user = request.user
    try:
        module = selectors.check_module(module)
    except InvalidInput:
        raise Http404("no such module") from None
    if request.method == "POST":
        action = request.POST.get("action", "")
        report, notify = _reject_arguments(request)
        if action == "release":
            call_service(request, None, lambda: services.queue_release(actor=actor(request), module=module, queue=name),
                         done=_("The %(module)s queue %(name)s is released.") % {"module": module, "name": name})
        elif action == "reject":
            message_id = request.POST.get("message", "")
            call_service(request, None, lambda: services.message_reject(
                actor=actor(request), message_id=message_id, report=report, notify=notify),  # type: ignore[arg-type]
                done=_("Message %(id)s rejected.") % {"id": message_id})
        elif action == "reject_sender":
            sender = request.POST.get("sender", "")
            if not confirmed(request) and permissions.has_server_right(actor(request), R.CAN_REJECT_QUEUES):
                return confirmation_page(
                    request, title=_("Reject all from <%(sender)s>") % {"sender": sender},
                    button=_("Reject all from this sender"), back_url=request.path,
                    question=_("Yes, reject every queued message from <%(sender)s>, in every queue") % {
                        "sender": sender})
            result = call_service(request, None, lambda: services.messages_reject_by_sender(
                actor=actor(request), sender=sender, report=report, notify=notify))
            if result is not None:
                from django.contrib import messages

                messages.success(request, _("%(number)s message(s) from <%(sender)s> rejected.") % {
                    "number": len(result.messages), "sender": sender})
        return HttpResponseRedirect(request.path)
    summary = selectors.queue_summary(user, module=module, name=name)  # type: ignore[arg-type]
    if summary is None:
        raise Http404("no such queue")
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    page = selectors.queue_messages(user, module=module, name=name, after=after,  # type: ignore[arg-type]
                                    limit=request_page_size(request))
    context = {
        "summary": summary, "page": page,
        "may_release": permissions.has_server_right(user, R.CAN_RELEASE_QUEUES),  # type: ignore[arg-type]
        "may_reject": permissions.has_server_right(user, R.CAN_REJECT_QUEUES),  # type: ignore[arg-type]
    }
    return render(request, "mailqueue/queue.html", context)
