"""What the service tests (tests/<app>/test_services.py) share.

A service is called through `call_allowed` or `call_refused`:

- `call_allowed(service, **kwargs)` runs it and answers a `Call` with the result, the audit entries
  and the exporter's outbox marks it wrote. Each such call must say what it audited
  (`audited(event, ...)` or `audits_nothing(why)`) and what it marked (`marked(...)`,
  `marked_including(...)` or `marks_nothing(why)`): the autouse fixture of tests/conftest.py fails
  a test that leaves either unsaid, so no test forgets to look.
- `call_refused(service, **kwargs)` expects the refusal (AccessDenied unless told) and proves that
  no row of any project table changed (the same fingerprint the URL matrix uses).

`untested_services(module, test_module)` lists the public functions of a services module that the
test module never calls through both (or through a helper of its own named `refused...`); the
coverage test of every test_services.py uses it, so a new public service without a test fails.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Max

from basedir.models import ExportOutbox
from cgadmin.dataformat import Value, loads
from cgadmin.errors import AccessDenied, CGError
from logs.models import AuditEntry

PROJECT_APPS = frozenset({"accounts", "basedir", "directory", "domains", "forwarders", "groups", "lists", "logs",
                          "mailqueue", "mailrules", "realms", "server"})
ANY: Any = object()  # audited(..., before=ANY): the value is not compared

# Calls made in the running test that still owe their audit or outbox check (tests/conftest.py).
PENDING: list[Call] = []


def _fingerprint_sql() -> str:
    tables = sorted(model._meta.db_table for model in apps.get_models()
                    if model._meta.app_label in PROJECT_APPS and not model._meta.proxy and model._meta.managed)
    rows = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
    parts = [f"(SELECT {rows} FROM {connection.ops.quote_name(name)} t)" for name in tables]
    return "SELECT md5(" + " || ".join(parts) + ")"


def fingerprint() -> str:
    """Every row of the project's tables, in one query: a refused change must leave this as it was."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return cursor.fetchone()[0]


def _last_id(model: Any) -> int:
    return model.objects.aggregate(last=Max("id"))["last"] or 0


def _parsed(text: str) -> Value:
    return None if text == "" else loads(text)


@dataclass
class Call:
    """One allowed service call: its result and what it recorded."""

    service: str
    result: Any
    entries: list[AuditEntry]
    marks: set[tuple[str, str]]
    audit_checked: bool = field(default=False)
    outbox_checked: bool = field(default=False)

    def audited(self, event: str, *, actor: Any, object_name: str | None = None, before: Value = ANY,
                after: Value = ANY) -> AuditEntry:
        """The one audit entry of this event, written for this actor, with these values."""
        self.audit_checked = True
        found = [entry for entry in self.entries if entry.event == str(event)]
        assert len(found) == 1, f"{self.service}: expected one {event} entry, got {[e.event for e in self.entries]}"
        entry = found[0]
        assert entry.actor_id == (actor.pk if actor is not None else None), f"{event}: actor {entry.actor_name}"
        assert entry.actor_name == (actor.address if actor is not None else "(shell)"), entry.actor_name
        if object_name is not None:
            assert entry.object_name == object_name, f"{event}: object {entry.object_name!r}"
        if before is not ANY:
            assert _parsed(entry.before) == before, f"{event}: before {entry.before!r}"
        if after is not ANY:
            assert _parsed(entry.after) == after, f"{event}: after {entry.after!r}"
        return entry

    def audits_nothing(self, why: str) -> None:
        """This call writes no audit entry (`why` says why that is right)."""
        assert why
        self.audit_checked = True
        assert self.entries == [], f"{self.service}: unexpected audit entries {[e.event for e in self.entries]}"

    def marked(self, *marks: tuple[str, object]) -> None:
        """The outbox holds exactly these (kind, key) marks from this call."""
        self.outbox_checked = True
        wanted = {(kind, str(key)) for kind, key in marks}
        assert self.marks == wanted, f"{self.service}: outbox marks {sorted(self.marks)}, expected {sorted(wanted)}"

    def marked_including(self, *marks: tuple[str, object]) -> None:
        """The outbox holds at least these marks (for a call that reloads many objects, e.g. a restore)."""
        self.outbox_checked = True
        wanted = {(kind, str(key)) for kind, key in marks}
        assert wanted and wanted <= self.marks, f"{self.service}: outbox marks {sorted(self.marks)} lack {wanted}"

    def marks_nothing(self, why: str) -> None:
        """This call changes nothing the exporter writes (`why` says why that is right)."""
        assert why
        self.outbox_checked = True
        assert self.marks == set(), f"{self.service}: unexpected outbox marks {sorted(self.marks)}"


