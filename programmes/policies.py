"""Who may read and write which report: the one place these rules live.

Pages, the API, imports and tasks all ask these functions; none repeats the
rules. Summary:

- ministry viewers, reviewers and superusers read every report;
- a province reporter (or an integrator bound to a unit) reads and writes the
  reports of its unit and of the units merged into it, for the quarters those
  existed; it edits only drafts and returned reports;
- any other signed-in user reads approved reports only; anonymous users read
  none (they see approved results on the dashboards and in the API);
- lists, counts, downloads and feeds show a report to those who may read it,
  and approved reports to everyone (``listed_reports``);
- of an approved report, those who read it only because it is approved see
  its published revisions only, without names or comments (``visible_revisions``);
- only reviewers (and superusers) approve, return and reopen; nobody approves
  a report he submitted himself;
- the public pages, open data, releases, feeds and the sitemap show approved
  reports only, whoever asks (``published_reports``), approved assessments only
  (``published_assessments``), and of a unit's project register only what an
  approved report published (``PublishedProject``);
- a unit's project register is kept by its reporters and integrators
  (``can_manage_projects``); the ministry reads every register.

Maturity assessments (``programmes.assessments``) follow the same rules, read
the same way (a unit's writers, the ministry, everyone signed in once it is
approved); their workflow is ``ASSESSMENT_TRANSITIONS``, where reviewers also
verify (accept or reject each criterion) a submitted assessment. The functions
below that take a "record" serve reports and assessments alike.
"""
from enum import StrEnum

from django.db.models import Q

from programmes.models import (
    Assessment,
    Project,
    Report,
    ReportRevision,
    ReportStatus,
    RevisionAction,
    WebhookSubscription,
)
from provinces import selectors as units
from smartcity_portal.accounts.models import Role


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    REOPEN = "reopen"
    # Assessments only: accept or reject each criterion of a submitted assessment.
    VERIFY = "verify"


# The workflow: from which statuses each action may be taken, and the status it leads to
# (``None``: it stays). Policies and services both read this table.
TRANSITIONS = {
    Action.SAVE: ({ReportStatus.DRAFT, ReportStatus.RETURNED}, None),
    Action.SUBMIT: ({ReportStatus.DRAFT, ReportStatus.RETURNED}, ReportStatus.SUBMITTED),
    Action.RETURN: ({ReportStatus.SUBMITTED}, ReportStatus.RETURNED),
    Action.APPROVE: ({ReportStatus.SUBMITTED}, ReportStatus.APPROVED),
    Action.REOPEN: ({ReportStatus.APPROVED}, ReportStatus.RETURNED),
}
# A maturity assessment's workflow: a report's, plus the reviewer's decisions on each
# criterion while it is submitted. Policies and ``programmes.assessments`` read this table.
ASSESSMENT_TRANSITIONS = {
    Action.SAVE: ({ReportStatus.DRAFT, ReportStatus.RETURNED}, None),
    Action.SUBMIT: ({ReportStatus.DRAFT, ReportStatus.RETURNED}, ReportStatus.SUBMITTED),
    Action.VERIFY: ({ReportStatus.SUBMITTED}, None),
    Action.RETURN: ({ReportStatus.SUBMITTED}, ReportStatus.RETURNED),
    Action.APPROVE: ({ReportStatus.SUBMITTED}, ReportStatus.APPROVED),
    Action.REOPEN: ({ReportStatus.APPROVED}, ReportStatus.RETURNED),
}
# Actions of the unit's own reporters; the others are reviewers'.
UNIT_ACTIONS = {Action.SAVE, Action.SUBMIT}
EDITABLE_STATUSES = TRANSITIONS[Action.SAVE][0]


def transitions_of(record):
    """The workflow table of ``record``: a report's or an assessment's."""
    return ASSESSMENT_TRANSITIONS if isinstance(record, Assessment) else TRANSITIONS


def allows(action, record):
    """Whether the workflow allows ``action`` on ``record`` (a report or an assessment) in its status."""
    table = transitions_of(record)
    return action in table and record.status in table[action][0]


def target_status(action, record=None):
    """The status ``action`` leads to (``None``: it stays), in the workflow of ``record`` (a report's by default)."""
    return (TRANSITIONS if record is None else transitions_of(record))[action][1]


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def reportable_unit_ids(user):
    """Ids of the units whose reports ``user`` may file: its unit and its predecessors."""
    if not _signed_in(user) or user.unit_id is None:
        return frozenset()
    if user.role not in {Role.PROVINCE_REPORTER, Role.INTEGRATOR}:
        return frozenset()
    cached = getattr(user, "_reportable_unit_ids", None)
    if cached is None:
        cached = frozenset([user.unit_id, *(u.pk for u in units.predecessors(user.unit))])
        user._reportable_unit_ids = cached
    return cached


def reads_all_reports(user):
    return _signed_in(user) and (
        user.is_superuser or user.role in {Role.MINISTRY_VIEWER, Role.MINISTRY_REVIEWER}
    )


