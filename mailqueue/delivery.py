"""Delivering queued messages: claim a batch, route each waiting recipient, append the local
copies (the mailbox protocol of mailstore), then settle every message in one transaction."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Mailbox
from basedir import paths
from logs import serverlog, stats
from mailqueue import mailstore, queuefile, reports
from mailqueue.bulk import bulk_set
from mailqueue.mailstore import Append, MailboxBusy, Recorded
from mailqueue.models import MailQueue, QueuedMessage, QueueRecipient
from mailqueue.routing import (
    BUSY_RETRY_SECONDS,
    REPORT_ANY,
    REPORT_NONE,
    Decision,
    Deliver,
    Duplicate,
    Fail,
    Router,
    Wait,
)

BATCH_SIZE = 250
W, A, D, F = QueueRecipient.WAITING, QueueRecipient.APPENDING, QueueRecipient.DELIVERED, QueueRecipient.FAILED


def batch_size() -> int:
    """Messages one delivery pass claims (MAILQUEUE_BATCH_SIZE): larger passes share more lookups."""
    return int(getattr(settings, "MAILQUEUE_BATCH_SIZE", BATCH_SIZE))


def lease_seconds() -> int:
    return int(getattr(settings, "MAILQUEUE_LEASE_SECONDS", 60))


# --- claiming ------------------------------------------------------------------------------------

def claim(limit: int | None = None) -> list[QueuedMessage]:
    """Take up to limit due messages that no live worker holds, leased for lease_seconds()."""
    limit = batch_size() if limit is None else limit
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            QueuedMessage.objects.select_for_update(skip_locked=True)
            .filter(state=QueuedMessage.QUEUED, next_attempt__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            QueuedMessage.objects.filter(id__in=ids).update(claimed_until=now + timedelta(seconds=lease_seconds()))
    if not ids:
        return []
    return list(QueuedMessage.objects.filter(id__in=ids).defer("content").order_by("id"))


def deliver_due(*, limit: int | None = None, max_seconds: float = 20.0) -> int:
    """Deliver due messages, batch after batch, until none is left or max_seconds passed."""
    done = 0
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        batch = claim(limit)
        if not batch:
            break
        process(batch)
        done += len(batch)
    return done


# --- one pass --------------------------------------------------------------------------------------

@dataclass
class Work:
    message: QueuedMessage
    pending: list[QueueRecipient]
    body: bytes | None = None
    decisions: dict[int, Decision] = field(default_factory=dict)


@dataclass
class AppendOutcome:
    delivered: dict[int, str] = field(default_factory=dict)  # recipient id -> account address
    deferred: dict[int, str] = field(default_factory=dict)  # recipient id -> why it waits


def process(messages: list[QueuedMessage]) -> None:
    """Route, append and settle one claimed batch."""
    router = Router()
    now = timezone.now()
    ids = [message.pk for message in messages]
    pending: dict[int, list[QueueRecipient]] = defaultdict(list)
    for row in QueueRecipient.objects.filter(message_id__in=ids, state__in=(W, A)).order_by("message_id", "position"):
        pending[row.message_id].append(row)
    journaled = set(QueueRecipient.objects.filter(message_id__in=ids, kind=QueueRecipient.JOURNAL)
                    .values_list("message_id", flat=True))
    works = [Work(message, pending.get(message.pk, [])) for message in messages]
    recover: set[int] = set()
    for work in works:
        _route_work(work, router, now, recover, has_journal=work.message.pk in journaled)
    targets: dict[int, tuple[Mailbox, list[Append]]] = {}
    notes: dict[int, str] = {}
    for work in works:
        for row in work.pending:
            decision = work.decisions.get(row.pk)
            if isinstance(decision, Deliver) and work.body is not None:
                entry = targets.setdefault(decision.mailbox.pk, (decision.mailbox, []))
                entry[1].append(Append(row.pk, work.message.pk, work.body, work.message.sender,
                                       work.message.received))
                notes[row.pk] = decision.note
    outcome = append_all(router, targets, recover)
    _log_deliveries(works, outcome, notes)
    settle(works, outcome, router)


def _route_work(work: Work, router: Router, now, recover: set[int], *, has_journal: bool) -> None:
    due = [row for row in work.pending if row.state == A or row.next_attempt <= now]
    if not due:
        return
    try:
        work.body = queuefile.read_message(work.message.pk)
    except (FileNotFoundError, ValueError) as error:
        serverlog.log("QUEUE", serverlog.CRASHES, f"message {work.message.pk}: the Queue file is unreadable: {error}")
        for row in due:
            work.decisions[row.pk] = Fail("the message's Queue file is missing or damaged", report=REPORT_NONE)
        return
    size = work.message.size
    accounts: dict[int, str] = {}
    for row in due:
        if row.state == A:
            if row.mailbox_id is not None:
                recover.add(row.mailbox_id)
            else:  # its mailbox was removed meanwhile: nothing to check, it waits again
                QueueRecipient.objects.filter(pk=row.pk, state=A).update(state=W)
                row.state = W
        if row.kind == QueueRecipient.JOURNAL:
            account = router.journal_account()
            decision: Decision = router.local(account, size=size) if account else Fail(
                "the JournalAccount setting names no local account", report=REPORT_NONE)
            if isinstance(decision, Fail):
                decision = Fail(decision.reason, report=REPORT_NONE)
        else:
            decision = router.route(row.address, size=size)
        if isinstance(decision, Deliver):
            first = accounts.get(decision.account.pk)
            if first is not None:
                decision = Duplicate(f"the same account as {first}")
            else:
                accounts[decision.account.pk] = row.address
        work.decisions[row.pk] = decision
    if not has_journal and any(isinstance(work.decisions.get(row.pk), Deliver) for row in due
                               if row.kind == QueueRecipient.REGULAR):
        _add_journal_copy(work, router, accounts, size)


def _add_journal_copy(work: Work, router: Router, accounts: dict[int, str], size: int) -> None:
    """The JournalAccount gets one copy of each locally delivered message (not a second one)."""
    journal = router.journal_account()
    if journal is None or journal.pk in accounts:
        return
    row, created = QueueRecipient.objects.get_or_create(
        message=work.message, kind=QueueRecipient.JOURNAL,
        defaults={"address": journal.address, "position": 1_000_000},
    )
    if not created or row.state != W:
        return
    decision = router.local(journal, size=size)
    if isinstance(decision, Fail):
        decision = Fail(decision.reason, report=REPORT_NONE)
    work.pending.append(row)
    work.decisions[row.pk] = decision


# --- appending ---------------------------------------------------------------------------------------

def open_mailbox(router: Router, mailbox: Mailbox) -> mailstore.OpenMailbox:
    """Open and lock a mailbox; a missing one is looked up again (renamed?) or created."""
    store = mailstore.store_for(mailbox.format)
    path = router.mailbox_path(mailbox)
    for _attempt in range(3):
        try:
            return store.open(path)
        except FileNotFoundError:
            fresh = Mailbox.objects.select_related("account__domain").filter(pk=mailbox.pk).first()
            if fresh is None:
                raise FileNotFoundError(f"the mailbox {mailbox} was removed")
            fresh_path = paths.mailbox_path(fresh, paths.account_foldering(fresh.account))
            if fresh_path != path:  # renamed (or re-foldered) since this pass looked: go there
                path = fresh_path
                continue
            store.create(path)
    return store.open(path)


def append_all(
    router: Router, targets: dict[int, tuple[Mailbox, list[Append]]], recover: set[int]
) -> AppendOutcome:
    """Append each mailbox's copies under its lock, settling crashed appends first."""
    outcome = AppendOutcome()
    mailboxes = {mailbox_id: mailbox for mailbox_id, (mailbox, _appends) in targets.items()}
    missing = recover - mailboxes.keys()
    if missing:
        for mailbox in Mailbox.objects.select_related("account__domain").filter(pk__in=missing):
            mailboxes[mailbox.pk] = mailbox
    if not mailboxes:
        return outcome
    opened: dict[int, mailstore.OpenMailbox] = {}
    try:
        # One global order, so two workers never wait for each other's locks in a circle.
        for mailbox_id, mailbox in sorted(mailboxes.items(), key=lambda item: str(router.mailbox_path(item[1]))):
            try:
                opened[mailbox_id] = open_mailbox(router, mailbox)
            except (MailboxBusy, OSError) as error:
                serverlog.log("DELIVERY", serverlog.PROBLEMS, f"mailbox {mailbox}: {error}")
                for append in targets.get(mailbox_id, (mailbox, []))[1]:
                    outcome.deferred[append.recipient_id] = f"cannot open the mailbox: {error}"
        if opened:
            planned = _record_appends(opened, mailboxes, targets, outcome)
            _write_appends(opened, mailboxes, planned, outcome)
    finally:
        for box in opened.values():
            box.close()
    return outcome


