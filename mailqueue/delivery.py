"""Delivering queued messages: claim a batch, route each waiting recipient, append the local
copies (the mailbox protocol of mailstore), then settle every message in one transaction."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Mailbox
from accounts.usage import add_storage
from basedir import nofollow, outbox, paths
from domains.selectors import account_foldering
from lists.postings import record_posting
from logs import serverlog, stats
from mailqueue import limits, mailstore, queuefile, quota_notices, rulerun, trailer
from mailqueue.bulk import bulk_set, bulk_set_rows
from mailqueue.mailstore import Append, MailboxBusy, Recorded
from mailqueue.models import MailQueue, QueuedMessage, QueueRecipient
from mailqueue.reports import build_report, materialize, save_reports
from mailqueue.routing import (
    BUSY_RETRY_SECONDS,
    REPORT_NONE,
    Decision,
    Deliver,
    Duplicate,
    Expand,
    Fail,
    Router,
    Wait,
)

BATCH_SIZE = 250
MAX_EXPANSION_DEPTH = 10  # forwarders and groups nested deeper than this fail (a loop guard besides)
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
            QueuedMessage.objects.filter(id__anyof=ids).update(claimed_until=now + timedelta(seconds=lease_seconds()))
    if not ids:
        return []
    return list(QueuedMessage.objects.filter(id__anyof=ids).defer("content").order_by("id"))


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
    addresses: set[str] = field(default_factory=set)  # every recipient of the message, lower case
    next_position: int = 0  # for recipients a forwarder or group adds
    rules: rulerun.RuleState = field(default_factory=rulerun.RuleState)  # what Automated Rules decided


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
    journaled: set[int] = set()
    addresses: dict[int, set[str]] = defaultdict(set)
    positions: dict[int, int] = defaultdict(int)
    for row in QueueRecipient.objects.filter(message_id__anyof=ids).order_by("message_id", "position"):
        if row.kind == QueueRecipient.JOURNAL:
            journaled.add(row.message_id)
        else:
            addresses[row.message_id].add(row.address.lower())
            positions[row.message_id] = max(positions[row.message_id], row.position + 1)
        if row.state in (W, A):
            pending[row.message_id].append(row)
    works = [Work(message, pending.get(message.pk, []), addresses=addresses[message.pk],
                  next_position=positions[message.pk]) for message in messages]
    router.preload((row.address for work in works for row in work.pending),
                   senders=(work.message.sender for work in works if not work.message.is_report))
    recover: set[int] = set()
    to_journal: list[tuple[Work, set[int]]] = []
    for work in works:
        accounts = _route_work(work, router, now, recover)
        if work.message.pk not in journaled and any(
                isinstance(work.decisions.get(row.pk), Deliver) for row in work.pending
                if row.kind == QueueRecipient.REGULAR):
            to_journal.append((work, accounts))
    if to_journal:
        _add_journal_copies(to_journal, router)
    targets: dict[int, tuple[Mailbox, list[Append]]] = {}
    notes: dict[int, str] = {}
    for work in works:
        body = trailer.delivered_body(router, work.message, work.body) if work.body is not None else None
        for row in work.pending:
            decision = work.decisions.get(row.pk)
            if isinstance(decision, Deliver) and body is not None:
                entry = targets.setdefault(decision.mailbox.pk, (decision.mailbox, []))
                entry[1].append(Append(row.pk, work.message.pk, body, work.message.sender,
                                       work.message.received))
                notes[row.pk] = decision.note
    outcome = append_all(router, targets, recover)
    _log_deliveries(works, outcome, notes)
    settle(works, outcome, router)
    quota_notices.send_notices(router, works, outcome.delivered)


def _route_work(work: Work, router: Router, now, recover: set[int]) -> set[int]:
    """Decide where each due recipient's copy goes; the accounts that get one."""
    due = [row for row in work.pending if row.state == A or row.next_attempt <= now]
    if not due:
        return set()
    try:
        work.body = queuefile.read_message(work.message.pk)
    except (FileNotFoundError, ValueError, nofollow.SymlinkRefused) as error:  # a link there is never read
        serverlog.log("QUEUE", serverlog.CRASHES, f"message {work.message.pk}: the Queue file is unreadable: {error}")
        for row in due:
            work.decisions[row.pk] = Fail("the message's Queue file is missing or damaged", report=REPORT_NONE)
        return set()
    size = 0 if limits.is_quota_notice(work.message) else work.message.size
    refused = limits.outgoing_decision(router, work.message) or rulerun.server_decision(
        router, work.rules, work.message, work.body, due)
    accounts: dict[int, str] = {}
    depth: dict[int, int] = {}
    todo = deque(due)
    while todo:
        row = todo.popleft()
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
            decision = refused or router.route(row.address, size=size, sender=work.message.sender)
            if isinstance(decision, Expand) and row.state == W:
                decision = _expand(work, row, decision, router, depth, todo)
        if isinstance(decision, Deliver):
            first = accounts.get(decision.account.pk)
            if first is not None:
                decision = Duplicate(f"the same account as {first}")
            elif row.kind == QueueRecipient.REGULAR and (wait := limits.incoming_wait(router, decision.account, now)):
                decision = wait
            else:
                accounts[decision.account.pk] = row.address
                if row.kind == QueueRecipient.REGULAR:
                    decision = rulerun.account_decision(router, work.rules, work.message, work.body, [
                        other.address for other in work.pending if other.kind == QueueRecipient.REGULAR], row, decision)
        work.decisions[row.pk] = decision
    return set(accounts)


