"""What happens after a report event: the work of ``process_outbox_message``.

Each step is idempotent, so a message processed twice (a worker killed
mid-task, a sweep racing a slow worker) has its effect once.
"""
import logging

from django.db import transaction
from django.utils import timezone

from programmes import events
from programmes.models import OutboxMessage

logger = logging.getLogger(__name__)


def _recompute(message):
    from indicators.services import recompute_results
    from provinces.models import AdministrativeUnit

    payload = message.payload
    unit = AdministrativeUnit.objects.get(pk=payload["unit_id"])
    recompute_results(unit, payload["year"], payload["quarter"])


HANDLERS = {
    events.REPORT_APPROVED: [_recompute],
    events.REPORT_REOPENED: [_recompute],
    events.REPORT_SUBMITTED: [],
    events.REPORT_RETURNED: [],
}


def process_outbox_message(message_id):
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, processed_at__isnull=True)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        for handler in HANDLERS.get(message.topic, []):
            handler(message)
        message.processed_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "processed_at", "last_error"])
    return "done"
