"""E-mail notifications: sent once per recipient, in the recipient's language.

Every e-mail is guarded by a ``SentNotification(kind, key, recipient)`` row.
The row is inserted first, in the same transaction as the decision to send;
the e-mail goes out only if the row was new, and an e-mail that fails rolls
its row back so that a retry sends it. Running any of this twice therefore
sends nothing twice.

Who gets what:

- a report is submitted: every active ministry reviewer;
- a report is returned, approved or reopened: the active province reporters
  of the unit in force today that the report's unit became (the reporters of
  new Bắc Ninh hear about old Bắc Giang's reports).

Maturity assessments (``programmes.assessments``) go the same way: submitted,
to the reviewers; returned, approved or reopened, to the unit's reporters.
"""
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from indicators.models import FrameworkNode, Indicator
from programmes import events, paths, selectors
from programmes.models import (
    Assessment,
    Report,
    ReportRevision,
    RevisionAction,
    SentNotification,
)
from provinces.quarters import Quarter
from provinces.selectors import current_unit
from smartcity_portal.accounts.models import Role

logger = logging.getLogger(__name__)

REPORT_SUBMITTED = "report-submitted"
REPORT_RETURNED = "report-returned"
REPORT_APPROVED = "report-approved"
REPORT_REOPENED = "report-reopened"

# topic → (kind, template, who receives it)
_EVENT_NOTIFICATIONS = {
    events.REPORT_SUBMITTED: (REPORT_SUBMITTED, "report_submitted", "reviewers"),
    events.REPORT_RETURNED: (REPORT_RETURNED, "report_returned", "reporters"),
    events.REPORT_APPROVED: (REPORT_APPROVED, "report_approved", "reporters"),
    events.REPORT_REOPENED: (REPORT_REOPENED, "report_reopened", "reporters"),
    events.ASSESSMENT_SUBMITTED: ("assessment-submitted", "assessment_submitted", "reviewers"),
    events.ASSESSMENT_RETURNED: ("assessment-returned", "assessment_returned", "reporters"),
    events.ASSESSMENT_APPROVED: ("assessment-approved", "assessment_approved", "reporters"),
    events.ASSESSMENT_REOPENED: ("assessment-reopened", "assessment_reopened", "reporters"),
}


# --- recipients -------------------------------------------------------------------


def mailable_users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")


def reviewers():
    """Active ministry reviewers with an e-mail address."""
    return mailable_users().filter(role=Role.MINISTRY_REVIEWER)


def unit_reporters(unit):
    """Active reporters of the unit in force today that ``unit`` became."""
    return mailable_users().filter(role=Role.PROVINCE_REPORTER, unit=current_unit(unit))


# --- sending ------------------------------------------------------------------------


def absolute_url(path):
    return f"{settings.PORTAL_BASE_URL}{path}"


def page_url(name, default_path):
    """Absolute URL of the page named ``name``, or of ``default_path`` if it is not mounted."""
    try:
        return absolute_url(reverse(name))
    except NoReverseMatch:
        return absolute_url(default_path)


def report_url(report):
    try:
        return absolute_url(report.get_absolute_url())
    except NoReverseMatch:
        # The report pages are not mounted (e.g. a trimmed URL conf); the API always is.
        return absolute_url(reverse("api:report-detail", kwargs={"pk": report.pk}))


def assessment_url(assessment):
    try:
        return absolute_url(assessment.get_absolute_url())
    except NoReverseMatch:
        return absolute_url(reverse("api:assessment-detail", kwargs={"pk": assessment.pk}))


def render_email(template, context, recipient):
    """Build the e-mail ``emails/<template>{_subject.txt,.txt,.html}`` for ``recipient``.

    Rendered in the recipient's language; ``context`` may be a callable taking
    the recipient, called under that language so that names and labels follow it.
    """
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        values = context(recipient) if callable(context) else dict(context)
        values.update(recipient=recipient, portal_url=settings.PORTAL_BASE_URL, language=language)
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", values).split())
        body = render_to_string(f"emails/{template}.txt", values)
        try:
            html = render_to_string(f"emails/{template}.html", values)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    if html:
        message.attach_alternative(html, "text/html")
    return message


def send_once(*, kind, key, recipient, template, context):
    """Send one e-mail unless it was sent before; True if sent now.

    Raises when the e-mail cannot be sent, with nothing recorded.
    """
    with transaction.atomic():
        _, created = SentNotification.objects.get_or_create(kind=kind, key=key, recipient=recipient)
        if not created:
            return False
        render_email(template, context, recipient).send()
    logger.info("notification %s %s sent to user %s", kind, key, recipient.pk)
    return True


def send_to_each(*, kind, key, recipients, template, context):
    """``send_once`` to each recipient; returns ``(sent, problems)``.

    One recipient's failure does not stop the others; the problems say whom it
    concerns, so the caller can try again later (and reach only those).
    """
    sent, problems = 0, []
    for recipient in recipients:
        try:
            sent += send_once(kind=kind, key=key, recipient=recipient, template=template, context=context)
        except Exception as error:
            logger.exception("notification %s %s to user %s failed", kind, key, recipient.pk)
            problems.append(f"{kind} to user {recipient.pk}: {error}")
    return sent, problems


