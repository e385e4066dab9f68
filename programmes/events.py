"""Report events: recorded in the outbox with the change, handed to Celery after commit.

``record_event`` is called by ``programmes.services`` inside the transaction
that changes the report, so the event exists if and only if the change does.
After commit it is queued; if the broker cannot be reached the user's action
still succeeds, the failure is logged and ``handlers.sweep_outbox`` queues it later.
The broker settings (``CELERY_BROKER_TRANSPORT_OPTIONS``,
``CELERY_TASK_PUBLISH_RETRY_POLICY``) make that failure take milliseconds, not
seconds, when Redis refuses connections.
"""
import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import Case, DurationField, Value, When
from django.utils import timezone

from programmes.models import OutboxMessage

logger = logging.getLogger(__name__)

REPORT_SUBMITTED = "report.submitted"
REPORT_RETURNED = "report.returned"
REPORT_APPROVED = "report.approved"
REPORT_REOPENED = "report.reopened"
# Values imported into a report that was already approved (a correction by import).
REPORT_VALUES_IMPORTED = "report.values_imported"
# Maturity assessments (programmes.assessments): the same path, the same handlers.
ASSESSMENT_SUBMITTED = "assessment.submitted"
ASSESSMENT_RETURNED = "assessment.returned"
ASSESSMENT_APPROVED = "assessment.approved"
ASSESSMENT_REOPENED = "assessment.reopened"
ASSESSMENT_TOPICS = (ASSESSMENT_SUBMITTED, ASSESSMENT_RETURNED, ASSESSMENT_APPROVED, ASSESSMENT_REOPENED)
TOPICS = (
    REPORT_SUBMITTED, REPORT_RETURNED, REPORT_APPROVED, REPORT_REOPENED, REPORT_VALUES_IMPORTED,
    *ASSESSMENT_TOPICS,
)
PROCESS_TASK = "programmes.tasks.process_outbox_message"
DELIVER_TASK = "programmes.tasks.deliver_webhook"
# One outbox message for a whole import: it stands for one event per report it approved or changed.
REPORTS_IMPORTED = "reports.imported"


def report_payload(report, *, actor=None, **extra):
    """What every report event says about its report."""
    return {
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


def record_event(topic, report, *, actor=None, **extra):
    """Record ``topic`` for ``report`` in the outbox; it is handed to Celery after commit."""
    return _record(topic, report_payload(report, actor=actor, **extra))


def assessment_payload(assessment, *, actor=None, **extra):
    """What every assessment event says about its assessment."""
    version = assessment.framework_version
    return {
        "assessment_id": assessment.pk,
        "unit": assessment.unit.slug,
        "unit_id": assessment.unit_id,
        "year": assessment.year,
        "framework": version.framework.code,
        "framework_version": version.code,
        "framework_version_id": version.pk,
        "status": assessment.status,
        "version": assessment.version,
        "actor_id": getattr(actor, "pk", None),
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }


def record_assessment_event(topic, assessment, *, actor=None, **extra):
    """Record ``topic`` for ``assessment``: the outbox, then e-mails, webhooks and the levels' recomputation."""
    return _record(topic, assessment_payload(assessment, actor=actor, **extra))


def is_assessment_event(topic):
    return topic in ASSESSMENT_TOPICS


def record_import(*, approved, updated, actor=None, results_computed=False):
    """Record the events of an import: ``report.approved`` for each report it created approved,
    ``report.values_imported`` for each approved report whose values it changed.

    One outbox message for all of them, which the handlers expand into one
    event per report (``programmes.handlers.report_events``): the same
    e-mails, webhooks and recomputation as a report approved on its page.
    ``results_computed``: the import already rewrote the results.
    """
    if not approved and not updated:
        return None
    return _record(REPORTS_IMPORTED, {
        "approved": [report_payload(r, actor=actor) for r in approved],
        "updated": [report_payload(r, actor=actor) for r in updated],
        "results_computed": results_computed,
    })


def _record(topic, payload):
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def queue(task, *args):
    """Queue the task named ``task`` with ``args``; return False (and log) instead of raising when the broker fails.

    Tasks are named, not imported: they are the layer above (``programmes.tasks``).
    """
    task = current_app.tasks[task] if isinstance(task, str) else task
    try:
        task.apply_async(args=[str(arg) for arg in args])
    except Exception as error:  # noqa: BLE001 - any broker failure: the sweep retries
        logger.warning("%s%r not queued (%s); the outbox sweep will retry", task.name, args, error)
        return False, error
    return True, None


def dispatch(message_id):
    """Queue the outbox message's processing; never raise into the caller.

    ``dispatched_at`` records the last time the message was handed to the
    broker, so the sweep leaves recently queued messages alone.
    """
    # Marked before it is queued: an UPDATE after queueing locks the row just when
    # a fast worker may take it, and the worker skips locked messages as work in
    # progress elsewhere, so the event waited for the sweep (seen once in 984 in the soak).
    OutboxMessage.objects.filter(pk=message_id).update(dispatched_at=timezone.now())
    queued, error = queue(PROCESS_TASK, message_id)
    if not queued:
        OutboxMessage.objects.filter(pk=message_id).update(dispatched_at=None, last_error=str(error)[:2000])
        return False
    return True


# A message whose processing keeps failing is retried ever less often: after n failed
# attempts, it waits the sweep's delay times 2^(n-1), up to 64 times that delay (about two
# hours at the default 120 s). It is never given up: nothing recorded is lost.
MAX_BACKOFF_DOUBLINGS = 6


def retry_delay(base_seconds):
    """How long after its last hand-over a message is due again, by its failed ``attempts`` (SQL)."""
    steps = [
        When(attempts__lte=attempts, then=Value(timedelta(seconds=base_seconds * 2 ** (attempts - 1))))
        for attempts in range(1, MAX_BACKOFF_DOUBLINGS + 1)
    ]
    return Case(
        *steps,
        default=Value(timedelta(seconds=base_seconds * 2 ** MAX_BACKOFF_DOUBLINGS)),
        output_field=DurationField(),
    )