def _record_appends(
    opened: dict[int, mailstore.OpenMailbox], mailboxes: dict[int, Mailbox],
    targets: dict[int, tuple[Mailbox, list[Append]]], outcome: AppendOutcome,
) -> dict[int, list[mailstore.Planned]]:
    """Settle what crashed appends left, then record the new appends (committed before writing)."""
    now = timezone.now()
    planned: dict[int, list[mailstore.Planned]] = {}
    with transaction.atomic():
        stale = list(QueueRecipient.objects.select_for_update().filter(state=A, mailbox_id__in=list(opened))
                     .only("id", "mailbox_id", "append_offset", "append_length", "append_token"))
        mine = [append.recipient_id for mailbox_id in opened for append in targets.get(mailbox_id, (None, []))[1]]
        states = dict(QueueRecipient.objects.select_for_update().filter(id__in=mine).values_list("id", "state"))
        settled: list[QueueRecipient] = []
        for mailbox_id, box in opened.items():
            rows = [row for row in stale if row.mailbox_id == mailbox_id]
            if not rows:
                continue
            complete, incomplete = box.recover(
                [Recorded(row.pk, row.append_offset, row.append_length, row.append_token) for row in rows]
            )
            address = mailboxes[mailbox_id].account.address
            for row in rows:
                if row.pk in complete:
                    row.state, row.done_at, row.delivered_to, row.reason = D, now, address, ""
                    outcome.delivered[row.pk] = address
                else:
                    row.state, row.append_offset, row.append_length, row.append_token = W, None, None, ""
                states[row.pk] = row.state
                settled.append(row)
            serverlog.log("DELIVERY", serverlog.MAJOR, f"mailbox {mailboxes[mailbox_id]}: after a crash "
                          f"{len(complete)} append(s) found complete, {len(incomplete)} to be made again")
        if settled:
            bulk_set(
                settled, ["state", "done_at", "delivered_to", "reason", "append_offset", "append_length",
                          "append_token"])
        recorded: list[QueueRecipient] = []
        for mailbox_id, box in opened.items():
            appends = [append for append in targets.get(mailbox_id, (None, []))[1]
                       if states.get(append.recipient_id) == W]
            if not appends:
                continue
            planned[mailbox_id] = box.plan(appends)
            for item in planned[mailbox_id]:
                recorded.append(QueueRecipient(
                    pk=item.append.recipient_id, state=A, mailbox_id=mailbox_id, append_offset=item.offset,
                    append_length=item.length, append_token=item.token,
                ))
        if recorded:
            bulk_set(
                recorded, ["state", "mailbox_id", "append_offset", "append_length", "append_token"])
    return planned


