"""Celery tasks of the queue: thin wrappers; the queue's state is in the database, so a lost task
only delays work (the runner's sweep kicks again), and a task run twice does nothing twice."""

from celery import shared_task

from cgadmin import context


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    """Deliver what is due, until nothing is left (or the time slice ends)."""
    from mailqueue import queuefile
    from mailqueue.delivery import deliver_due as run

    # A pass's removals overlap the next pass (see queuefile.Remover); all are done when the task ends.
    with queuefile.background_removal(), context.calling_from(context.SYSTEM):
        return run()


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> None:
    """Finish what crashes left half done (the runner does this too)."""
    from mailqueue.sweep import sweep as run

    with context.calling_from(context.SYSTEM):
        run()

