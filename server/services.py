"""Changes to the server itself: the first start, the General page, network data."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from basedir import outbox
from cgadmin.celery import send_task
from cgadmin.dataformat import Value, value_list
from cgadmin.errors import CGError
from cgadmin.settings_change import SettingsChange, apply_change
from domains.selectors import main_domain, main_domain_or_none
from domains.settings_schema import USING_DNS
from logs.audit import audit
from logs.events import Event
from logs.selectors import log_config_publish_after_commit
from realms import rights as R
from realms.permissions import require_server_right
from server import documents, osinfo
from server.selectors import server_pid
from server.settings_schema import MAIN

if TYPE_CHECKING:
    from accounts.models import Account

DOMAIN_NAME = "DomainName"
POSTMASTER = "postmaster"
# The documents of the Settings/ files every base directory has (spec/basedir.md), written on the
# first start even while they hold no explicit value yet.
SERVER_FILE_DOCUMENTS = (documents.MAIN, documents.DOMAIN_DEFAULTS, documents.ACCOUNT_PREFS, documents.STRINGS,
                         documents.LOG)
PASSWORD_ENCRYPTION = "PasswordEncryption"
POSTMASTER_ENCRYPTION = "A-crpt"  # recoverable, so APOP (the vendor clients' default login) works


@dataclass(frozen=True)
class FirstStart:
    postmaster: Account
    password: str
    password_generated: bool


def main_domain_name_from_host(host: str) -> str:
    """A usable Main Domain Name from the OS host name (the seed: change it if it looks odd)."""
    text = host.strip().rstrip(".").lower()
    text = re.sub(r"[^a-z0-9.-]", "-", text)
    labels = [label.strip("-")[:63] for label in text.split(".") if label.strip("-")]
    return ".".join(labels) or "localhost"


@transaction.atomic
def server_initialize(*, host_name: str, postmaster_password: str | None = None) -> FirstStart | None:
    """The first start: the Main Domain named after the host, and postmaster with the Master right
    and the Basic Interface Type. Nothing happens when the server was initialized before."""
    from accounts.services import WEBADMIN_PREFS, account_create
    from domains.services import domain_create

    if main_domain_or_none() is not None:
        return None
    domain = domain_create(actor=None, name=main_domain_name_from_host(host_name), is_main=True)
    password = postmaster_password or secrets.token_urlsafe(12)
    # A-crpt, as a CommuniGate first start keeps postmaster's password: the vendor's CLI clients log
    # in with APOP and never fall back, and APOP needs the password recoverable. Other accounts
    # keep the one-way default; an administrator may change postmaster's PasswordEncryption.
    postmaster = account_create(
        actor=None, domain=domain, name=POSTMASTER, password=password, rights=[R.MASTER],
        settings={WEBADMIN_PREFS: {"InterfaceType": "Basic"}, PASSWORD_ENCRYPTION: POSTMASTER_ENCRYPTION},
    )
    audit(actor=None, event=Event.SERVER_INITIALIZE, object_type="server", object_name=domain.name,
          domain_name=domain.name, after={DOMAIN_NAME: domain.name, "Postmaster": postmaster.address})
    outbox.mark_many_dirty(outbox.SERVER, SERVER_FILE_DOCUMENTS)  # every Settings/ file `basedir check` expects
    return FirstStart(postmaster, password, password_generated=postmaster_password is None)


@transaction.atomic
def server_settings_update(*, actor: Account | None, updates: Mapping[str, Value]) -> SettingsChange:
    """Change the General page's settings; a new Main Domain Name renames the Main Domain."""
    from domains.services import main_domain_rename

    require_server_right(actor, R.SETTINGS)
    values = dict(updates)
    new_name = None
    for key in list(values):
        if key.lower() == DOMAIN_NAME.lower():
            new_name = values.pop(key)
    if new_name is not None and not isinstance(new_name, str):
        raise CGError("DomainName: must be a string", field=DOMAIN_NAME)

    def save(settings: dict[str, Value]) -> None:
        documents.write(documents.MAIN, settings)
        outbox.mark_dirty(outbox.SERVER, documents.MAIN)
        log_config_publish_after_commit()  # Main carries the Server Internals Log level (LogLevel)

    change = apply_change(
        actor=actor, catalogue=MAIN, current=documents.read(documents.MAIN), updates=values, replace=False,
        authorize=lambda name, right: None, save=save, event=Event.SERVER_SETTINGS, object_type="server",
        object_name="General",
    )
    if new_name is not None:
        old_name = main_domain().name
        if main_domain_rename(actor=actor, new_name=new_name).name != old_name:
            outbox.mark_dirty(outbox.SERVER, documents.MAIN)  # Main.settings carries the DomainName
    return change


def server_record_start(*, parameters: list[str], pid: int, details: Mapping[str, Value] | None = None) -> None:
    """Note the running server's start time and startup parameters (and what they set) for the General page."""
    documents.write(
        documents.RUNTIME,
        {**dict(details or {}), "StartedAt": timezone.now().replace(microsecond=0, tzinfo=None),
         "StartupParameters": value_list(parameters), "PID": pid},
    )