def _write_appends(
    opened: dict[int, mailstore.OpenMailbox], mailboxes: dict[int, Mailbox],
    planned: dict[int, list[mailstore.Planned]], outcome: AppendOutcome,
) -> None:
    """Write and fsync each mailbox's appends, then mark those recipients delivered."""
    done: list[QueueRecipient] = []
    again: list[QueueRecipient] = []
    now = timezone.now()

    def write(entry: tuple[int, list[mailstore.Planned]]) -> tuple[int, list[int], list[int], OSError | None]:
        mailbox_id, items = entry
        box = opened[mailbox_id]
        try:
            box.write(items)
            return mailbox_id, [item.append.recipient_id for item in items], [], None
        except OSError as error:  # disk full, I/O error: keep what made it, the rest waits
            complete, incomplete = box.recover(
                [Recorded(item.append.recipient_id, item.offset, item.length, item.token) for item in items])
            return mailbox_id, complete, incomplete, error

    # Each mailbox is a file or folder of its own: their writes and syncs go side by side.
    for mailbox_id, complete, incomplete, error in queuefile.parallel(write, list(planned.items())):
        address = mailboxes[mailbox_id].account.address
        if error is not None:
            serverlog.log("DELIVERY", serverlog.PROBLEMS, f"mailbox {mailboxes[mailbox_id]}: write failed: {error}")
        for recipient_id in incomplete:
            outcome.deferred[recipient_id] = f"cannot write the mailbox: {error}"
            again.append(QueueRecipient(pk=recipient_id, state=W, append_offset=None, append_length=None,
                                        append_token=""))
        for recipient_id in complete:
            outcome.delivered[recipient_id] = address
            done.append(QueueRecipient(pk=recipient_id, state=D, done_at=now, delivered_to=address, reason=""))
    with transaction.atomic():
        if done:
            bulk_set(done, ["state", "done_at", "delivered_to", "reason"])
        if again:
            bulk_set(again, ["state", "append_offset", "append_length", "append_token"])


