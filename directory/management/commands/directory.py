"""manage.py directory rebuild|export: the Central Directory from the shell (a thin wrapper)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cgadmin.errors import CGError


class Command(BaseCommand):
    help = "The Central Directory: rebuild it from the accounts, or write its files now."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        rebuild = verbs.add_parser(
            "rebuild", help="recreate the records of every domain kept in sync from its accounts, and every file",
        )
        choice = rebuild.add_mutually_exclusive_group()
        choice.add_argument("--import-custom", action="store_true",
                            help="keep custom records found only in Directory/Local.data (add them back)")
        choice.add_argument("--drop-custom", action="store_true",
                            help="drop every custom record: the directory then holds account records only")
        verbs.add_parser("export", help="write every unit's file from the database now")

    def handle(self, *args: object, **options: object) -> None:
        from directory.export import export_all

        try:
            if options["verb"] == "rebuild":
                self._rebuild(bool(options["import_custom"]), bool(options["drop_custom"]))
        except CGError as error:
            raise CommandError(error.message)
        # Files are written by the exporter after commit; write them now too, so the command's
        # result is on disk when it returns even if no worker is running (idempotent).
        changed = export_all()
        self.stdout.write(f"{changed} directory file(s) written or removed")

    def _rebuild(self, import_custom: bool, drop_custom: bool) -> None:
        from directory.services import directory_rebuild

        result = directory_rebuild(actor=None, import_custom=import_custom, drop_custom=drop_custom)
        for domain, count in result.records.items():
            self.stdout.write(f"{domain}: {count} record(s)")
        self.stdout.write(f"Local Unit: {result.custom_kept} custom record(s) kept")
        if result.custom_imported:
            self.stdout.write(f"imported from Directory/Local.data: {', '.join(result.custom_imported)}")
        if result.custom_dropped:
            self.stdout.write(f"dropped: {', '.join(result.custom_dropped)}")
