"""CLI verbs of the queue (spec/cli.md, Server section): queue info, release, reject."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cli.registry import SERVER, Call, verb
from mailqueue import selectors, services


@verb("GetMessageQueueInfo module:str QUEUE queue:str", rights="Monitor", section=SERVER)
def get_message_queue_info(call: Call, module: str, queue: str) -> Value:
    """A module queue's size: {nTotal; size; delayedTill; lastError} ({} when it is unknown)."""
    return selectors.queue_info(call.actor, module=module, name=queue)


@verb("ReleaseSMTPQueue queue:str", rights="Monitor + CanReleaseQueues", section=SERVER)
def release_smtp_queue(call: Call, queue: str) -> None:
    """Retry the messages waiting for this host now."""
    services.queue_release(actor=call.actor, queue=queue)


@verb("RejectQueueMessage message_id:num [REPORT report:str] [NONDN]", rights="Monitor + CanRejectQueues",
      section=SERVER)
def reject_queue_message(call: Call, message_id: int, report: str | None, nondn: bool) -> None:
    """Reject a queued message, with a non-delivery report to a local sender unless NONDN."""
    services.message_reject(actor=call.actor, message_id=message_id, report=report, notify=not nondn)


@verb("RejectQueueMessages SENDER sender:str [REPORT report:str] [NONDN]", rights="Monitor + CanRejectQueues",
      section=SERVER)
def reject_queue_messages(call: Call, sender: str, report: str | None, nondn: bool) -> None:
    """Reject every queued message of one sender (reports as RejectQueueMessage)."""
    services.messages_reject_by_sender(actor=call.actor, sender=sender, report=report, notify=not nondn)
