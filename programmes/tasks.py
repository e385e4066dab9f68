"""Celery tasks of the reporting workflow: thin wrappers around services."""
from celery import shared_task

from programmes import handlers


@shared_task(acks_late=True)
def process_outbox_message(message_id):
    """Carry out what an outbox message asks for, at most once."""
    return handlers.process_outbox_message(message_id)
