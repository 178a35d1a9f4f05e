"""Celery tasks of the accounts app: thin wrappers over the services."""

from celery import shared_task

from accounts.services import account_import_run


@shared_task(acks_late=True)
def run_account_import(job_id: int) -> int:
    """Run (or resume) a CSV import of accounts; the number of accounts it has created."""
    return account_import_run(job_id=job_id).created_count
