"""What the queue records when a mailing list takes a posting (mailqueue.delivery, in the same
transaction as the expansion): the list's and the poster's counts, or one moderated posting used."""

from __future__ import annotations

from django.db.models import F

from lists.models import MailingList, Subscriber


def record_posting(list_id: int, subscriber_id: int | None, *, held: bool) -> None:
    """A distributed posting counts for the list and its poster; a held one uses up one of the
    poster's N moderated postings (SetPostingMode N)."""
    if held:
        if subscriber_id is not None:
            Subscriber.objects.filter(pk=subscriber_id, moderated_left__gt=0).update(
                moderated_left=F("moderated_left") - 1)
        return
    MailingList.objects.filter(pk=list_id).update(posts=F("posts") + 1)
    if subscriber_id is not None:
        Subscriber.objects.filter(pk=subscriber_id).update(posts=F("posts") + 1)