# --- report events ------------------------------------------------------------------

def field_label(key, version=None):
    """A reader's name for a field path (``nodes.decision-950:3.narrative`` → "3. … (narrative)").

    A criterion of an assessment (``criteria.A1.met``) is looked up in ``version``.
    """
    parts = {
        "status": _("status"),
        "percent_complete": _("percent complete"),
        "met": _("met"),
        "narrative": _("narrative"),
        "evidence_links": _("evidence links"),
        "evidence_files": _("evidence files"),
        "value": _("value"),
        "note": _("note"),
        "explanation": _("explanation"),
        "accepted": _("decision"),
        "comment": _("comment"),
    }
    path = paths.parse_or_none(key)
    if path is None or not path.key:
        return key
    if path.is_criterion:
        node = FrameworkNode.objects.filter(version=version, code=path.key).first() if version else None
        label = f"{path.key}. {node.name}" if node else path.key
    elif path.is_node:
        framework_code, code = paths.split_node_key(path.key)
        node = FrameworkNode.objects.filter(
            version__framework__code=framework_code, code=code
        ).order_by("-version__valid_from").first()
        label = f"{code}. {node.name}" if node else code
    else:
        indicator = Indicator.objects.filter(code=path.key).first()
        label = f"{path.key} {indicator.name}" if indicator else path.key
    if path.field:
        label = f"{label} ({parts.get(path.field, path.field)})"
    return label


def _field_order(key):
    # Items first, then indicators, each in their natural order, as the report form shows them.
    path = paths.parse_or_none(key)
    if path is None:
        return (2, [], key)
    return (0 if path.is_node else 1, selectors.natural_key(path.key), key)


def _revision_of(report, message, action):
    return (
        ReportRevision.objects.filter(
            report=report, version=message.payload.get("version"), action=action
        )
        .select_related("actor")
        .first()
    )


def _event_context(message, report, topic):
    payload = message.payload
    quarter = Quarter(payload["year"], payload["quarter"])
    revision = None
    if topic == events.REPORT_RETURNED:
        revision = _revision_of(report, message, RevisionAction.RETURNED)
    elif topic == events.REPORT_APPROVED:
        revision = _revision_of(report, message, RevisionAction.APPROVED)
    elif topic == events.REPORT_SUBMITTED:
        revision = _revision_of(report, message, RevisionAction.SUBMITTED)
    field_comments = revision.field_comments if revision else {}
    comment = payload.get("comment") or payload.get("reason") or (revision.comment if revision else "")

    def build(recipient):
        from django.contrib.auth import get_user_model

        actor = get_user_model().objects.filter(pk=payload.get("actor_id")).first()
        return {
            "report": report,
            "unit": report.unit,
            "quarter": quarter,
            "due_date": quarter.due_date,
            "is_late": report.is_late,
            "actor": actor,
            "comment": comment,
            "field_comments": [
                (field_label(key), field_comments[key]) for key in sorted(field_comments, key=_field_order)
            ],
            "url": report_url(report),
        }

    return build


def _assessment_context(message, assessment):
    payload = message.payload
    revision = assessment.revisions.filter(version=payload.get("version")).select_related("actor").first()
    field_comments = revision.field_comments if revision else {}
    comment = payload.get("comment") or payload.get("reason") or (revision.comment if revision else "")
    version = assessment.framework_version

    def build(recipient):
        from django.contrib.auth import get_user_model

        return {
            "assessment": assessment,
            "unit": assessment.unit,
            "year": assessment.year,
            "framework_version": version,
            "actor": get_user_model().objects.filter(pk=payload.get("actor_id")).first(),
            "comment": comment,
            "field_comments": [
                (field_label(key, version), field_comments[key]) for key in sorted(field_comments, key=_field_order)
            ],
            "url": assessment_url(assessment),
        }

    return build


def _notify_assessment_event(message, kind, template, audience):
    assessment = (
        Assessment.objects.select_related("unit", "framework_version__framework")
        .filter(pk=message.payload["assessment_id"]).first()
    )
    if assessment is None:
        return []
    recipients = reviewers() if audience == "reviewers" else unit_reporters(assessment.unit)
    _, problems = send_to_each(
        kind=kind, key=str(message.pk), recipients=list(recipients), template=template,
        context=_assessment_context(message, assessment),
    )
    return problems


def notify_event(message):
    """Send the e-mails a report (or assessment) event calls for; returns the problems met."""
    topic = message.topic
    if topic not in _EVENT_NOTIFICATIONS:
        return []
    kind, template, audience = _EVENT_NOTIFICATIONS[topic]
    if events.is_assessment_event(topic):
        return _notify_assessment_event(message, kind, template, audience)
    report = Report.objects.select_related("unit").filter(pk=message.payload["report_id"]).first()
    if report is None:
        return []
    recipients = reviewers() if audience == "reviewers" else unit_reporters(report.unit)
    _, problems = send_to_each(
        kind=kind,
        key=str(message.pk),
        recipients=list(recipients),
        template=template,
        context=_event_context(message, report, topic),
    )
    return problems
