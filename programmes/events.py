"""Report events: recorded in the outbox with the change, handed to Celery after commit.

``record_event`` is called by ``programmes.services`` inside the transaction
that changes the report, so the event exists if and only if the change does.
After commit it is queued; if the broker cannot be reached the user's action
still succeeds, the failure is logged and ``sweep_outbox`` queues it later.
"""
import logging

from django.db import transaction
from django.utils import timezone

from programmes.models import OutboxMessage

logger = logging.getLogger(__name__)

REPORT_SUBMITTED = "report.submitted"
REPORT_RETURNED = "report.returned"
REPORT_APPROVED = "report.approved"
REPORT_REOPENED = "report.reopened"
TOPICS = (REPORT_SUBMITTED, REPORT_RETURNED, REPORT_APPROVED, REPORT_REOPENED)


def record_event(topic, report, *, actor=None, **extra):
    payload = {
        "report_id": report.pk,
        "unit": report.unit.slug,
        "unit_id": report.unit_id,
        "year": report.year,
        "quarter": report.quarter,
        "status": report.status,
        "version": report.version,
        "actor_id": getattr(actor, "pk", None),
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id):
    """Queue the outbox message's processing; never raise into the caller."""
    from programmes.tasks import process_outbox_message

    try:
        process_outbox_message.delay(str(message_id))
    except Exception as error:  # noqa: BLE001 - any broker failure: the sweep retries
        logger.warning("outbox message %s not queued (%s); the sweep will retry", message_id, error)
        OutboxMessage.objects.filter(pk=message_id).update(last_error=str(error)[:2000])
        return False
    OutboxMessage.objects.filter(pk=message_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True
