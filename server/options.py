"""The server's command-line options (the seed's "Command Line Options"): names case-insensitive.

Table-driven: each option says whether it takes a value and how to read it, so an unknown option
or a bad value stops the start with a message that names it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgadmin.errors import InvalidInput

HTTP_PORT = 8010
CLI_PORT = 106
SYSTEM_PORT_LIMIT = 1024
UNPRIVILEGED_PORT_OFFSET = 8000  # the seed: without root, port n < 1024 opens 8000+n


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError("a port number from 1 to 65535")
    return int(text)


def _yes_no(text: str) -> bool:
    if text.upper() not in ("YES", "NO"):
        raise ValueError("YES or NO")
    return text.upper() == "YES"


def _path(text: str) -> Path:
    if not text:
        raise ValueError("a directory")
    return Path(text).expanduser().absolute()


@dataclass(frozen=True)
class OptionSpec:
    name: str  # the canonical spelling
    attribute: str  # where ServerOptions keeps it
    reader: Callable[[str], Any] | None = None  # None: a flag without a value
    repeatable: bool = False
    help: str = ""


OPTIONS: list[OptionSpec] = [
    OptionSpec("--Base", "base", _path, help="the base directory"),
    OptionSpec("--CGateBase", "base", _path, help="the base directory (same as --Base)"),
    OptionSpec("--HTTPPort", "http_port", _port, help="the WebAdmin port (8010)"),
    OptionSpec("--CLIPort", "cli_port", _port, help="the CLI port (106; 8106 without root)"),
    OptionSpec("--ListenAddress", "listen_address", str, help="the address listeners bind"),
    OptionSpec("--UseSystemPorts", "use_system_ports", _yes_no, help="open ports below 1024 without root"),
]


@dataclass
class ServerOptions:
    base: Path | None = None
    http_port: int = HTTP_PORT
    cli_port: int = CLI_PORT
    listen_address: str | None = None
    use_system_ports: bool = False
    given: list[str] = field(default_factory=list)  # the parameters as given (the General page shows them)
    not_applicable: list[str] = field(default_factory=list)


def _spec_index() -> dict[str, OptionSpec]:
    return {spec.name.lower(): spec for spec in OPTIONS}


def parse_options(arguments: list[str]) -> ServerOptions:
    """ServerOptions from argv-style arguments, or InvalidInput naming the bad option or value."""
    index = _spec_index()
    options = ServerOptions(given=list(arguments))
    position = 0
    while position < len(arguments):
        word = arguments[position]
        spec = index.get(word.lower())
        if spec is None:
            raise InvalidInput(f"unknown command-line option {word!r}")
        position += 1
        if spec.reader is None:
            setattr(options, spec.attribute, True)
            continue
        if position >= len(arguments):
            raise InvalidInput(f"option {spec.name} needs a value")
        raw = arguments[position]
        position += 1
        try:
            value = spec.reader(raw)
        except ValueError as error:
            raise InvalidInput(f"bad value {raw!r} for {spec.name}: expected {error}")
        if spec.repeatable:
            getattr(options, spec.attribute).append(value)
        else:
            setattr(options, spec.attribute, value)
    return options


def may_bind_system_ports(use_system_ports: bool) -> bool:
    return os.geteuid() == 0 or use_system_ports


def effective_port(port: int, use_system_ports: bool) -> int:
    """Without root, a listener asked for port n < 1024 opens 8000+n (unless --UseSystemPorts YES)."""
    if port < SYSTEM_PORT_LIMIT and not may_bind_system_ports(use_system_ports):
        return UNPRIVILEGED_PORT_OFFSET + port
    return port
