"""What happens after a report event: the work of ``process_outbox_message``.

Every approval, on the report page, through the API or by an import, goes
through the same steps: the results are recomputed (by the receivers of the
results layer, ``subscribe``), the people concerned are e-mailed and the
integrators' webhooks called. An import's one outbox message stands for one
event per report (``report_events``).

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
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from programmes import events, notifications, webhooks
from programmes.models import OutboxMessage, WebhookDelivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportEvent:
    """One report's event, as the handlers see it (an outbox message, or one report of an import's)."""

    pk: uuid.UUID
    topic: str
    payload: dict
    created_at: datetime


def report_events(message):
    """The report events an outbox message stands for."""
    if message.topic != events.REPORTS_IMPORTED:
        return [ReportEvent(message.pk, message.topic, message.payload, message.created_at)]
    found = []
    for topic, key in ((events.REPORT_APPROVED, "approved"), (events.REPORT_VALUES_IMPORTED, "updated")):
        for payload in message.payload.get(key, []):
            payload = {**payload, "results_computed": message.payload.get("results_computed", False)}
            # Stable per report, so that a message processed twice sends nothing twice.
            event_id = uuid.uuid5(message.pk, f"{topic}:{payload['report_id']}")
            found.append(ReportEvent(event_id, topic, payload, message.created_at))
    return found


# Receivers of other layers (the results' recomputation): ``handler(report events)``.
_subscribers = []


def subscribe(handler):
    """Have ``handler`` called with the report events of every message, before e-mails and webhooks."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def _notify(report_events):
    problems = []
    for event in report_events:
        problems.extend(notifications.notify_event(event) or [])
    return problems


def _call_webhooks(report_events):
    for event in report_events:
        webhooks.create_deliveries(event)


def handlers():
    return [*_subscribers, _notify, _call_webhooks]


def _run(handler, message, report_events):
    """Run one handler in a savepoint; return the problems it met (empty if none).

    A handler that raises has all its writes undone. A handler may also return
    a list of problems for work it could only partly do (some e-mails sent,
    one failed): what it wrote stands, and the message is tried again.
    """
    name = getattr(handler, "__name__", repr(handler))
    try:
        with transaction.atomic():
            problems = handler(report_events) or []
    except Exception as error:
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
        found = report_events(message)
        for handler in handlers():
            problems.extend(_run(handler, message, found))
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


def sweep_outbox(*, older_than=None, inline=False, limit=500):
    """Hand over again the work that was missed; returns what was found.

    Outbox messages still unprocessed ``older_than`` seconds (default
    ``OUTBOX_SWEEP_AFTER_SECONDS``) after they were recorded and last queued
    (longer for a message that failed several times, see ``retry_delay``),
    and webhook deliveries whose next attempt is that overdue, are queued
    again, or with ``inline`` processed right here (for operators when no
    worker runs). Processing is idempotent, so a message that a slow worker
    still holds is not done twice.
    """
    older_than = settings.OUTBOX_SWEEP_AFTER_SECONDS if older_than is None else older_than
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    message_ids = list(
        OutboxMessage.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        .annotate(due=F("dispatched_at") + events.retry_delay(older_than))
        .filter(Q(dispatched_at__isnull=True) | Q(due__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    summary = {"messages": len(message_ids), "deliveries": 0, "queued": 0, "done": 0, "incomplete": 0}
    for message_id in message_ids:
        if inline:
            outcome = process_outbox_message(message_id)
            if outcome in ("done", "incomplete"):
                summary[outcome] += 1
        else:
            summary["queued"] += events.dispatch(message_id)

    delivery_ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    summary["deliveries"] = len(delivery_ids)
    for delivery_id in delivery_ids:
        # Due from now: the next sweeps leave it alone while this attempt waits in the queue.
        WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
        if inline:
            webhooks.attempt_delivery(delivery_id)
        else:
            summary["queued"] += events.queue(events.DELIVER_TASK, delivery_id)[0]
    if message_ids or delivery_ids:
        logger.info("outbox sweep: %s", summary)
    return summary