def _log_deliveries(works: list[Work], outcome: AppendOutcome, notes: dict[int, str]) -> None:
    journaled = 0
    for work in works:
        for row in work.pending:
            address = outcome.delivered.get(row.pk)
            if address is None:
                continue
            if row.kind == QueueRecipient.JOURNAL:
                journaled += 1
                what = f"journal copy to {address}"
            else:
                note = f", {notes[row.pk]}" if notes.get(row.pk) else ""
                what = f"delivered to {row.address}{note}: {address}/INBOX"
            serverlog.log("DELIVERY", serverlog.MAJOR, f"message {work.message.pk}: {what}")
    if outcome.delivered:
        stats.count("mail.delivered", len(outcome.delivered) - journaled)
    if journaled:
        stats.count("mail.journaled", journaled)


# --- settling ----------------------------------------------------------------------------------------

@dataclass
class Settled:
    finished: list[int] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    records: list[tuple[str, int, str]] = field(default_factory=list)


def settle(works: list[Work], outcome: AppendOutcome, router: Router) -> None:
    """Apply each recipient's outcome, finish messages nobody waits for, rewrite the others' envelope."""
    now = timezone.now()
    result = Settled()
    with transaction.atomic():
        ids = [work.message.pk for work in works]
        messages = {message.pk: message for message in QueuedMessage.objects.select_for_update()
                    .filter(id__in=ids).defer("content").order_by("id")}
        rows: dict[int, list[QueueRecipient]] = defaultdict(list)
        for row in QueueRecipient.objects.filter(message_id__in=ids).order_by("message_id", "position"):
            rows[row.message_id].append(row)
        changed: list[QueueRecipient] = []
        touched_queues: dict[tuple[str, str], str] = {}
        for work in works:
            message = messages.get(work.message.pk)
            if message is None or message.state != QueuedMessage.QUEUED:
                continue
            failures = _apply(work, rows[message.pk], outcome, now, changed, touched_queues, result)
            if failures:
                report = queue_report(router, message, failures, work.body or b"")
                if report is not None:
                    result.reports.append(report)
            _finish_or_wait(message, rows[message.pk], work, now, result)
        if changed:
            bulk_set(changed, ["state", "reason", "done_at", "next_attempt", "module",
                                                         "queue", "attempts"])
        bulk_set(list(messages.values()), ["state", "next_attempt", "claimed_until"])
        if touched_queues:
            MailQueue.objects.bulk_create(
                [MailQueue(module=module, name=name, last_error=reason, last_attempt=now)
                 for (module, name), reason in touched_queues.items()],
                update_conflicts=True, unique_fields=["module", "name"], update_fields=["last_error", "last_attempt"],
            )
    after_settling(result)


def _apply(
    work: Work, rows: list[QueueRecipient], outcome: AppendOutcome, now, changed: list[QueueRecipient],
    touched_queues: dict[tuple[str, str], str], result: Settled,
) -> list[tuple[str, str, str]]:
    """Set each still-waiting recipient's new state; the failures that call for a report."""
    failures: list[tuple[str, str, str]] = []
    message_id = work.message.pk
    for row in rows:
        decision = work.decisions.get(row.pk)
        if row.state != W or decision is None:
            continue
        row.attempts += 1
        if row.pk in outcome.deferred:
            row.next_attempt, row.reason = now + timedelta(seconds=BUSY_RETRY_SECONDS), outcome.deferred[row.pk]
        elif isinstance(decision, Fail):
            row.state, row.reason, row.done_at = F, decision.reason, now
            result.counters[decision.counter] += 1
            result.records.append(("QUEUE", serverlog.MAJOR, f"message {message_id}: {row.address} failed: "
                                                             f"{decision.reason}"))
            if row.kind == QueueRecipient.REGULAR and decision.report != REPORT_NONE:
                failures.append((row.address, decision.reason, decision.report))
        elif isinstance(decision, Wait):
            first = row.module != decision.module or row.queue != decision.queue
            row.next_attempt, row.reason = now + timedelta(seconds=decision.seconds), decision.reason
            row.module, row.queue = decision.module, decision.queue
            touched_queues[(decision.module, decision.queue)] = decision.reason
            level = serverlog.MAJOR if first else serverlog.LOW_LEVEL
            result.records.append(("QUEUE", level, f"message {message_id}: {row.address} waits in the "
                                                   f"{decision.module} queue {decision.queue}: {decision.reason}"))
        elif isinstance(decision, Duplicate):
            row.state, row.reason, row.done_at = D, decision.reason, now
        else:  # a Deliver whose append did not happen this time (the mailbox could not be opened)
            row.next_attempt = now + timedelta(seconds=BUSY_RETRY_SECONDS)
        changed.append(row)
    return failures


