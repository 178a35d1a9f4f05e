"""The sending and receiving account's own limits, applied by the queue (issue 22 item 2).

- MaxMailOutSize: a message larger than its local sender may send fails for every recipient, with a
  report to the sender.
- MailOutFlow (n messages per period): a local sender's message is refused, for every recipient and
  with a report, when the account had already submitted n messages in the period before it (counted
  by the time each was received; messages refused for this limit do not count), as CommuniGate
  refuses a submission beyond the flow.
- MailInpFlow (n messages per period): an account that got n messages in the last period gets no
  more for now: the next ones wait in its LOCAL queue and go as the period moves on.

Each limit costs nothing while it is unlimited (the catalogue's default): the sender's settings come
from the pass's preloaded lookups, and the counting queries are made only for a limited account."""

from __future__ import annotations

from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from accounts.models import Account
from cgadmin.catalogue import InvalidInput, parse_flow, parse_size
from cgadmin.dataformat import Value
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.routing import LOCAL, Decision, Fail, Router, Wait

OUT_FLOW_TAG = "(MailOutFlow)"
MIN_FLOW_RETRY_SECONDS = 30


def _flow(value: Value) -> tuple[int | None, int]:
    try:
        return parse_flow(value)
    except InvalidInput:
        return None, 1


def _size(value: Value) -> int | None:
    try:
        return parse_size(value)
    except InvalidInput:
        return None


def sending_account(router: Router, message: QueuedMessage) -> Account | None:
    """The local account a message comes from (its envelope sender), if any; never for a report."""
    if message.is_report or not message.sender:
        return None
    local, domain_name = router.split(message.sender)
    domain = router.domain(domain_name) if domain_name else None
    return router.account(domain, local) if domain is not None else None


def outgoing_decision(router: Router, message: QueuedMessage) -> Decision | None:
    """Fail for every recipient when the sending account's MaxMailOutSize or MailOutFlow refuses the
    message; None when it may go (or does not come from a local account)."""
    account = sending_account(router, message)
    if account is None:
        return None
    values = router.account_values(account)
    largest = _size(values.get("MaxMailOutSize"))
    if largest is not None and message.size > largest:
        return Fail(f"the message is larger than {account.address} may send ({largest} bytes, MaxMailOutSize)")
    count, period = _flow(values.get("MailOutFlow"))
    if count is not None and _sent_before(message, account, period) >= count:
        return Fail(f"{account.address} sent {count} messages in the last {period} seconds already {OUT_FLOW_TAG}")
    return None


def _sent_before(message: QueuedMessage, account: Account, period: int) -> int:
    """Messages of the account received in the period before this one (those refused for the flow
    left out), whatever became of them."""
    earlier = QueuedMessage.objects.filter(
        sender__iexact=account.address, is_report=False, id__lt=message.pk,
        received__gte=message.received - timedelta(seconds=period), received__lte=message.received,
    )
    refused = QueueRecipient.objects.filter(message_id__in=earlier.values("id"), reason__endswith=OUT_FLOW_TAG)
    return earlier.exclude(id__in=refused.values("message_id")).count()


class IncomingFlows:
    """MailInpFlow over one delivery pass: what each limited account got in its period, counted
    once, plus what this pass has given it so far."""

    def __init__(self, router: Router, now: datetime) -> None:
        self.router, self.now = router, now
        self._room: dict[int, int | None] = {}

    def check(self, account: Account) -> Wait | None:
        """A wait when the account has had its MailInpFlow; else None, and one more is counted."""
        count, period = _flow(self.router.account_values(account).get("MailInpFlow"))
        if count is None:
            return None
        if account.pk not in self._room:
            got = QueueRecipient.objects.filter(
                state=QueueRecipient.DELIVERED, kind=QueueRecipient.REGULAR, delivered_to__iexact=account.address,
                done_at__gte=self.now - timedelta(seconds=period)).count()
            self._room[account.pk] = count - got
        room = self._room[account.pk] or 0
        if room <= 0:
            seconds = max(MIN_FLOW_RETRY_SECONDS, period // max(count, 1))
            return Wait(LOCAL, account.address, f"{account.address} got {count} messages in the last {period} "
                                                f"seconds (MailInpFlow)", seconds)
        self._room[account.pk] = room - 1
        return None


_PASSES: WeakKeyDictionary[Router, IncomingFlows] = WeakKeyDictionary()


def incoming_wait(router: Router, account: Account, now: datetime) -> Wait | None:
    """IncomingFlows.check within the delivery pass this router serves."""
    flows = _PASSES.get(router)
    if flows is None:
        flows = _PASSES[router] = IncomingFlows(router, now)
    return flows.check(account)


QUOTA_NOTICE_ID = "<quota."


def is_quota_notice(message: QueuedMessage) -> bool:
    """A QuotaNotice / QuotaAlert message (mailqueue.quota_notices): it reaches its account whatever
    the account's size limits, since it is about them."""
    return message.is_report and not message.sender and message.message_id.startswith(QUOTA_NOTICE_ID)
