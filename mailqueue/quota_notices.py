"""QuotaNotice and QuotaAlert: a message to the account when its mail storage crosses the share of
its quota (MaxAccountSize) that the setting names (issue 22 item 2).

The delivery that takes the account's storage from below the share to or above it sends one
notice (one alert, when it crosses the QuotaAlert share; the higher one wins when a message crosses
both); storage that stays above sends nothing more, and storage that falls below (the user deleted
mail) and crosses again sends one again. No state is kept: the crossing is seen from the storage
after the pass and the bytes the pass appended. Nothing is looked up for accounts without a quota."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from email.utils import format_datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Mailbox
from basedir import paths
from cgadmin.catalogue import InvalidInput, parse_size
from cgadmin.dataformat import Value
from mailqueue import mailstore
from mailqueue.limits import QUOTA_NOTICE_ID
from mailqueue.models import QueuedMessage
from mailqueue.reports import materialize, save_reports
from mailqueue.routing import Deliver, Router

NOTICE, ALERT = "QuotaNotice", "QuotaAlert"
SUBJECTS = {NOTICE: "Mail storage notice", ALERT: "Mail storage alert"}


def share(value: Value) -> int | None:
    """A QuotaNotice / QuotaAlert percentage (`90%`, `90`); None when unset or not a percentage."""
    text = str(value).strip().rstrip("%") if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() and 0 < int(text) <= 100 else None


def _quota(value: Value) -> int | None:
    try:
        return parse_size(value)
    except InvalidInput:
        return None


def appended_by_account(works: Iterable, delivered: dict[int, str]) -> dict[int, tuple[Account, int]]:
    """The accounts that got mail in this pass (reports aside) and the bytes appended to each."""
    got: dict[int, tuple[Account, int]] = {}
    for work in works:
        if work.message.is_report:
            continue
        for row in work.pending:
            decision = work.decisions.get(row.pk)
            if isinstance(decision, Deliver) and row.pk in delivered:
                account, total = got.get(decision.account.pk, (decision.account, 0))
                got[decision.account.pk] = (account, total + work.message.size)
    return got


def crossed(values: dict[str, Value], before: int, after: int) -> tuple[str, int, int] | None:
    """(which setting, its share, the quota) when storage went from below a share to it or above."""
    quota = _quota(values.get("MaxAccountSize"))
    if not quota:
        return None
    for name in (ALERT, NOTICE):
        level = share(values.get(name))
        if level is not None and before * 100 < quota * level <= after * 100:
            return name, level, quota
    return None


def notice_text(*, main_domain: str, address: str, name: str, used: int, quota: int, notice_id: str) -> bytes:
    percent = used * 100 // quota
    lines = [
        f"From: Mail Delivery System <MAILER-DAEMON@{main_domain}>",
        f"To: <{address}>",
        f"Subject: {SUBJECTS[name]}: {percent}% of your mail storage is used",
        f"Date: {format_datetime(timezone.now())}",
        f"Message-ID: <{notice_id}@{main_domain}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Auto-Submitted: auto-generated",
        "",
        f"Your account {address} uses {used} of its {quota} bytes of mail storage ({percent}%).",
        "Delete mail you no longer need: when the storage is full, new mail is rejected or held.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def send_notices(router: Router, works: Iterable, delivered: dict[int, str]) -> list[int]:
    """Queue the notices and alerts this pass's deliveries call for; their message ids."""
    candidates = {pk: item for pk, item in appended_by_account(works, delivered).items()
                  if _quota(router.account_values(item[0]).get("MaxAccountSize"))}
    if not candidates or router.main is None:
        return []
    used: dict[int, int] = defaultdict(int)
    for mailbox in Mailbox.objects.filter(account_id__in=list(candidates)):
        account = candidates[mailbox.account_id][0]
        mailbox.account = account
        used[account.pk] += mailstore.storage_used(paths.mailbox_path(mailbox, router.foldering(account.domain)))
    built: list[tuple[QueuedMessage, str]] = []
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for pk, (account, appended) in candidates.items():
        found = crossed(router.account_values(account), used[pk] - appended, used[pk])
        if found is None:
            continue
        name, _level, quota = found
        notice_id = f"{QUOTA_NOTICE_ID[1:]}{pk}.{stamp}"
        content = notice_text(main_domain=router.main.name, address=account.address, name=name, used=used[pk],
                              quota=quota, notice_id=notice_id)
        built.append((QueuedMessage(state=QueuedMessage.RECEIVING, sender="", is_report=True, content=content,
                                    size=len(content), subject=f"{SUBJECTS[name]} ({name})"[:255],
                                    message_id=f"<{notice_id}@{router.main.name}>"), account.address))
    if not built:
        return []
    with transaction.atomic():
        ids = save_reports(built)
    materialize(ids)
    return ids
