"""Rules pages: an account's, a domain's (Users realm) and the server's (Settings realm) mail rules.

Each rule is shown as rows: its priority and name, one row per condition (field, operation,
parameter) and one per action (action, parameter), with an empty row of each to add one. The
data-format text of the whole set is offered only at the Expert Interface Type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import account_effective_values
from cgadmin import dataformat
from cgadmin.catalogue import Level
from cgadmin.errors import CGError, InvalidInput
from domains.views import account_links, domain_links
from mailrules import rules as R
from mailrules.services import (
    RULES_RIGHT,
    account_rules_set,
    domain_rules_set,
    server_rules,
    server_rules_set,
    stored_rules,
)
from realms import rights as server_rights
from realms.access import access_account, access_domain
from realms.navigation import interface_level
from realms.pages import realm_page
from realms.permissions import can_write_domain, has_server_right
from realms.viewtools import actor, call_service

CONDITIONS = (*R.EVALUATED_CONDITIONS, *R.KEPT_CONDITIONS)
OPERATIONS = (*R.PICTURE_OPS, *R.SIZE_OPS, R.NO_OP)
PRIORITIES = tuple(range(R.MAX_PRIORITY, -1, -1))


class RulesForm:
    """Collects the refusal of the service to show it above the rules (call_service's `report`)."""

    def __init__(self) -> None:
        self.error = ""

    def report(self, error: CGError) -> None:
        self.error = error.message


def _rows(post: Any, prefix: str, first: str, second: str) -> list[list[Any]]:
    rows = []
    for n in range(100):
        head = post.get(f"{prefix}-{n}-{first}")
        if head is None:
            break
        head = head.strip()
        if not head:
            continue
        row: list[Any] = [head]
        if head == "Human Generated":  # takes no operation or parameter, whatever the row's selects say
            rows.append([head, R.NO_OP])
            continue
        if second:
            operation = post.get(f"{prefix}-{n}-{second}", "").strip()
            if operation:
                row.append(operation)
        parameter = post.get(f"{prefix}-{n}-param", "")
        if parameter.strip() or second:
            row.append(parameter.strip())
        rows.append(row)
    return rows


def rules_from_post(post: Any) -> list[Any]:
    """The rule set the page's rows describe (the Expert text, when sent, instead)."""
    expert = post.get("expert", "").strip()
    if expert and post.get("use_expert"):
        try:
            return list(dataformat.loads(expert))  # type: ignore[arg-type]
        except (dataformat.DataFormatError, TypeError) as error:
            raise InvalidInput(f"the rules text: {error}", field="expert") from None
    found = []
    for n in range(R.MAX_RULES + 1):
        name = post.get(f"rule-{n}-name")
        if name is None:
            break
        if not name.strip() or post.get(f"rule-{n}-delete"):
            continue
        prefix = f"rule-{n}"
        found.append([post.get(f"{prefix}-priority", "5"), name.strip(),
                      _rows(post, f"{prefix}-cond", "field", "op"), _rows(post, f"{prefix}-act", "name", "")])
    return found


def _shown(rules: list[Any]) -> list[dict[str, Any]]:
    shown = []
    for rule in [*rules, ["5", "", [], []]]:
        conditions = [list(item) + [""] * (3 - len(item)) for item in rule[2] if isinstance(item, list)]
        actions = [list(item) + [""] * (2 - len(item)) for item in rule[3] if isinstance(item, list)]
        shown.append({"priority": str(rule[0]), "name": rule[1], "conditions": [*conditions, ["", "", ""]],
                      "actions": [*actions, ["", ""]]})
    return shown


def _page(request: HttpRequest, *, title: str, rules: list[Any], may_change: bool, save: Callable[[list], Any],
          context: dict[str, Any], actions: tuple[str, ...] = R.ALL_ACTIONS) -> HttpResponse:
    form = RulesForm()
    status = 200
    if request.method == "POST":
        try:
            wanted = rules_from_post(request.POST)
        except InvalidInput as error:
            form.report(error)
        else:
            if call_service(request, form, lambda: save(wanted), done=_("Rules updated.")) is not None:
                return HttpResponseRedirect(request.path)
        status = 400
    expert = interface_level(request.user) >= Level.EXPERT
    return render(request, "mailrules/rules.html", {
        "title": title, "rules": _shown(rules), "may_change": may_change, "error": form.error,
        "conditions": CONDITIONS, "operations": OPERATIONS, "actions": actions, "priorities": PRIORITIES,
        "expert": expert, "expert_text": dataformat.dumps_pretty(rules) if expert else "", **context,
    }, status=status)


@realm_page("Users", "Account Rules", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_rules(request: HttpRequest, domain: str, account: str) -> HttpResponse:
    """An account's mail rules, within its RulesAllowed."""
    user = actor(request)
    found = access_account(user, f"{account}@{domain}")
    allowed = account_effective_values(found).get("RulesAllowed")
    may_change = (user is not None and user.pk == found.pk) or can_write_domain(user, found.domain, RULES_RIGHT[R.MAIL])
    return _page(
        request, title=_("Rules of %(address)s") % {"address": found.address},
        rules=stored_rules(found.settings), may_change=may_change,
        save=lambda rules: account_rules_set(actor=user, account=found, rules=rules),
        context={"links": account_links(request, found), "current": "Rules", "nav_label": _("Account pages"),
                 "rules_allowed": str(allowed)},
        actions=R.allowed_actions(allowed),
    )


@realm_page("Users", "Domain Rules", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_rules(request: HttpRequest, domain: str) -> HttpResponse:
    """The domain-wide mail rules (run before each account's own)."""
    user = actor(request)
    found = access_domain(user, domain)
    return _page(
        request, title=_("Rules of %(domain)s") % {"domain": found.name}, rules=stored_rules(found.settings),
        may_change=can_write_domain(user, found, RULES_RIGHT[R.MAIL]),
        save=lambda rules: domain_rules_set(actor=user, domain=found, rules=rules),
        context={"links": domain_links(request, found), "current": "Rules"},
    )


@realm_page("Settings", "Rules", level=Level.ADVANCED)
@require_http_methods(["GET", "POST"])
def server_rules_page(request: HttpRequest) -> HttpResponse:
    """The server-wide mail rules (run when a message is first routed)."""
    user = actor(request)
    return _page(
        request, title=_("Server-Wide Rules"), rules=server_rules(),
        may_change=has_server_right(user, server_rights.SETTINGS),
        save=lambda rules: server_rules_set(actor=user, rules=rules), context={},
    )
