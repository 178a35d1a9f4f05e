"""manage.py basedir export [--full] | check | adopt [path ...]: the base directory from the shell
(a thin wrapper)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# What a CommuniGate server keeps and this one does not, said where an operator compares the trees.
TEXT_MAILBOX_NOTE = ("note: a Text mailbox here is its .mbox file alone: no .flags (nothing here sets flags: no IMAP "
                     "or POP) and no .bdx index (rebuilt by CommuniGate) is written; ones a restore brings are kept "
                     "with their mailbox (README: Mailbox formats)")


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
        verbs.add_parser("check", help="compare the tree with the database; exit 1 listing every difference, "
                                       "key by key for settings files")
        adopt = verbs.add_parser("adopt", help="take edited settings files and copied account folders into the "
                                               "database through the services (the files become the truth)")
        adopt.add_argument("paths", nargs="*",
                           help="files or account folders, relative to the base directory (none: every settings "
                                "file that differs and every account folder the database lacks)")
        adopt.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "export":
            self._export(bool(options["full"]), max(1, int(options["jobs"])))
        elif options["verb"] == "adopt":
            self._adopt(list(options["paths"]), bool(options["dry_run"]))
        else:
            self._check()

    def _adopt(self, files: list[str], dry_run: bool) -> None:
        from basedir.adopt import basedir_adopt
        from basedir.export import drain
        from cgadmin.errors import CGError

        # What the database changed since the last export is written first, so what differs then is
        # what the operator changed (not a LastLogin the exporter had not written yet).
        drain(seconds=3600)
        try:
            result = basedir_adopt(actor=None, files=files, dry_run=dry_run)
        except CGError as error:
            raise CommandError(error.message) from None
        for adopted in result.adopted:
            for line in adopted.lines(dry_run=dry_run):
                self.stdout.write(line)
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        if dry_run:
            self.stdout.write(f"{len(result.adopted)} file(s) or folder(s) would be adopted; nothing was changed")
            return
        drain(seconds=3600)  # the adopted files rewritten as the exporter writes them
        self.stdout.write(f"{len(result.adopted)} file(s) or folder(s) adopted")

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
        from basedir.check import check, storage_differences

        differences = check()
        for difference in differences:
            for line in difference.lines():
                self.stdout.write(line)
        for note in storage_differences():  # the database's own column: reported, not a difference of the tree
            for line in note.lines():
                self.stdout.write(line)
        self.stdout.write(TEXT_MAILBOX_NOTE)
        if differences:
            raise CommandError(f"{len(differences)} difference(s) between the base directory and the database")
        self.stdout.write("the base directory matches the database")
