"""The lists' files in the base directory, one folder per list in its domain's Lists/ folder:

    Domains/<domain>/Lists/<name>.list/list.settings     the list's settings, Owner included
    Domains/<domain>/Lists/<name>.list/list.subscribers  {address = {mode; timeSubscribed; posts; RealName};}

(the Main Domain's are in Accounts/Lists/, beside its Settings/). Changes mark the domain in the
exporter's outbox (kind "lists", key the domain id) inside their own transaction; export_domain_lists()
rewrites every list folder of the domain from the database (whole files, only when their content
changed) and removes the folders of lists that are gone (renamed, removed, or removed with their
owner), so one drain coalesces any number of changes."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import connection, transaction

from basedir import outbox, paths
from basedir.atomic import write_file_atomic
from basedir.files import remove_path
from basedir.models import ExportedDomain, ExportOutbox
from cgadmin.celery import send_task
from cgadmin.oncommit import run_once_after_commit
from lists.models import MailingList
from lists.render import LIST_SUFFIX, LISTS_FOLDER, list_folder, render_list

OUTBOX_KIND = "lists"
DRAIN_BATCH = 500
_NS_DOMAIN = 0x43474544  # the exporter's domain lock (basedir.export): a domain folder being moved waits for us

logger = logging.getLogger(__name__)


def mark_domain_lists_dirty(domain_id: int) -> None:
    """The domain's list folders must be rewritten (call inside the change's transaction)."""
    outbox.mark_dirty(OUTBOX_KIND, domain_id)
    run_once_after_commit("lists.export_lists", _drain_after_commit)


def _drain_after_commit() -> None:
    try:
        send_task("lists.tasks.export_lists")
    except Exception:  # the broker being down must not fail a committed change: the sweep catches up
        logger.warning("could not queue the lists export; the sweep will write it", exc_info=True)


def _lock_domain(domain_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s))", [_NS_DOMAIN, str(domain_id)])


def domain_folder_on_disk(domain_id: int) -> Path | None:
    """Where the domain's folder is now (the exporter's record), None before its first export."""
    state = ExportedDomain.objects.filter(pk=domain_id).first()
    return paths.base() / state.path if state is not None else None


def export_domain_lists(domain_id: int) -> bool:
    """Write the domain's list folders and remove those of lists that are gone; False when the
    domain folder is not written yet (the rows stay for the next drain). Idempotent."""
    with transaction.atomic():
        _lock_domain(domain_id)
        folder = domain_folder_on_disk(domain_id)
        if folder is None:
            from domains.models import Domain

            return not Domain.objects.filter(pk=domain_id).exists()  # a removed domain took its folder along
        lists = list(MailingList.objects.filter(domain_id=domain_id).select_related("owner"))
        wanted = set()
        for mailing_list in lists:
            target = list_folder(folder, mailing_list.name)
            wanted.add(target.name)
            for name, data in render_list(mailing_list, mailing_list.owner.name).items():
                write_file_atomic(target / name, data)
        top = folder / LISTS_FOLDER
        if top.is_dir():
            for leftover in top.iterdir():
                if leftover.name.endswith(LIST_SUFFIX) and leftover.name not in wanted:
                    remove_path(leftover)
    return True


def export_all() -> int:
    """Every domain's list folders (backup checks, tests); the domains written."""
    from domains.models import Domain

    return sum(1 for domain_id in Domain.objects.values_list("pk", flat=True) if export_domain_lists(domain_id))


def drain_outbox(limit: int = DRAIN_BATCH) -> int:
    """Export every domain the outbox names and delete the rows written; the domains exported."""
    rows = list(ExportOutbox.objects.filter(kind=OUTBOX_KIND).order_by("id").values_list("id", "key")[:limit])
    newest: dict[str, int] = {}
    for row_id, key in rows:
        newest[key] = row_id
    done = 0
    for key, row_id in newest.items():
        if export_domain_lists(int(key)):
            ExportOutbox.objects.filter(kind=OUTBOX_KIND, key=key, id__lte=row_id).delete()
            done += 1
    return done
