"""Celery tasks of the reporting workflow: thin wrappers around plain functions.

Every task may run twice (acks_late, the outbox sweep); the functions they
call make the second run a no-op.
"""
from datetime import date

from celery import shared_task

from programmes import handlers, reminders, webhooks


@shared_task(acks_late=True)
def process_outbox_message(message_id):
    """Carry out what an outbox message asks for, at most once."""
    return handlers.process_outbox_message(message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox(older_than=None):
    """Queue again outbox messages and webhook deliveries that were missed (beat: every minute)."""
    return handlers.sweep_outbox(older_than=older_than)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id):
    """One attempt at a webhook delivery; retried with exponential back-off until it ends."""
    delay = webhooks.attempt_delivery(int(delivery_id))
    while delay is not None and self.request.is_eager:
        # Run in-process (the demo, unit tests) there is no queue to wait in, and an
        # eager retry would raise instead of running: try again at once.
        delay = webhooks.attempt_delivery(int(delivery_id), early_ok=True)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(acks_late=True, ignore_result=True)
def send_reminders(today=None):
    """Deadline reminders and the weekly digest (beat: daily). ``today``: ISO date, for tests."""
    return reminders.run_daily(date.fromisoformat(today) if today else None)
