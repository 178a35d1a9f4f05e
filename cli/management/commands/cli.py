"""`manage.py cli 'CreateDomain client1.test'`: run CLI commands as the operator at the shell.

The answer's data is printed in the data format (nothing for a plain OK); an error prints its
`NNN message` line on stderr and the exit status is 1. Without a command, one command a line is
read from standard input, and the status is 1 when any of them failed."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from cgadmin import context
from cli.dispatch import Answer, execute


class Command(BaseCommand):
    help = "Run a CLI command (spec/cli.md) as the operator, e.g. manage.py cli 'CreateDomain client1.test'."

    def add_arguments(self, parser) -> None:
        parser.add_argument("command", nargs="*", help="the command line (words are joined with spaces); "
                                                       "none: read commands from standard input")
        parser.add_argument("--pretty", action="store_true", help="print dictionaries one key a line")

    def handle(self, *args: str, **options: object) -> None:
        words: list[str] = options["command"]  # type: ignore[assignment]
        lines = [" ".join(words)] if words else [line.rstrip("\r\n") for line in sys.stdin]
        failed = False
        for line in lines:
            if not words and not line.strip():
                continue
            answer = execute(line, actor=None, interface=context.SHELL)
            failed |= not self._print(answer, pretty=bool(options["pretty"]))
        if failed:
            sys.exit(1)

    def _print(self, answer: Answer, *, pretty: bool) -> bool:
        if not answer.ok:
            self.stderr.write(answer.line())
            return False
        if answer.data is not None:
            self.stdout.write(_pretty(answer.data) if pretty else answer.data)
        return True


def _pretty(data: str) -> str:
    from cgadmin.dataformat import dumps_pretty, loads

    return dumps_pretty(loads(data))