@transaction.atomic
def network_refresh_request(*, actor: Account | None) -> None:
    """The General page's Refresh button: re-read addresses and DNS in a worker."""
    require_server_right(actor, R.SETTINGS)
    audit(actor=actor, event=Event.NETWORK_REFRESH, object_type="server", object_name="Network")
    transaction.on_commit(lambda: send_task("server.tasks.refresh_network"))


def network_refresh() -> dict[str, Value]:
    """Re-read local IP and DNS server addresses from the OS, and DNS-assigned domain addresses."""
    from domains.models import Domain
    from server.dns import domain_addresses

    by_dns: dict[str, Value] = {}
    for domain in Domain.objects.only("name", "settings"):
        if domain.settings.get("IPAddresses") == USING_DNS:
            by_dns[domain.name] = value_list(domain_addresses(domain.ascii_name))
    data: dict[str, Value] = {
        "LocalIPs": value_list(osinfo.runtime_local_ip_addresses(documents.read(documents.RUNTIME))),
        "DNSServers": value_list(osinfo.dns_servers()),
        "DomainIPs": by_dns,
        "RefreshedAt": datetime.now().replace(microsecond=0),
    }
    documents.write(documents.NETWORK, data)
    return data


@transaction.atomic
def server_strings_update(*, actor: Account | None, updates: Mapping[str, Value]) -> dict[str, Value]:
    """Customise Server Strings (the Strings page, SetServerStrings); a value of `default` restores one."""
    from server import strings

    require_server_right(actor, R.SETTINGS)
    if not isinstance(updates, Mapping):
        raise CGError("SetServerStrings needs a dictionary {Keyword = \"text\"; ...}")
    before = documents.read(documents.STRINGS)
    after = strings.strings_after(before, updates)
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    if changed:
        documents.write(documents.STRINGS, after)
        audit(actor=actor, event=Event.SERVER_STRINGS, object_type="server", object_name="Strings",
              before={key: before.get(key, "default") for key in changed},
              after={key: after.get(key, "default") for key in changed})
        outbox.mark_dirty(outbox.SERVER, documents.STRINGS)
        transaction.on_commit(strings.forget)
    return after



def _signal_server(signum: int) -> None:
    import os

    from logs import serverlog

    pid = server_pid()
    if pid is None:
        serverlog.log("SYSTEM", serverlog.PROBLEMS, "no running server found in ProcessID to signal")
        return
    os.kill(pid, signum)


@transaction.atomic
def server_shutdown(*, actor: Account | None) -> None:
    """Stop the server as SIGTERM does (the CLI's SHUTDOWN): listeners close, work in flight ends."""
    import signal

    require_server_right(actor, R.MASTER)
    audit(actor=actor, event=Event.SERVER_SHUTDOWN, object_type="server", object_name="Server",
          after={"PID": server_pid() or ""})
    transaction.on_commit(lambda: _signal_server(signal.SIGTERM))


def server_record_privilege(*, state: str, user: str) -> None:
    """Note the running server's root privilege state for the General page (cgserver calls it)."""
    with transaction.atomic():
        runtime = documents.read(documents.RUNTIME)
        runtime.update({"RootPrivilege": state, "RunAs": user})
        documents.write(documents.RUNTIME, runtime)


@transaction.atomic
def server_root_privilege_set(*, actor: Account | None, drop: bool) -> None:
    """The General page's Drop Root / Restore Root: ask the running server to change its user reversibly."""
    import signal
    from pathlib import Path

    from django.conf import settings

    from cgadmin.errors import GeneralError
    from server import privilege

    require_server_right(actor, R.SETTINGS)
    runtime = documents.read(documents.RUNTIME)
    state = str(runtime.get("RootPrivilege") or "")
    if server_pid() is None:
        raise GeneralError("no server is running on this base directory")
    if drop and state != privilege.ROOT:
        raise GeneralError(f"the server cannot drop the root privilege: it is {state or 'not running as root'}")
    if not drop and state != privilege.DROPPED:
        raise GeneralError(f"the server cannot restore the root privilege: it is {state or 'not running'}")
    if drop:
        try:
            identity = privilege.unprivileged_identity()
        except GeneralError as error:
            raise GeneralError(f"the root privilege stays: {error.message}") from None
        problem = privilege.obstacle(identity, Path(settings.CGATE_BASE))
        if problem is not None:
            raise GeneralError(f"the root privilege stays: {problem}")
    runtime["RootPrivilegeRequest"] = "drop" if drop else "restore"
    documents.write(documents.RUNTIME, runtime)
    audit(actor=actor, event=Event.SERVER_ROOT, object_type="server", object_name="RootPrivilege",
          before={"RootPrivilege": state}, after={"RootPrivilege": "drop requested" if drop else "restore requested"})
    transaction.on_commit(lambda: _signal_server(signal.SIGUSR1))
