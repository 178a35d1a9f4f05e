"""manage.py accounts import|export: CSV import and export of a domain's accounts (thin wrappers).

Import shows a progress bar (tqdm on stderr), then each bad line with its number; the good rows
are created whatever the bad ones hold. The exit status is 1 when some line was bad."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cgadmin.errors import CGError


class Command(BaseCommand):
    help = "Import accounts into a domain from a CSV file, or export a domain's accounts as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="create an account for each row of a CSV file")
        load.add_argument("domain", help="the domain the accounts go into")
        load.add_argument("file", help="the CSV file ('-' reads standard input)")
        load.add_argument("--no-progress", action="store_true", help="no progress bar")
        dump = verbs.add_parser("export", help="write the domain's accounts as CSV")
        dump.add_argument("domain")
        dump.add_argument("file", nargs="?", default="-", help="the CSV file to write ('-', the default: stdout)")
        dump.add_argument("--passwords", action="store_true",
                          help="include each account's stored password form (a hash, unless PasswordEncryption"
                               " says otherwise)")

    def handle(self, *args: object, **options: object) -> None:
        from realms.access import access_domain

        try:
            domain = access_domain(None, str(options["domain"]))
            if options["verb"] == "import":
                self._import(domain, str(options["file"]), progress=not options["no_progress"])
            else:
                self._export(domain, str(options["file"]), passwords=bool(options["passwords"]))
        except CGError as error:
            raise CommandError(error.message)

    def _import(self, domain, file: str, *, progress: bool) -> None:
        from accounts.csvformat import count_rows
        from accounts.services import accounts_import_csv

        # Read a batch at a time, never whole: a file is counted first for the bar, standard input not.
        source = sys.stdin if file == "-" else _open_text(file)
        total = None
        if source is not sys.stdin:
            total = count_rows(source)
            source.seek(0)
        bar = tqdm(total=total, unit="row", disable=not progress, file=sys.stderr)
        try:
            report = accounts_import_csv(actor=None, domain=domain, text=source,
                                         on_batch=lambda done: bar.update(done.processed - bar.n))
        except UnicodeDecodeError as error:
            raise CommandError(f"cannot read {file}: {error}")
        finally:
            bar.close()
            if source is not sys.stdin:
                source.close()
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"... and {report.error_count - len(report.errors)} more bad line(s)")
        self.stdout.write(f"{report.created} account(s) created in {domain.name}, {report.error_count} bad line(s)")
        if report.error_count:
            raise CommandError(f"{report.error_count} line(s) were not imported", returncode=1)

    def _export(self, domain, file: str, *, passwords: bool) -> None:
        from accounts.selectors import accounts_csv

        lines = accounts_csv(None, domain, passwords=passwords)
        if file == "-":
            for line in lines:
                self.stdout.write(line, ending="")
            return
        from basedir.atomic import write_file_atomic  # whole or not at all

        write_file_atomic(Path(file), "".join(lines).encode("utf-8"), skip_unchanged=False,
                          mode=0o600 if passwords else 0o640)  # stored passwords: the operator's only


def _open_text(file: str) -> TextIO:
    try:
        return open(file, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error}")
