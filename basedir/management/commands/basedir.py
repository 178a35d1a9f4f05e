"""manage.py basedir export [--full] | check: the base directory from the shell (a thin wrapper)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The base directory: write what the database holds (export), or list where they differ (check)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="write what the outbox names now; --full rebuilds the whole tree")
        export.add_argument("--full", action="store_true",
                            help="rewrite every file that differs, move misplaced folders, remove what the "
                                 "database no longer has")
        export.add_argument("--jobs", type=int, default=1,
                            help="with --full: domains exported side by side, each in a process of its own")
        verbs.add_parser("check", help="compare the tree with the database; exit 1 listing every difference")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "export":
            self._export(bool(options["full"]), max(1, int(options["jobs"])))
        else:
            self._check()

    def _export(self, full: bool, jobs: int = 1) -> None:
        from basedir.export import drain, export_full

        if full:
            try:
                result = export_full(progress=self._progress if sys.stderr.isatty() else None, jobs=jobs)
            except OSError as error:  # a full disk, a symbolic link below a top-level folder (refused), ...
                raise CommandError(f"the base directory could not be written: {error}") from None
            self.stdout.write(f"{result.domains} domain(s), {result.accounts} account(s), "
                              f"{result.files_written} file(s) written, {len(result.removed)} removed")
            for removed in result.removed:
                self.stdout.write(f"removed: {removed}")
            return
        drained = drain(seconds=3600)
        self.stdout.write(f"{drained.exported} object(s) exported")
        if drained.busy_or_failed:
            raise CommandError(f"{drained.busy_or_failed} object(s) busy or not written: see the Server Log (EXPORT)")

    def _progress(self, text: str) -> None:
        self.stderr.write(f"\r{text}", ending="")

    def _check(self) -> None:
        from basedir.check import check

        differences = check()
        for difference in differences:
            self.stdout.write(str(difference))
        if differences:
            raise CommandError(f"{len(differences)} difference(s) between the base directory and the database")
        self.stdout.write("the base directory matches the database")