def _finish_or_wait(message: QueuedMessage, rows: list[QueueRecipient], work: Work, now, result: Settled) -> None:
    waiting = [row for row in rows if row.state in (W, A)]
    message.claimed_until = None
    if not waiting:
        message.state = QueuedMessage.DONE
        result.finished.append(message.pk)
        result.records.append(("QUEUE", serverlog.MAJOR, f"message {message.pk} removed from the queue"))
        return
    in_flight = now + timedelta(seconds=lease_seconds())
    message.next_attempt = min(row.next_attempt if row.state == W else in_flight for row in waiting)
    if work.body is not None:
        queuefile.write_queue_file(message.pk, message.sender, envelope(rows), work.body)


def envelope(rows: list[QueueRecipient]) -> list[queuefile.EnvelopeLine]:
    return [queuefile.EnvelopeLine(row.state, row.address, row.reason) for row in rows]


def after_settling(result: Settled) -> None:
    """What follows the commit: Queue files of finished messages go, reports are written, logs."""
    queuefile.remove_queue_files(result.finished)
    for tag, level, text in result.records:
        serverlog.log(tag, level, text)
    for name, amount in result.counters.items():
        stats.count(name, amount)
    if result.finished:
        stats.count("mail.messages.done", len(result.finished))
    if result.reports:
        materialize(result.reports)
        stats.count("mail.reports", len(result.reports))


# --- reports -----------------------------------------------------------------------------------------

def queue_report(
    router: Router, message: QueuedMessage, failures: list[tuple[str, str, str]], body: bytes
) -> int | None:
    """Queue a non-delivery report to the message's sender (in the caller's transaction)."""
    sender = message.sender
    if not sender or message.is_report or router.main is None:
        return None
    local = router.is_local_address(sender)
    listed = [(address, reason) for address, reason, who in failures if who == REPORT_ANY or local]
    if not listed:
        return None
    now = timezone.now()
    report_id = f"report.{message.pk}.{now.strftime('%Y%m%d%H%M%S%f')}"
    content = reports.failure_report(report_id=report_id, main_domain=router.main.name, sender=sender,
                                     failures=listed, message=body, when=now)
    row = QueuedMessage.objects.create(
        state=QueuedMessage.RECEIVING, sender="", is_report=True, content=content, size=len(content),
        subject=reports.subject_failed()[:255], message_id=f"<{report_id}@{router.main.name}>",
    )
    QueueRecipient.objects.create(message=row, position=0, address=sender)
    return row.pk


def materialize(message_ids: list[int]) -> None:
    """Write the Queue files of server-made messages (reports) and queue them."""
    for row in QueuedMessage.objects.filter(pk__in=message_ids, state=QueuedMessage.RECEIVING,
                                            content__isnull=False):
        recipients = [queuefile.EnvelopeLine(W, address) for address in
                      row.recipients.order_by("position").values_list("address", flat=True)]
        queuefile.write_queue_file(row.pk, row.sender, recipients, bytes(row.content))
        now = timezone.now()
        QueuedMessage.objects.filter(pk=row.pk, state=QueuedMessage.RECEIVING).update(
            state=QueuedMessage.QUEUED, content=None, received=now, next_attempt=now)
        serverlog.log("QUEUE", serverlog.MAJOR, f"message {row.pk}: non-delivery report to "
                                                f"{', '.join(line.address for line in recipients)} queued")