def _expand(work: Work, row: QueueRecipient, decision: Expand, router: Router, depth: dict[int, int],
            todo: deque[QueueRecipient]) -> Decision:
    """A forwarder's or group's addresses become recipients of the message (those it has not yet),
    routed in this pass; the row itself is done. Recipients and row change in one transaction, so
    a crash neither loses the expansion nor makes it twice."""
    level = depth.get(row.pk, 0) + 1
    if level > MAX_EXPANSION_DEPTH:
        return Fail(f"forwarders and groups nested more than {MAX_EXPANSION_DEPTH} deep")
    new: list[str] = []
    for address in decision.addresses:
        if address.lower() not in work.addresses:
            work.addresses.add(address.lower())
            new.append(address)
    skipped = len(decision.addresses) - len(new)
    reason = decision.reason + (f" ({skipped} already recipient(s) of the message)" if skipped else "")
    children = [QueueRecipient(message_id=work.message.pk, address=address, position=work.next_position + index)
                for index, address in enumerate(new)]
    now = timezone.now()
    with transaction.atomic():
        QueueRecipient.objects.bulk_create(children)
        done = QueueRecipient.objects.filter(pk=row.pk, state=W).update(state=D, reason=reason, done_at=now)
        if decision.posting is not None and done:
            record_posting(decision.posting.list_id, decision.posting.subscriber_id, held=decision.posting.held)
    row.state, row.reason, row.done_at = D, reason, now
    work.next_position += len(children)
    serverlog.log("DELIVERY", serverlog.MAJOR, f"message {work.message.pk}: {row.address} {reason}")
    if children:
        router.preload(new)
        work.pending.extend(children)
        for child in children:
            depth[child.pk] = level
            todo.append(child)
    return Duplicate(reason)


def _add_journal_copies(works: list[tuple[Work, set[int]]], router: Router) -> None:
    """The JournalAccount gets one copy of each locally delivered message (never a second one: one
    journal row a message, under a unique constraint), the rows of a whole batch made at once."""
    journal = router.journal_account()
    if journal is None:
        return
    wanted = {work.message.pk: work for work, accounts in works if journal.pk not in accounts}
    if not wanted:
        return
    QueueRecipient.objects.bulk_create(
        [QueueRecipient(message_id=message_id, kind=QueueRecipient.JOURNAL, address=journal.address,
                        position=1_000_000) for message_id in wanted],
        ignore_conflicts=True,  # another worker's pass made it first: that one is used
    )
    for row in QueueRecipient.objects.filter(message_id__anyof=list(wanted), kind=QueueRecipient.JOURNAL, state=W):
        work = wanted[row.message_id]
        decision = router.local(journal, size=work.message.size)
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
            fresh_path = paths.mailbox_path(fresh, account_foldering(fresh.account))
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
        for mailbox in Mailbox.objects.select_related("account__domain").filter(pk__anyof=missing):
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
        stale = list(QueueRecipient.objects.select_for_update().filter(state=A, mailbox_id__anyof=list(opened))
                     .only("id", "mailbox_id", "append_offset", "append_length", "append_token"))
        mine = [append.recipient_id for mailbox_id in opened for append in targets.get(mailbox_id, (None, []))[1]]
        states = dict(QueueRecipient.objects.select_for_update().filter(id__anyof=mine).values_list("id", "state"))
        settled: list[QueueRecipient] = []
        recovered: dict[int, int] = defaultdict(int)  # bytes a crashed pass wrote and never counted
        for mailbox_id, box in opened.items():
            rows = [row for row in stale if row.mailbox_id == mailbox_id]
            if not rows:
                continue
            complete, incomplete = box.recover(
                [Recorded(row.pk, row.append_offset, row.append_length, row.append_token) for row in rows]
            )
            address = mailboxes[mailbox_id].account.address
            recovered[mailboxes[mailbox_id].account_id] += sum(row.append_length or 0 for row in rows
                                                               if row.pk in complete)
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
            add_storage(recovered)
        recorded: list[tuple] = []
        for mailbox_id, box in opened.items():
            appends = [append for append in targets.get(mailbox_id, (None, []))[1]
                       if states.get(append.recipient_id) == W]
            if not appends:
                continue
            planned[mailbox_id] = box.plan(appends)
            recorded.extend((item.append.recipient_id, A, mailbox_id, item.offset, item.length, item.token)
                            for item in planned[mailbox_id])
        bulk_set_rows(QueueRecipient, ["state", "mailbox", "append_offset", "append_length", "append_token"],
                      recorded)
    return planned


