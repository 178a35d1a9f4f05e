"""docker-compose.yml read as Docker Compose reads it (YAML with merge keys, `${VAR:-default}`
interpolation), and each command of it resolved against this code: a management command and its
options, gunicorn's options and application, Celery's sub-command and options."""

from __future__ import annotations

import importlib
import re
import shlex
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT / "docker-compose.yml"
DOCKERFILE = PROJECT / "Dockerfile"

_VARIABLE = re.compile(r"\$(?:\$|\{(?P<braced>[^}]+)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


class ComposeError(ValueError):
    pass


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        expression = match.group("braced") or match.group("plain")
        for operator in (":-", "-", ":?", "?"):
            if operator in expression:
                name, argument = expression.split(operator, 1)
                break
        else:
            name, operator, argument = expression, "", ""
        value = variables.get(name)
        empty = value is None or (value == "" and operator.startswith(":"))
        if operator in (":-", "-") and (value is None if operator == "-" else empty):
            return interpolate(argument, variables)
        if operator in (":?", "?") and (value is None if operator == "?" else empty):
            raise ComposeError(f"${{{name}}}: {argument}")
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolate_tree(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return interpolate(value, variables)
    if isinstance(value, list):
        return [_interpolate_tree(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _interpolate_tree(item, variables) for key, item in value.items()}
    return value


def seconds(duration: str | None) -> float:
    """A compose duration (`1m30s`, `20s`) in seconds; compose's default of 10 s when unset."""
    if duration is None:
        return 10.0
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(number) * units[unit] for number, unit in _DURATION.findall(str(duration)))


@dataclass
class Service:
    name: str
    raw: dict[str, Any]

    @property
    def ours(self) -> bool:
        """Built from this repository's Dockerfile (the app image), not a stock image."""
        return "build" in self.raw

    @property
    def command(self) -> list[str]:
        command = self.raw.get("command")
        return shlex.split(command) if isinstance(command, str) else list(command or [])

    @property
    def environment(self) -> dict[str, str]:
        environment = self.raw.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        return {key: "" if value is None else str(value) for key, value in environment.items()}

    @property
    def healthcheck(self) -> list[str] | None:
        """The health check's command (CMD form, or CMD-SHELL as `sh -c`)."""
        test = (self.raw.get("healthcheck") or {}).get("test")
        if not test:
            return None
        if isinstance(test, str):
            return ["sh", "-c", test]
        if test[0] == "CMD":
            return list(test[1:])
        if test[0] == "CMD-SHELL":
            return ["sh", "-c", test[1]]
        return None

    @property
    def one_shot(self) -> bool:
        return str(self.raw.get("restart", "")) == "no"

    @property
    def stop_grace(self) -> float:
        return seconds(self.raw.get("stop_grace_period"))

    @property
    def published(self) -> list[tuple[str, str]]:
        """(container port, protocol) of each `ports:` entry."""
        result = []
        for entry in self.raw.get("ports") or []:
            target = str(entry).rsplit(":", 1)[-1]
            port, _, protocol = target.partition("/")
            result.append((port, protocol or "tcp"))
        return result


@dataclass
class Compose:
    services: dict[str, Service] = field(default_factory=dict)
    volumes: dict[str, Any] = field(default_factory=dict)

    def ours(self) -> list[Service]:
        return [service for service in self.services.values() if service.ours]


def load(variables: dict[str, str], text: str | None = None) -> Compose:
    """The compose file (or `text`), interpolated with `variables`."""
    document = yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)
    document = _interpolate_tree(document, variables)
    services = {name: Service(name, body or {}) for name, body in (document.get("services") or {}).items()}
    return Compose(services, document.get("volumes") or {})


def dockerfile_environment() -> dict[str, str]:
    """The image's ENV lines (what every container starts with)."""
    environment: dict[str, str] = {}
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                environment[key] = value
    return environment


def dockerfile_workdir() -> str:
    workdirs = [line.split()[1] for line in DOCKERFILE.read_text().splitlines() if line.startswith("WORKDIR ")]
    return workdirs[-1] if workdirs else "/"


# --- what a command runs, and whether this code has it ------------------------------------------


def program(argv: list[str]) -> set[tuple[str, str]]:
    """What a command line runs, as (program, entry) pairs: ("manage.py", "clilistener"),
    ("gunicorn", "cgadmin.wsgi:application"), ("celery", "worker"), ("celery", "beat")."""
    words = [Path(word).name if index == 0 else word for index, word in enumerate(argv)]
    if words[:1] and words[0].startswith("python"):
        words = words[1:]
        if words[:2] == ["-m", "gunicorn"] or words[:2] == ["-m", "celery"]:
            words = [words[1], *words[2:]]
    if not words:
        return set()
    if Path(words[0]).name == "manage.py":
        return {("manage.py", words[1])} if len(words) > 1 else set()
    if words[0] == "gunicorn":
        applications = [word for word in words[1:] if re.fullmatch(r"[\w.]+:[\w.()]+", word)]
        return {("gunicorn", applications[0])} if applications else set()
    if words[0] == "celery":
        found = {("celery", word) for word in words[1:] if word in ("worker", "beat")}
        if ("celery", "worker") in found and ({"--beat", "-B"} & set(words)):
            found.add(("celery", "beat"))
        return found
    return set()


def check_command(argv: list[str]) -> str | None:
    """Why this code cannot run argv as given (None: it can): an unknown management command or
    option, a gunicorn option or application that does not exist, an unknown Celery command."""
    words = list(argv)
    if not words:
        return "no command"
    if words[0].startswith("python"):
        words = words[1:]
        if words[:1] == ["-c"]:
            try:
                compile(words[1], "<healthcheck>", "exec")
            except SyntaxError as error:
                return f"python -c: {error}"
            return None
        if words[:1] == ["-m"]:
            words = words[1:]
    head = Path(words[0]).name if words else ""
    if head == "manage.py":
        return _check_management_command(words[1:])
    if head == "gunicorn":
        return _check_gunicorn(words[1:])
    if head == "celery":
        return _check_celery(words[1:])
    if head == "sh":
        return None  # a shell line: its commands are the image's (pg_isready, redis-cli) or checked apart
    return f"{words[0]}: not a program of this image"


def _check_management_command(arguments: list[str]) -> str | None:
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import CommandError

    if not arguments:
        return "manage.py without a command"
    name, options = arguments[0], arguments[1:]
    commands = get_commands()
    if name not in commands:
        return f"manage.py {name}: no such management command"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("manage.py", name)
    try:
        parser.parse_args(options)
    except (CommandError, SystemExit) as error:
        return f"manage.py {name} {' '.join(options)}: {error}"
    return None


def _check_gunicorn(arguments: list[str]) -> str | None:
    from gunicorn.config import Config

    parser = Config().parser()
    try:
        parsed = parser.parse_args(arguments)
    except SystemExit:
        return f"gunicorn {' '.join(arguments)}: options gunicorn does not take"
    if parsed.config and not (PROJECT / parsed.config).is_file():
        return f"gunicorn --config {parsed.config}: no such file"
    if not parsed.args:
        return "gunicorn: no application"
    module, _, attribute = parsed.args[0].partition(":")
    try:
        loaded = importlib.import_module(module)
    except ImportError as error:
        return f"gunicorn {parsed.args[0]}: {error}"
    if not hasattr(loaded, attribute):
        return f"gunicorn {parsed.args[0]}: {module} has no {attribute}"
    return None


def _check_celery(arguments: list[str]) -> str | None:
    import click
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context = celery.make_context("celery", list(arguments))
            try:
                app = find_app(context.params["app"] or "celery")
            except Exception as error:  # whatever Celery raises for an application it cannot load
                return f"celery -A {context.params['app']}: {error}"
            context.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
            rest = [*context.protected_args, *context.args]
            name, command, remaining = celery.resolve_command(context, rest)
            command.make_context(name, remaining, parent=context)
    except click.ClickException as error:
        return f"celery {' '.join(arguments)}: {error.format_message()}"
    return None
