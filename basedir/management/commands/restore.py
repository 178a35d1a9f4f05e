"""manage.py restore: put objects back from a backup archive, the seed's way (a thin wrapper)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cgadmin.errors import CGError, UnknownAccount


class Command(BaseCommand):
    help = ("Restore from a backup archive, one object at a time (seed: Backup and Recovery). "
            "Queue/, Submitted/, BadFiles/ and ProcessID are never restored.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the tar.gz archive written by manage.py backup (or any tar of the base "
                                            "directory's paths)")
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("list", help="what the archive holds and how each part is restored")
        account = verbs.add_parser("account", help="an Account's files, into the existing Account, then "
                                                   "ClearAccountCache")
        account.add_argument("address")
        account.add_argument("--from", dest="source", help="the account's address in the archive (default: the same)")
        mailbox = verbs.add_parser("mailbox", help="a Mailbox, as a copy under a new name (default) or --over one")
        mailbox.add_argument("address")
        mailbox.add_argument("mailbox")
        mailbox.add_argument("--as", dest="new_name", help='the new name (default: "<mailbox> (restored)")')
        mailbox.add_argument("--over", action="store_true",
                             help="replace the existing mailbox of that name (same type; non-mail mailboxes)")
        mailbox.add_argument("--from", dest="source", help="the account's address in the archive")
        files = verbs.add_parser("files", help="files into the account's File Storage (others stay)")
        files.add_argument("address")
        files.add_argument("--from", dest="source", help="the account's address in the archive")
        domain = verbs.add_parser("domain", help="a Domain with its settings and accounts (server stopped)")
        domain.add_argument("name")
        domain.add_argument("--as", dest="new_name", help="restore under another domain name")
        settings = verbs.add_parser("settings", help="Settings/ files, reloaded into the database (server stopped)")
        settings.add_argument("files", nargs="*", help="only these files (Main.settings, Log.settings, ...)")
        logs = verbs.add_parser("logs", help="SystemLogs/ files (server running)")
        logs.add_argument("files", nargs="*", help="only these files")
        logs.add_argument("--as", dest="new_name", help="restore one file under another name")
        directory = verbs.add_parser("directory", help="Directory/ files (server stopped)")
        directory.add_argument("files", nargs="*", help="only these files (paths inside Directory/)")
        everything = verbs.add_parser("all", help="every object of a whole-directory archive (server stopped)")
        everything.add_argument("--skip-unrestorable", action="store_true",
                                help="leave out Queue/, Submitted/, BadFiles/ and ProcessID instead of refusing")

    def handle(self, *args: object, **options: object) -> None:
        from basedir import services

        archive = Path(str(options["archive"]))
        verb = options["verb"]
        try:
            if verb == "list":
                for what, how in services.archive_contents(actor=None, archive_path=archive):
                    self.stdout.write(f"{what}: {how}")
                return
            if verb == "account":
                result = services.restore_account(actor=None, archive_path=archive, account=_account(options),
                                                  source=_text(options, "source"))
            elif verb == "mailbox":
                result = services.restore_mailbox(
                    actor=None, archive_path=archive, account=_account(options), mailbox=str(options["mailbox"]),
                    new_name=_text(options, "new_name"), over=bool(options["over"]), source=_text(options, "source"))
            elif verb == "files":
                result = services.restore_files(actor=None, archive_path=archive, account=_account(options),
                                                source=_text(options, "source"))
            elif verb == "domain":
                result = services.restore_domain(actor=None, archive_path=archive, name=str(options["name"]),
                                                 new_name=_text(options, "new_name"))
            elif verb == "settings":
                result = services.restore_settings(actor=None, archive_path=archive, files=_names(options, "files"))
            elif verb == "logs":
                result = services.restore_logs(actor=None, archive_path=archive, files=_names(options, "files"),
                                               new_name=_text(options, "new_name"))
            elif verb == "directory":
                result = services.restore_directory(actor=None, archive_path=archive, files=_names(options, "files"))
            else:
                result = services.restore_all(actor=None, archive_path=archive,
                                              skip_unrestorable=bool(options["skip_unrestorable"]))
        except CGError as error:
            raise CommandError(error.message)
        self.stdout.write(f"restored {result.what}: {result.files} file(s)")
        for note in result.notes:
            self.stdout.write(f"  {note}")


def _text(options: dict[str, object], key: str) -> str | None:
    """An optional text argument (None when not given)."""
    value = options[key]
    return None if value is None else str(value)


def _names(options: dict[str, object], key: str) -> list[str]:
    """The names given for a `nargs="*"` argument."""
    value = options[key]
    return [str(name) for name in value] if isinstance(value, list | tuple) else []


def _account(options: dict):
    from realms.access import access_account

    address = str(options["address"])
    try:
        return access_account(None, address)
    except UnknownAccount:
        raise UnknownAccount(f"unknown account {address!r}: an Account is restored only into an existing Account; "
                             "create it first (WebAdmin or the CLI's CreateAccount), then restore into it") from None
