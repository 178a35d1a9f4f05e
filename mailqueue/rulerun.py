"""Automated Rules in the queue (mailrules.rules says what a rule is).

- Server-wide rules run once a message, when it is first routed (no recipient tried yet), as
  CommuniGate's Enqueuer does: Discard and Reject with end every recipient's copy; Redirect to,
  Forward to and Reply with send their messages.
- At local delivery the domain's rules, then the account's own, run on the copy for that account:
  Store in puts it in that mailbox (created when missing) instead of INBOX, Discard drops it,
  Reject with fails it with a report to any sender, Redirect/Forward/Reply send messages, Stop
  Processing ends the rules. The account's RulesAllowed skips the actions it does not allow.
- What a rule sends is queued in the transaction that settles the copy (or, for server rules, the
  message's first routing), so a copy that waits and is routed again never sends twice.
- Reply with answers at most once a day a sender (the account's RepliedAddresses data set), never
  an empty, automatic (Auto-Submitted), bulk, list or junk sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from email.header import Header
from email.utils import format_datetime

from django.utils import timezone

from accounts.models import Account, Mailbox
from cgadmin.errors import CGError
from logs import serverlog
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.routing import REPORT_ANY, REPORT_NONE, Decision, Deliver, Fail, Router
from mailrules import rules as R
from mailrules.models import REPLIED_ADDRESSES, RepliedAddress

SERVER_KEY = 0  # the sends of the server rules, kept apart from each recipient's
MAX_RESENT = 10  # a message redirected this many times is not redirected again (a loop)
REPLY_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class Send:
    action: str
    parameter: str
    rule: str
    account: Account | None  # whose rule (None: a server rule)


@dataclass
class RuleState:
    """What the rules of one message decided in this pass."""

    message: R.Message | None = None
    sends: dict[int, list[Send]] = field(default_factory=dict)  # recipient id (SERVER_KEY) -> messages to send


def _message(state: RuleState, message: QueuedMessage, body: bytes, recipients: list[str]) -> R.Message:
    if state.message is None:
        state.message = R.Message.parse(body, message.sender, recipients, message.size)
    return state.message


def _log(message: QueuedMessage, text: str) -> None:
    serverlog.log("DELIVERY", serverlog.MAJOR, f"message {message.pk}: {text}")


def server_decision(router: Router, state: RuleState, message: QueuedMessage, body: bytes | None,
                    due: list[QueueRecipient]) -> Decision | None:
    """Run the server-wide rules on a message routed for the first time: a Fail for every copy when
    a rule discards or rejects it, else None (what the rules send is kept in `state`)."""
    rules = router.document(R.SERVER_DOCUMENTS[R.MAIL]).get(R.RULES)
    if not rules or body is None or message.is_report or any(row.attempts for row in due):
        return None
    recipients = [row.address for row in due if row.kind == QueueRecipient.REGULAR]
    seen = _message(state, message, body, recipients)
    if _sent_by_server_rules(seen):
        return None  # what a server rule sent never meets the server rules again (no loop)
    outcome = R.run([rules], seen)
    if not outcome.applied:
        return None
    _log(message, f"server rules applied: {', '.join(outcome.applied)}")
    state.sends[SERVER_KEY] = [Send(action, parameter, rule, None) for action, parameter, rule in outcome.sends]
    if outcome.reject is not None:
        return Fail(f"rejected by a server rule: {outcome.reject}", report=REPORT_ANY)
    if outcome.discard:
        return Fail("discarded by a server rule", report=REPORT_NONE, counter="mail.discarded")
    return None


def _sent_by_server_rules(seen: R.Message) -> bool:
    return seen.sender.lower().startswith("mailer-daemon@") or any(
        "mailer-daemon@" in value.lower() for value in seen.headers.get("resent-from", []))


def account_decision(router: Router, state: RuleState, message: QueuedMessage, body: bytes | None,
                     recipients: list[str], row: QueueRecipient, decision: Deliver) -> Decision:
    """Run the domain's and the account's rules on the copy for this account."""
    account = decision.account
    domain_rules = (account.domain.settings or {}).get(R.RULES)
    account_rules = (account.settings or {}).get(R.RULES)
    if (not domain_rules and not account_rules) or body is None:
        return decision
    outcome = R.run([domain_rules or []], _message(state, message, body, recipients))
    if not outcome.stopped and account_rules:
        allowed = R.allowed_actions(router.account_values(account).get("RulesAllowed"))
        outcome = R.run([account_rules], _message(state, message, body, recipients),
                        allowed=allowed, outcome=outcome)
    if not outcome.applied:
        return decision
    applied = ", ".join(outcome.applied)
    skipped = f" (not done: {', '.join(outcome.skipped)})" if outcome.skipped else ""
    _log(message, f"{row.address}: rules applied: {applied}{skipped}")
    state.sends[row.pk] = [Send(action, parameter, rule, account) for action, parameter, rule in outcome.sends]
    if outcome.reject is not None:
        return Fail(f"rejected by a rule: {outcome.reject}", report=REPORT_ANY)
    if outcome.store_in:
        mailbox = _mailbox(account, outcome.store_in[0])
        if mailbox is None:
            return decision
        return Deliver(account, mailbox, note=f"stored in {mailbox.name} by the rules ({applied})")
    if outcome.discard:
        return Fail(f"discarded by the rules ({applied})", report=REPORT_NONE, counter="mail.discarded")
    return decision


def _mailbox(account: Account, name: str) -> Mailbox | None:
    """The account's mailbox of that name, created when it is missing (None when it cannot be)."""
    from accounts.services import mailbox_create, normalize_mailbox_name

    try:
        key = normalize_mailbox_name(name)
        mailbox = Mailbox.objects.filter(account=account, name=key).first()
        if mailbox is None:
            mailbox = mailbox_create(actor=None, account=account, name=key)
    except CGError as error:
        serverlog.log("DELIVERY", serverlog.PROBLEMS, f"{account.address}: cannot store in {name!r}: {error}; "
                                                      f"INBOX instead")
        return None
    mailbox.account = account
    return mailbox