def call_allowed(service: Callable[..., Any], **kwargs: Any) -> Call:
    """Run the service; the answer says what it wrote to the audit trail and the outbox."""
    last_entry, last_mark = _last_id(AuditEntry), _last_id(ExportOutbox)
    result = service(**kwargs)
    entries = list(AuditEntry.objects.filter(id__gt=last_entry).order_by("id"))
    marks = set(ExportOutbox.objects.filter(id__gt=last_mark).values_list("kind", "key"))
    call = Call(service.__name__, result, entries, marks)
    PENDING.append(call)
    return call


def call_refused(service: Callable[..., Any], *, error: type[CGError] = AccessDenied, **kwargs: Any) -> CGError:
    """The service refuses (with `error`), and no row of any project table changed."""
    before = fingerprint()
    with pytest.raises(error) as raised:
        service(**kwargs)
    assert fingerprint() == before, f"{service.__name__} was refused but changed the database"
    return raised.value


def unchecked_calls() -> list[str]:
    """The allowed calls of the running test that never said what they audited or marked."""
    missing = [f"{call.service}: " + " and ".join(
        what for what, done in (("audit", call.audit_checked), ("outbox", call.outbox_checked)) if not done)
        for call in PENDING if not (call.audit_checked and call.outbox_checked)]
    PENDING.clear()
    return missing


# --- every public service has a test ---------------------------------------------------------------


def public_functions(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The public functions defined in the module itself (not imported into it)."""
    return {name: value for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}


def takes_actor(function: Callable[..., Any]) -> bool:
    parameter = inspect.signature(function).parameters.get("actor")
    return parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY


def _called_through(test_file: Path) -> dict[str, set[str]]:
    """{"call_allowed": {service names}, "call_refused": {...}} as the test file's source calls them."""
    called: dict[str, set[str]] = {"call_allowed": set(), "call_refused": set()}
    for node in ast.walk(ast.parse(test_file.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        # A test module's own helper named refused_... passes the service on to call_refused.
        kind = "call_refused" if node.func.id.startswith("refused") else node.func.id
        target = node.args[0]
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        if kind in called and name:
            called[kind].add(name)
    return called


def untested_services(module: ModuleType, test_file: str, *, not_services: Mapping[str, str] = {},
                      no_refusal: Iterable[str] = ()) -> list[str]:
    """What is missing: every public function of the services module is called through call_allowed,
    and, when it takes an actor, through call_refused (unless named in no_refusal, e.g. a service
    every actor may call); `not_services` names helpers that live there for now, with the reason,
    and may not take an actor (one that does is a service)."""
    called = _called_through(Path(test_file))
    missing: list[str] = []
    for name, function in sorted(public_functions(module).items()):
        if name in not_services:
            if takes_actor(function):
                missing.append(f"{name}: takes an actor, so it is a service, not a helper")
            continue
        if name not in called["call_allowed"]:
            missing.append(f"{name}: never called through call_allowed")
        if takes_actor(function) and name not in no_refusal and name not in called["call_refused"]:
            missing.append(f"{name}: never called through call_refused")
    return missing


# --- every module of services, and the figures (tests/service_figures.py prints them) ------------------

ROOT = Path(__file__).resolve().parent.parent
# Services that live outside an app's services.py, with the test module that covers them.
OTHER_SERVICE_MODULES = {"realms.second_factor": "tests/realms/test_services.py",
                         "cgadmin.settings_change": "tests/cgadmin/test_services.py",
                         "basedir.reload": "tests/basedir/test_services.py",
                         "basedir.adopt": "tests/basedir/test_services.py"}


def service_modules() -> dict[str, Path]:
    """Every module holding services, with the test file that must cover it."""
    found = {f"{path.parent.name}.services": ROOT / "tests" / path.parent.name / "test_services.py"
             for path in sorted(ROOT.glob("*/services.py"))}
    return {**found, **{name: ROOT / test for name, test in OTHER_SERVICE_MODULES.items()}}


def coverage_rows() -> list[tuple[str, int, int, int, int]]:
    """(module, services, of which take an actor, called through call_allowed, through call_refused)."""
    import importlib

    rows = []
    for name, test_file in service_modules().items():
        module = importlib.import_module(name)
        called = _called_through(test_file) if test_file.exists() else {"call_allowed": set(), "call_refused": set()}
        public = public_functions(module)
        services = {n for n, f in public.items() if takes_actor(f) or n in called["call_allowed"]}
        with_actor = {n for n in services if takes_actor(public[n])}
        rows.append((name, len(services), len(with_actor), len(services & called["call_allowed"]),
                     len(with_actor & called["call_refused"])))
    return rows

