"""What happens after a report event: the work of ``process_outbox_message``.

Each step is idempotent, so a message processed twice (a worker killed
mid-task, a sweep racing a slow worker) has its effect once:

- recomputing results rewrites the same rows;
- an e-mail is sent only if its ``SentNotification`` row could be inserted;
- a webhook delivery is created once per (subscription, event id).

A step that fails leaves the message unprocessed (with ``last_error``), while
the steps that succeeded keep their proof of work; the sweep queues the
message again and only the missing work is done.
"""
import logging

from django.db import transaction
from django.utils import timezone

from programmes import events, notifications, webhooks
from programmes.models import OutboxMessage

logger = logging.getLogger(__name__)


def _recompute(message):
    from indicators.services import recompute_results
    from provinces.models import AdministrativeUnit

    payload = message.payload
    unit = AdministrativeUnit.objects.get(pk=payload["unit_id"])
    recompute_results(unit, payload["year"], payload["quarter"])


HANDLERS = {
    events.REPORT_APPROVED: [_recompute, notifications.notify_event, webhooks.create_deliveries],
    events.REPORT_REOPENED: [_recompute, notifications.notify_event, webhooks.create_deliveries],
    events.REPORT_SUBMITTED: [notifications.notify_event, webhooks.create_deliveries],
    events.REPORT_RETURNED: [notifications.notify_event, webhooks.create_deliveries],
}


def _run(handler, message):
    """Run one handler in a savepoint; return the problems it met (empty if none).

    A handler that raises has all its writes undone. A handler may also return
    a list of problems for work it could only partly do (some e-mails sent,
    one failed): what it wrote stands, and the message is tried again.
    """
    name = getattr(handler, "__name__", repr(handler))
    try:
        with transaction.atomic():
            problems = handler(message) or []
    except Exception as error:  # noqa: BLE001 - one handler's failure must not stop the others
        logger.exception("outbox message %s: %s failed", message.pk, name)
        return [f"{name}: {error}"]
    return [f"{name}: {problem}" for problem in problems]


def process_outbox_message(message_id):
    """Do the work of one outbox message unless it is done or being done elsewhere.

    Returns ``"done"``, ``"skipped"`` (already processed, or locked by a
    concurrent worker) or ``"incomplete"`` (some step failed; see ``last_error``).
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, processed_at__isnull=True)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        problems = []
        for handler in HANDLERS.get(message.topic, []):
            problems.extend(_run(handler, message))
        if problems:
            message.last_error = "\n".join(problems)[:2000]
            message.save(update_fields=["attempts", "last_error"])
        else:
            message.processed_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "processed_at", "last_error"])
    if problems:
        logger.warning("outbox message %s incomplete: %s", message_id, message.last_error)
        return "incomplete"
    return "done"