def _write_appends(
    opened: dict[int, mailstore.OpenMailbox], mailboxes: dict[int, Mailbox],
    planned: dict[int, list[mailstore.Planned]], outcome: AppendOutcome,
) -> None:
    """Write and fsync each mailbox's appends, then mark those recipients delivered."""
    done: list[tuple] = []
    again: list[tuple] = []
    grew: dict[int, int] = defaultdict(int)  # bytes appended to each account's mailboxes
    now = timezone.now()

    errors = write_grouped(opened, planned)
    for mailbox_id, items in planned.items():
        error = errors.get(mailbox_id)
        complete: list[int]
        incomplete: list[int]
        if error is None:
            complete, incomplete = [item.append.recipient_id for item in items], []
        else:  # disk full, I/O error: keep what made it (it is on disk: see write_grouped), the rest waits
            serverlog.log("DELIVERY", serverlog.PROBLEMS, f"mailbox {mailboxes[mailbox_id]}: write failed: {error}")
            box = opened[mailbox_id]
            complete, incomplete = box.recover(
                [Recorded(item.append.recipient_id, item.offset, item.length, item.token) for item in items])
            if complete:  # what made it is delivered: on disk before it counts as such
                try:
                    box.sync()
                    box.sync_published()
                except OSError as sync_error:
                    serverlog.log("DELIVERY", serverlog.PROBLEMS, f"mailbox {mailboxes[mailbox_id]}: "
                                                                  f"sync failed: {sync_error}")
        address = mailboxes[mailbox_id].account.address
        for recipient_id in incomplete:
            outcome.deferred[recipient_id] = f"cannot write the mailbox: {error}"
            again.append((recipient_id, W, None, None, ""))
        if complete:
            written = set(complete)
            grew[mailboxes[mailbox_id].account_id] += sum(item.length or 0 for item in items
                                                         if item.append.recipient_id in written)
        for recipient_id in complete:
            outcome.delivered[recipient_id] = address
            done.append((recipient_id, D, now, address, ""))
    with transaction.atomic():
        bulk_set_rows(QueueRecipient, ["state", "done_at", "delivered_to", "reason"], done)
        bulk_set_rows(QueueRecipient, ["state", "append_offset", "append_length", "append_token"], again)
        # storage_used (the Accounts list's column) and account.info's #StorageUsed follow the mailboxes
        # that grew, in the transaction that says the messages are delivered
        add_storage(grew)
        outbox.mark_many_dirty(outbox.ACCOUNT, sorted(grew))


