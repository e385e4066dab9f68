"""Small helpers of the report pages: ``{% load reports %}``."""
from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.models import ReportStatus
from programmes.validation import shown_number
from provinces.quarters import Quarter

register = template.Library()


@register.filter
def due_date(report):
    """The day ``report`` is (or was) due: ``REPORT_DUE_DAYS`` after its quarter ends."""
    return Quarter(report.year, report.quarter).due_date


@register.filter
def is_overdue(report, today=None):
    """Not yet submitted, and the due date has passed."""
    today = today or timezone.localdate()
    return (
        report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
        and report.first_submitted_at is None
        and today > due_date(report)
    )


@register.filter
def plain_number(value):
    """``42.5000`` → ``42,5`` in Vietnamese, ``42.5`` in English (``validation.shown_number``)."""
    return shown_number(value)


@register.inclusion_tag("programmes/includes/status_badge.html")
def status_badge(report):
    return {"report": report}


@register.filter
def waiting_for(moment, now=None):
    """How long since ``moment``, in whole days and in the portal's own words: Django's
    ``timesince`` wrote "1 month, 4 weeks" in English on Vietnamese pages."""
    if moment is None:
        return ""
    days = ((now or timezone.now()) - moment).days
    if days < 1:
        return _("less than a day")
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