def is_reviewer(user):
    return _signed_in(user) and (user.is_superuser or user.role == Role.MINISTRY_REVIEWER)


def report_view_scope(user):
    """A value equal for two users only when they may read and list the same reports.

    See ``can_view_report`` and ``listed_reports``. Pages that list or link the
    reports a visitor may see are cached per scope, not per user.
    """
    if reads_all_reports(user):
        return "all"
    if not _signed_in(user):
        return "none"
    return "approved+" + ",".join(str(pk) for pk in sorted(reportable_unit_ids(user)))


def visible_reports(user, queryset=None):
    """``queryset`` (all reports by default) narrowed to what ``user`` may read."""
    return _readable(user, Report.objects.all() if queryset is None else queryset)


def visible_assessments(user, queryset=None):
    """``queryset`` (all assessments by default) narrowed to what ``user`` may read: the rule of reports."""
    return _readable(user, Assessment.objects.all() if queryset is None else queryset)


def listed_assessments(user, queryset=None):
    """The assessments ``user`` may see listed: those he may read (anonymous visitors: none).

    Anonymous visitors see approved levels on the maturity dashboards and the
    public pages of approved assessments (``published_assessments``), not this list.
    """
    return visible_assessments(user, queryset)


def _readable(user, queryset):
    """Records (reports or assessments) of ``queryset`` that ``user`` may read."""
    if reads_all_reports(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    return queryset.filter(
        Q(status=ReportStatus.APPROVED) | Q(unit_id__in=reportable_unit_ids(user))
    )


def listed_reports(user, queryset=None):
    """``queryset`` (all reports by default) narrowed to the reports ``user`` may see listed.

    Every list, count, download and feed of reports goes through this (or, for
    one report, ``can_view_report``): the reports ``user`` may read, and for
    anonymous visitors the approved ones, whose statuses and dates the public
    pages show. A unit's unpublished reports are listed only to those who may
    read them.
    """
    queryset = Report.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.filter(status=ReportStatus.APPROVED)
    return visible_reports(user, queryset)


def can_view_report(user, report):
    """May ``user`` read ``report``? The same rule for an assessment (``can_view_assessment``)."""
    if reads_all_reports(user):
        return True
    if not _signed_in(user):
        return False
    return report.status == ReportStatus.APPROVED or report.unit_id in reportable_unit_ids(user)


def can_read_full_history(user, report):
    """May ``user`` read every revision of ``report``, with who made it and why?

    The ministry and the report's own unit may. Anyone else reads a report only
    while it is approved, and then only its published versions.
    """
    return reads_all_reports(user) or (_signed_in(user) and report.unit_id in reportable_unit_ids(user))


def visible_revisions(user, report, queryset=None):
    """``report``'s revisions (``queryset``, all by default) that ``user`` may read.

    ``report`` may be an assessment: its revisions follow the same rule.

    All of them for ``can_read_full_history``; for other readers of the report
    only the approved (published) ones, which the pages and the API show with
    their dates but without actors, comments or reasons
    (``programmes.selectors.readable_revisions``); none for anyone else.
    """
    if isinstance(report, Assessment):
        queryset = report.revisions.all() if queryset is None else queryset.filter(assessment=report)
    else:
        queryset = ReportRevision.objects.filter(report=report) if queryset is None else queryset.filter(report=report)
    if not can_view_report(user, report):
        return queryset.none()
    if can_read_full_history(user, report):
        return queryset
    return queryset.filter(status=ReportStatus.APPROVED)


def can_file_for_unit(user, unit):
    """May ``user`` create reports of ``unit``?"""
    return _signed_in(user) and unit.pk in reportable_unit_ids(user)


def can_edit_report(user, report):
    return allows(Action.SAVE, report) and can_file_for_unit(user, report.unit)


def can_review_report(user, report):
    return is_reviewer(user) and allows(Action.APPROVE, report)


def is_submitter(user, report):
    """Did ``user`` make the latest submission of ``report``?"""
    if not _signed_in(user):
        return False
    submitter = (
        report.revisions.filter(action=RevisionAction.SUBMITTED)
        .order_by("-number")
        .values_list("actor_id", flat=True)
        .first()
    )
    return submitter == user.pk


def can_approve_report(user, report):
    """Reviewers approve submitted reports, but never one they submitted: two people, always.

    Superusers included: a superuser who was also bound to a unit could otherwise file
    and approve the same report.
    """
    return can_review_report(user, report) and not is_submitter(user, report)


def can_reopen_report(user, report):
    return is_reviewer(user) and allows(Action.REOPEN, report)


def can_import_values(user):
    return is_reviewer(user)


def can_export_results(user):
    """Full exports of approved results are for signed-in ministry staff."""
    return reads_all_reports(user)


def can_view_job(user, job):
    """A background job (import or export) and its files belong to its owner; superusers see all."""
    return _signed_in(user) and (user.is_superuser or job.owner_id == user.pk)


def can_manage_webhooks(user):
    """Webhook subscriptions are for integrators (and superusers)."""
    return _signed_in(user) and (user.is_superuser or user.role == Role.INTEGRATOR)


def can_manage_webhook(user, subscription):
    """An integrator manages its own subscriptions; superusers manage all."""
    return can_manage_webhooks(user) and (user.is_superuser or subscription.owner_id == user.pk)


def manageable_webhooks(user, queryset=None):
    """``queryset`` (all subscriptions by default) narrowed to those ``user`` manages (pages and API)."""
    queryset = WebhookSubscription.objects.all() if queryset is None else queryset
    if not can_manage_webhooks(user):
        return queryset.none()
    return queryset if user.is_superuser else queryset.filter(owner=user)


def can_start_reports(user):
    """Does ``user`` file reports for any unit (and so see the "New report" action)?"""
    return bool(reportable_unit_ids(user))


def lands_on_unit_page(user):
    """Does ``user`` land on what is due for the unit (``/reports/mine/``) rather than on the overview?

    A province reporter does: after signing in, on ``/`` and on the report list,
    which opens filtered to the unit.
    """
    return _signed_in(user) and user.role == Role.PROVINCE_REPORTER and user.unit_id is not None


def can_view_reporting_status(user):
    """The reporting status page (who has reported, what waits for review) is for ministry staff.

    Reporters follow their own unit's reports on the report list; the public
    completeness page shows every unit's submissions without the review queue.
    """
    return reads_all_reports(user)


# --- maturity assessments: the rules of reports, on the assessment's workflow ---------------


can_view_assessment = can_view_report


def can_file_assessment(user, unit):
    """May ``user`` assess ``unit``? Those who file its reports."""
    return can_file_for_unit(user, unit)


def can_start_assessments(user):
    """Does ``user`` assess any unit (and so see the "New assessment" action)?"""
    return can_start_reports(user)


def can_edit_assessment(user, assessment):
    return allows(Action.SAVE, assessment) and can_file_for_unit(user, assessment.unit)


def can_verify_assessment(user, assessment):
    """Reviewers decide on each criterion of a submitted assessment (and return it)."""
    return is_reviewer(user) and allows(Action.VERIFY, assessment)


def can_approve_assessment(user, assessment):
    """Reviewers approve submitted assessments, never one they submitted themselves."""
    return is_reviewer(user) and allows(Action.APPROVE, assessment) and not is_submitter(user, assessment)


def can_reopen_assessment(user, assessment):
    return is_reviewer(user) and allows(Action.REOPEN, assessment)


def published_reports(queryset=None):
    """``queryset`` (all reports by default) narrowed to the published ones: what public pages show.

    The same for every visitor, signed in or not, so that public pages, open
    data, releases and the sitemap can be cached and harvested alike: the
    approved reports (``listed_reports`` of an anonymous visitor).
    """
    return listed_reports(None, queryset)


def is_published(report):
    """Whether ``report`` has a public page: the rule of ``published_reports`` for one report."""
    return report.status == ReportStatus.APPROVED


def published_assessments(queryset=None):
    """``queryset`` (all assessments by default) narrowed to the published ones: the approved ones.

    What public pages, their lists and counts, the sitemap and the open data
    show of maturity self-assessments, the same for every visitor: a draft, a
    submitted or returned assessment, or one reopened for correction, is not public.
    """
    queryset = Assessment.objects.all() if queryset is None else queryset
    return queryset.filter(status=ReportStatus.APPROVED)


def is_published_assessment(assessment):
    """Whether ``assessment`` has a public page: the rule of ``published_assessments`` for one assessment."""
    return assessment.status == ReportStatus.APPROVED


def can_manage_projects(user, unit):
    """May ``user`` keep ``unit``'s project register (add, change, import projects)?

    The unit's own reporters and integrators, for a unit in force (the units
    dissolved in 2025 keep no register).
    """
    return (
        _signed_in(user)
        and user.role in {Role.PROVINCE_REPORTER, Role.INTEGRATOR}
        and user.unit_id == unit.pk
        and unit.valid_until is None
    )


def can_read_registers(user):
    """May ``user`` read every unit's register, published or not (the ministry)?"""
    return reads_all_reports(user)


def readable_projects(user, queryset=None):
    """``queryset`` (all projects by default) narrowed to the register entries ``user`` may read.

    The ministry reads every register; a unit's reporters and integrators
    their unit's; nobody else reads a register (the public reads published projects).
    """
    queryset = Project.objects.all() if queryset is None else queryset
    if reads_all_reports(user):
        return queryset
    if not _signed_in(user) or user.unit_id is None or user.role not in {Role.PROVINCE_REPORTER, Role.INTEGRATOR}:
        return queryset.none()
    return queryset.filter(unit_id=user.unit_id)