# --- sending, when the copy is settled --------------------------------------------------------------


def _header(text: str) -> str:
    return text if text.isascii() else Header(text, "utf-8").encode()


def _new_message(router: Router, sender: str, recipients: list[str], content: bytes, subject: str,
                 message_id: str) -> tuple[QueuedMessage, list[str]]:
    return QueuedMessage(state=QueuedMessage.RECEIVING, sender=sender, content=content, size=len(content),
                         subject=subject[:255], message_id=message_id), recipients


def _headers(lines: list[str], body: bytes) -> bytes:
    return "\n".join([*lines, "", ""]).encode("utf-8") + body


def _built(router: Router, send: Send, message: QueuedMessage, seen: R.Message, body: bytes,
           replied: set[tuple[int, str]]) -> tuple[QueuedMessage, list[str]] | None:
    main = router.main.name if router.main is not None else "localhost"
    now = timezone.now()
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    owner = send.account.address if send.account is not None else f"MAILER-DAEMON@{main}"
    if send.action in (R.REDIRECT, R.MIRROR, R.FORWARD):
        targets = R.split_addresses(send.parameter)
        if not targets:
            return None
        if send.action == R.FORWARD:
            subject = f"Fwd: {seen.subject}"
            content = _headers([f"From: <{owner}>", f"To: {', '.join(f'<{t}>' for t in targets)}",
                                f"Subject: {_header(subject)}", f"Date: {format_datetime(now)}",
                                f"Message-ID: <rule.{message.pk}.{stamp}@{main}>", "MIME-Version: 1.0",
                                "Content-Type: message/rfc822"], body)
            return _new_message(router, owner, targets, content, subject, f"<rule.{message.pk}.{stamp}@{main}>")
        if len(seen.headers.get("resent-from", [])) >= MAX_RESENT:
            _log(message, f"not redirected again to {send.parameter}: redirected {MAX_RESENT} times already (a loop)")
            return None
        content = f"Resent-From: <{owner}>\nResent-Date: {format_datetime(now)}\n".encode() + body
        return _new_message(router, message.sender, targets, content, seen.subject, message.message_id)
    # Reply with / Reply to All with: to a human sender, once a day
    if send.account is None or not seen.human_generated():
        return None
    sender = seen.sender.lower()
    key = (send.account.pk, sender)
    if key in replied or RepliedAddress.objects.filter(
            account=send.account, subset=REPLIED_ADDRESSES, address=sender, replied_at__gt=now - REPLY_EVERY).exists():
        return None
    replied.add(key)
    targets = [seen.sender]
    if send.action == R.REPLY_ALL:
        targets += [address for address in seen.addresses("To", "Cc")
                    if address.lower() not in (sender, send.account.address.lower())]
    subject = seen.subject if seen.subject.lower().startswith("re:") else f"Re: {seen.subject}"
    original_id = (seen.field("Message-ID") or [""])[0]
    lines = [f"From: <{owner}>", f"To: {', '.join(f'<{t}>' for t in targets)}", f"Subject: {_header(subject)}",
             f"Date: {format_datetime(now)}", f"Message-ID: <reply.{message.pk}.{stamp}@{main}>",
             *([f"In-Reply-To: {original_id}"] if original_id else []), "Auto-Submitted: auto-replied",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    text = send.parameter.replace("\r\n", "\n")
    return _new_message(router, "", targets, _headers(lines, text.encode("utf-8") + b"\n"), subject,
                        f"<reply.{message.pk}.{stamp}@{main}>")


def queue_sends(router: Router, state: RuleState, message: QueuedMessage, body: bytes | None,
                rows: list[QueueRecipient]) -> list[int]:
    """Queue (in the caller's settling transaction) what the rules of the settled copies send; the
    new messages' ids, to be written out after the commit (mailqueue.reports.materialize)."""
    if not state.sends or body is None or state.message is None:
        return []
    final = {row.pk for row in rows if row.state in (QueueRecipient.DELIVERED, QueueRecipient.FAILED)}
    built: list[tuple[QueuedMessage, list[str]]] = []
    replied: set[tuple[int, str]] = set()
    now = timezone.now()
    for key, sends in state.sends.items():
        if key != SERVER_KEY and key not in final:
            continue  # the copy waits: its rules run again when it is routed again
        for send in sends:
            made = _built(router, send, message, state.message, body, replied)
            if made is not None:
                built.append(made)
                _log(message, f"rule {send.rule!r}: {send.action} {', '.join(made[1])}")
    state.sends.clear()
    if not built:
        return []
    rows_made = QueuedMessage.objects.bulk_create([row for row, _targets in built])
    QueueRecipient.objects.bulk_create([
        QueueRecipient(message=row, position=position, address=address)
        for row, (_row, targets) in zip(rows_made, built, strict=True) for position, address in enumerate(targets)])
    for account_id, address in replied:
        RepliedAddress.objects.update_or_create(account_id=account_id, subset=REPLIED_ADDRESSES, address=address,
                                                defaults={"replied_at": now})
    return [row.pk for row in rows_made]