def write_grouped(
    opened: dict[int, mailstore.OpenMailbox], planned: dict[int, list[mailstore.Planned]]
) -> dict[int, OSError]:
    """Write every mailbox's appends, then flush the file system once for all of them (and once
    more for MailDir's renames into new/): two flushes a pass instead of a sync a mailbox or a
    message. The mailboxes whose write failed, with the error; whatever of theirs is in place was
    flushed with the rest, so their recover() tells truly what is on disk."""
    errors: dict[int, OSError] = {}

    def each(step, mailbox_ids) -> list[int]:
        worked = []
        for mailbox_id in mailbox_ids:
            try:
                if step(mailbox_id) is not False:
                    worked.append(mailbox_id)
            except OSError as error:
                errors[mailbox_id] = error
        return worked

    def flush(mailbox_ids: list[int], one) -> None:
        try:
            queuefile.sync_devices([opened[mailbox_id].path.parent for mailbox_id in mailbox_ids])
        except OSError:  # the flush of the whole file system failed: each mailbox on its own says which
            each(one, mailbox_ids)

    files = sum(len(items) if isinstance(opened[mailbox_id], mailstore.MailDirMailbox) else 1
                for mailbox_id, items in planned.items())
    if files < queuefile.GROUP_SYNC_FILES:  # a few files: their own syncs are quicker (see queuefile)
        each(lambda mailbox_id: opened[mailbox_id].write(planned[mailbox_id]), list(planned))
        return errors
    maildirs = {mailbox_id: box for mailbox_id in planned
                if isinstance(box := opened[mailbox_id], mailstore.MailDirMailbox)}
    together: list[int] = []
    if maildirs:  # every MailDir message of the pass created side by side (queuefile.write_files)
        try:
            queuefile.write_files([file for mailbox_id, box in maildirs.items()
                                   for file in box.tmp_files(planned[mailbox_id])])
            together = list(maildirs)
        except OSError:
            pass  # each mailbox again on its own below, to learn which one failed
    written = together + each(lambda mailbox_id: opened[mailbox_id].write_data(planned[mailbox_id]),
                              [mailbox_id for mailbox_id in planned if mailbox_id not in together])
    flush(written, lambda mailbox_id: opened[mailbox_id].sync())
    written = [mailbox_id for mailbox_id in written if mailbox_id not in errors]
    renamed = each(lambda mailbox_id: opened[mailbox_id].publish(planned[mailbox_id]), written)
    if renamed:
        flush(renamed, lambda mailbox_id: opened[mailbox_id].sync_published())
    return errors


def _log_deliveries(works: list[Work], outcome: AppendOutcome, notes: dict[int, str]) -> None:
    journaled = 0
    records: list[tuple[str, int, str]] = []
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
            records.append(("DELIVERY", serverlog.MAJOR, f"message {work.message.pk}: {what}"))
    serverlog.log_many(records)
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
    rewrites: list[tuple[int, str, list[queuefile.EnvelopeLine], bytes]] = field(default_factory=list)


def settle(works: list[Work], outcome: AppendOutcome, router: Router) -> None:
    """Apply each recipient's outcome, finish messages nobody waits for, rewrite the others' envelope."""
    now = timezone.now()
    result = Settled()
    with transaction.atomic():
        ids = [work.message.pk for work in works]
        messages = {message.pk: message for message in QueuedMessage.objects.select_for_update()
                    .filter(id__anyof=ids).defer("content").order_by("id")}
        rows: dict[int, list[QueueRecipient]] = defaultdict(list)
        for row in QueueRecipient.objects.filter(message_id__anyof=ids).order_by("message_id", "position"):
            rows[row.message_id].append(row)
        changed: list[QueueRecipient] = []
        touched_queues: dict[tuple[str, str], str] = {}
        built: list[tuple[QueuedMessage, str]] = []
        for work in works:
            message = messages.get(work.message.pk)
            if message is None or message.state != QueuedMessage.QUEUED:
                continue
            failures = _apply(work, rows[message.pk], outcome, now, changed, touched_queues, result)
            result.reports.extend(rulerun.queue_sends(router, work.rules, message, work.body, rows[message.pk]))
            if failures:
                report = build_report(router, message, failures, work.body or b"")
                if report is not None:
                    built.append(report)
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
        result.reports.extend(save_reports(built))
        queuefile.write_queue_files(result.rewrites)  # the envelopes of messages that still wait
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
        result.rewrites.append((message.pk, message.sender, envelope(rows), work.body))


def envelope(rows: list[QueueRecipient]) -> list[queuefile.EnvelopeLine]:
    return [queuefile.EnvelopeLine(row.state, row.address, row.reason) for row in rows]


def after_settling(result: Settled) -> None:
    """What follows the commit: Queue files of finished messages go, reports are written, logs."""
    queuefile.remove_queue_files(result.finished)
    serverlog.log_many(result.records)
    for name, amount in result.counters.items():
        stats.count(name, amount)
    if result.finished:
        stats.count("mail.messages.done", len(result.finished))
    if result.reports:
        materialize(result.reports)
        stats.count("mail.reports", len(result.reports))
