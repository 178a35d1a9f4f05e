"""manage.py backup: the base directory, whole or one part, into a tar.gz archive (a thin wrapper)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cgadmin.errors import CGError

HELP_KINDS = """what to back up:
  all                     the whole base directory (ProcessID and cgadmin's own state left out)
  settings                Settings/ (module and kernel settings)
  logs                    SystemLogs/ (the Server Log)
  directory               Directory/ (Central Directory files)
  domain NAME             a domain's folder (Accounts/ for the Main Domain)
  account ADDRESS         an account's folder
  mailbox ADDRESS NAME    one mailbox of an account
  files ADDRESS           an account's File Storage"""


class Command(BaseCommand):
    help = "Back up the base directory, whole or by parts, into a tar.gz archive (seed: Backup and Recovery)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        parser.epilog = HELP_KINDS
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["all", "settings", "logs", "directory", "domain", "account", "mailbox",
                                             "files"])
        parser.add_argument("name", nargs="?", default="", help="the domain or account address")
        parser.add_argument("mailbox", nargs="?", default="", help="the mailbox name (mailbox backups)")
        parser.add_argument("-o", "--output", help="the archive to write (default: backup-<what>-<time>.tar.gz)")
        parser.add_argument("--suspend-domain", action="store_true",
                            help="suspend the domain while it is copied, then resume it (the seed's advice)")
        parser.add_argument("--pause-account", action="store_true",
                            help="disable the account's Enabled Services while it is copied, then restore them")
        parser.add_argument("--kill-sessions", action="store_true",
                            help="end the account's sessions before copying (KillAccountSessions)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: object, **options: object) -> None:
        from basedir.services import backup_create
        from realms.access import access_account, access_domain

        kind, name, mailbox = str(options["kind"]), str(options["name"]), str(options["mailbox"])
        try:
            domain = account = None
            if kind == "domain":
                if not name:
                    raise CommandError("name the domain: manage.py backup domain NAME")
                domain = access_domain(None, name)
            elif kind in ("account", "mailbox", "files"):
                if not name:
                    raise CommandError(f"name the account: manage.py backup {kind} ADDRESS")
                if kind == "mailbox" and not mailbox:
                    raise CommandError("name the mailbox: manage.py backup mailbox ADDRESS MAILBOX")
                account = access_account(None, name)
            output = Path(str(options["output"] or default_name(kind, name, mailbox)))
            result = backup_create(
                actor=None, output=output, kind=kind, domain=domain, account=account, mailbox=mailbox,
                suspend_domain=bool(options["suspend_domain"]), pause_account=bool(options["pause_account"]),
                kill_sessions=bool(options["kill_sessions"]), progress=not options["no_progress"],
            )
        except CGError as error:
            raise CommandError(error.message)
        self.stdout.write(f"{result.what}: {result.files} file(s), {result.bytes} bytes in {result.archive}")


def default_name(kind: str, name: str, mailbox: str) -> str:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    what = "-".join(part for part in (kind, name, mailbox) if part)
    return f"backup-{re.sub(r'[^A-Za-z0-9@._-]+', '_', what)}-{stamp}.tar.gz"
