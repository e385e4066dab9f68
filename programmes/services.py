"""Every write to a quarterly report, with the rules that govern it.

The report form, the REST API, the bulk import and Celery tasks all call these
functions; none of them changes a report any other way. Each function:

- checks permission with ``programmes.policies`` (``PermissionDenied`` if not);
- locks the report row and compares the version the caller edited with the
  stored one (``ReportConflict`` if someone saved in between);
- validates with ``programmes.validation`` (``ReportInvalid`` with errors keyed
  by field, or warnings the reporter must confirm);
- writes, bumps the version, keeps an immutable ``ReportRevision`` and records
  an outbox event, all in one transaction.
"""
import csv
import io
import logging
from collections import namedtuple
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import selectors as reference
from indicators.models import Indicator, IndicatorValue
from programmes import events, paths, policies, projects, selectors
from programmes.models import (
    Evidence,
    NodeAnswer,
    ProjectProgress,
    Report,
    ReportRevision,
    ReportStatus,
    RevisionAction,
)
from programmes.policies import Action
from programmes.uploads import check_evidence_file, check_report_total
from programmes.validation import Message, check_for_submission, clean_report_data
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR, Quarter
from smartcity_portal.accounts.services import record

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A report action that cannot be done; ``message`` says why, in the user's language."""

    code = "invalid"

    def __init__(self, message, *, code=None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code


class ReportStateError(ReportError):
    """The action does not fit the report's state (e.g. approving a draft)."""

    code = "invalid_state"


class ReportInvalid(ReportError):
    """Contents that break a rule. ``errors`` is ``{field_key: [messages]}``;
    ``warnings`` lists ``Problem``s that need confirming before submission."""

    def __init__(self, errors, warnings=(), *, message=None):
        self.errors = errors
        self.warnings = list(warnings)
        if message is not None:
            pass
        elif errors:
            message = _("The report has problems: see the marked fields.")
        else:
            message = _("Some values changed a lot since last quarter: confirm them to submit.")
        super().__init__(message, code="invalid" if errors else "needs_confirmation")


class SubmitterMayNotApprove(PermissionDenied):
    """The reviewer submitted the report himself; another reviewer must approve it."""


class ReportConflict(ReportError):
    """Someone saved the report after the version the caller edited."""

    code = "conflict"

    def __init__(self, report, edited_version, changes, *, by_you=False):
        self.report = report
        self.edited_version = edited_version
        self.current_version = report.version
        self.changes = changes
        # Every save since was the same user's (another tab or window): the message says "you", not "someone else".
        self.by_you = by_you
        super().__init__(self.describe(edited_version, report.version, by_you=by_you))

    @staticmethod
    def describe(mine, current, *, by_you=False):
        if by_you:
            return _(
                "You saved this report in another tab or window while editing it here (this page's version "
                "%(mine)s, now %(current)s). Nothing of this page was saved: review the changes, then make "
                "yours again."
            ) % {"mine": mine, "current": current}
        return _(
            "Someone else saved this report while you were editing it (your version %(mine)s, "
            "now %(current)s). Nothing of yours was saved: review their changes, then make yours again."
        ) % {"mine": mine, "current": current}


# --- helpers --------------------------------------------------------------------


def _locked(report):
    return Report.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _check_version(report, version, *, user=None, content=None, conflict=None, missing=None):
    """Raise unless ``version`` is the stored version of ``report`` (or of an assessment).

    ``content`` reads the record's snapshot (``selectors.report_content`` by
    default), ``conflict`` is the error class (``ReportConflict``), ``missing``
    the message when no version is given. The conflict carries what changed
    since the version the caller edited, read from the revisions, and whether ``user``
    made every save since (in another tab or window).
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ReportInvalid({"version": [Message(missing or _("Give the version of the report you edited."), "required")]}) from None
    if version != report.version:
        seen = selectors.revision_at_version(report, version)
        changes = selectors.diff_contents(
            seen.snapshot if seen else {}, (content or selectors.report_content)(report)
        )
        by_you = user is not None and selectors.saved_since_only_by(report, version, user)
        raise (conflict or ReportConflict)(report, version, changes, by_you=by_you)


def _revise(report, action, actor, *, comment="", field_comments=None, confirmed=(), content=None):
    """Keep an immutable revision of ``report`` (or of an assessment, with its ``content`` reader)."""
    last = report.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    snapshot = (content or selectors.report_content)(report)
    snapshot["status"] = report.status
    fields = {
        "number": last + 1,
        "version": report.version,
        "action": action,
        "status": report.status,
        "actor": actor if getattr(actor, "pk", None) else None,
        "comment": comment,
        "field_comments": field_comments or {},
        "snapshot": snapshot,
    }
    if isinstance(report, Report):
        fields["confirmed_warnings"] = [w.as_dict() for w in confirmed]
        return ReportRevision.objects.create(report=report, **fields)
    return report.revisions.create(**fields)


def _bump(report, user, *fields):
    report.version += 1
    report.updated_by = user if getattr(user, "pk", None) else None
    report.save(update_fields=["version", "updated_by", "updated_at", *fields])


def _audit(action, user, report, **details):
    # "report_id", or "assessment_id" for an assessment.
    key = f"{report._meta.model_name}_id"
    record(action, actor=user, target=str(report), details={key: report.pk, **details})


def check_can_report(unit, quarter, today=None):
    """Raise ``ReportError`` unless ``unit`` may report on ``quarter`` at all.

    A quarter must have ended, and the unit must have been in force for the
    whole of it: up to 2025-Q2 the 63 old units, from 2025-Q3 the 34 new ones.
    """
    if quarter.year < FIRST_REPORTING_YEAR:
        raise ReportError(
            _("Reports start in %(year)s.") % {"year": FIRST_REPORTING_YEAR}, code="too_early"
        )
    if not quarter.has_ended(today):
        raise ReportError(
            _("%(quarter)s has not ended yet: it can be reported from %(day)s.")
            % {"quarter": quarter, "day": quarter.next().start.strftime("%d/%m/%Y")},
            code="quarter_not_ended",
        )
    if not unit.in_force_throughout(quarter.start, quarter.end):
        if unit.valid_from and unit.valid_from > quarter.start:
            message = _("%(unit)s was formed on %(day)s and cannot report on %(quarter)s.") % {
                "unit": unit, "day": unit.valid_from.strftime("%d/%m/%Y"), "quarter": quarter,
            }
        else:
            message = _("%(unit)s was dissolved on %(day)s and cannot report on %(quarter)s.") % {
                "unit": unit, "day": unit.valid_until.strftime("%d/%m/%Y"), "quarter": quarter,
            }
        raise ReportError(message, code="unit_not_in_force")


# --- creating and editing -----------------------------------------------------------


@transaction.atomic
def start_report(*, user, unit, year, quarter, today=None):
    """Create the draft report of ``unit`` for a quarter, prefilled from its previous report."""
    period = Quarter(int(year), int(quarter))
    if not policies.can_file_for_unit(user, unit):
        raise PermissionDenied(_("You may not file reports for %(unit)s.") % {"unit": unit})
    check_can_report(unit, period, today)
    if Report.objects.filter(unit=unit, year=period.year, quarter=period.quarter).exists():
        raise ReportError(
            _("%(unit)s already has a report for %(quarter)s.") % {"unit": unit, "quarter": period},
            code="exists",
        )
    previous = selectors.previous_report(unit, period.year, period.quarter)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit, year=period.year, quarter=period.quarter,
                created_by=user, updated_by=user,
            )
    except IntegrityError:
        raise ReportError(
            _("%(unit)s already has a report for %(quarter)s.") % {"unit": unit, "quarter": period},
            code="exists",
        ) from None
    old_answers, old_values = {}, []
    if previous is not None:
        # By node key, so that a version's successor with the same codes is prefilled too.
        old_answers = {
            paths.node_key(a.node.version.framework.code, a.node.code): a
            for a in previous.answers.select_related("node__version__framework")
        }
        old_values = [v for v in previous.indicator_values.all() if v.value is not None]
    NodeAnswer.objects.bulk_create(
        NodeAnswer(
            report=report,
            node=node,
            status=getattr(old, "status", ""),
            percent_complete=getattr(old, "percent_complete", None),
            met=getattr(old, "met", None),
            narrative=getattr(old, "narrative", ""),
        )
        for node in reference.report_items(period)
        for old in [old_answers.get(paths.node_key(node.version.framework.code, node.code))]
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=report, indicator_id=old.indicator_id, value=old.value) for old in old_values
    )
    if previous is not None:
        # Progress and spending carry over, as the values do; the note is the quarter's own.
        ProjectProgress.objects.bulk_create(
            ProjectProgress(report=report, project_id=old.project_id, status=old.status,
                            percent_complete=old.percent_complete, spending_to_date=old.spending_to_date)
            for old in ProjectProgress.objects.filter(report=previous, project__unit_id=unit.pk)
        )
    _revise(report, RevisionAction.CREATED, user)
    return report


def _answers_by_key(report, items):
    """``{node key: NodeAnswer}`` for every item of ``items``, creating the answers missing."""
    found = {
        paths.node_key(a.node.version.framework.code, a.node.code): a
        for a in report.answers.select_related("node__version__framework")
    }
    for node in items:
        key = paths.node_key(node.version.framework.code, node.code)
        if key not in found:
            found[key] = NodeAnswer.objects.create(report=report, node=node)
    return found


def _apply(report, cleaned, user, items):
    answers = _answers_by_key(report, [n for n in items if paths.node_key(n.version.framework.code, n.code)
                                        in cleaned[paths.NODES]])
    changed = []
    for key, entry in cleaned[paths.NODES].items():
        row = answers[key]
        for name in ("status", "percent_complete", "met", "narrative"):
            if name in entry:
                setattr(row, name, entry[name])
        changed.append(row)
        if "evidence_links" in entry or "public_links" in entry:
            existing = {e.url: e for e in row.evidence.exclude(url="")}
            wanted = list(dict.fromkeys(entry["evidence_links"])) if "evidence_links" in entry else list(existing)
            # Without ``public_links`` a link kept keeps its flag and a new one is not public.
            public = set(entry["public_links"]) if "public_links" in entry else None
            Evidence.objects.filter(pk__in=[e.pk for url, e in existing.items() if url not in wanted]).delete()
            Evidence.objects.bulk_create(
                Evidence(answer=row, url=url, uploaded_by=user if getattr(user, "pk", None) else None,
                         is_public=public is not None and url in public)
                for url in wanted
                if url not in existing
            )
            if public is not None:
                flips = [e for url, e in existing.items() if url in wanted and e.is_public != (url in public)]
                for item in flips:
                    item.is_public = not item.is_public
                Evidence.objects.bulk_update(flips, ["is_public"])
    NodeAnswer.objects.bulk_update(changed, ["status", "percent_complete", "met", "narrative"])
    _apply_projects(report, cleaned[paths.PROJECTS])

    if cleaned["indicators"]:
        ids = dict(Indicator.objects.filter(code__in=cleaned["indicators"]).values_list("code", "pk"))
        current = {v.indicator_id: v for v in report.indicator_values.all()}
        to_create, to_update, to_delete = [], [], []
        for code, entry in cleaned["indicators"].items():
            row = current.get(ids[code])
            value = entry.get("value", row.value if row else None)
            note = entry.get("note", row.note if row else "")
            if value is None and not note:
                if row:
                    to_delete.append(row.pk)
                continue
            if row is None:
                to_create.append(IndicatorValue(report=report, indicator_id=ids[code], value=value, note=note))
            else:
                row.value, row.note = value, note
                to_update.append(row)
        IndicatorValue.objects.filter(pk__in=to_delete).delete()
        IndicatorValue.objects.bulk_create(to_create)
        IndicatorValue.objects.bulk_update(to_update, ["value", "note"])


def _apply_projects(report, entries):
    """Write the projects' progress of ``entries`` (cleaned); a project left with nothing is removed."""
    if not entries:
        return
    current = {str(row.project_id): row for row in ProjectProgress.objects.filter(report=report)}
    to_create, to_update, to_delete = [], [], []
    for key, entry in entries.items():
        row = current.get(key) or ProjectProgress(report=report, project_id=int(key))
        for name in paths.PROJECT_FIELDS:
            if name in entry:
                setattr(row, name, entry[name])
        empty = not row.status and row.percent_complete is None and row.spending_to_date is None and not row.note
        if empty:
            if row.pk:
                to_delete.append(row.pk)
        elif row.pk:
            to_update.append(row)
        else:
            to_create.append(row)
    ProjectProgress.objects.filter(pk__in=to_delete).delete()
    ProjectProgress.objects.bulk_create(to_create)
    ProjectProgress.objects.bulk_update(to_update, list(paths.PROJECT_FIELDS))


def _clean(data, items, report):
    cleaned, result = clean_report_data(
        data, items, reference.active_indicators(), selectors.report_projects(report)
    )
    if not result.is_valid:
        raise ReportInvalid(result.errors)
    _check_public_links(report, cleaned, result)
    if not result.is_valid:
        raise ReportInvalid(result.errors)
    return cleaned


def _check_public_links(report, cleaned, result):
    """Every link marked public must be one of the item's evidence links (those given, or else those stored)."""
    stored = {}
    for framework, code, url in Evidence.objects.filter(answer__report=report).exclude(url="").values_list(
        "answer__node__version__framework__code", "answer__node__code", "url"
    ):
        stored.setdefault(paths.node_key(framework, code), []).append(url)
    for key, entry in cleaned[paths.NODES].items():
        if "public_links" not in entry:
            continue
        links = entry["evidence_links"] if "evidence_links" in entry else stored.get(key, [])
        for link in entry["public_links"]:
            if link not in links:
                result.add_error(
                    paths.node_path(key, "public_links"),
                    _("“%(link)s” is not one of this item's evidence links.") % {"link": link[:80]},
                    "not_an_evidence_link",
                )


def _store_uploads(report, uploads, user, items):
    """Attach uploaded evidence files: ``uploads`` is ``[(node key, file), …]``.

    Each file must pass ``uploads.check_evidence_file``, and all the report's
    files together ``uploads.check_report_total``; otherwise ``ReportInvalid``
    names the evidence fields and nothing is stored.
    """
    errors = {}
    checked = []
    keys = {paths.node_key(n.version.framework.code, n.code) for n in items}
    for key, upload in uploads or ():
        path = str(paths.node_path(key, "evidence_files"))
        if key not in keys:
            errors.setdefault(path, []).append(_("There is no item %(key)s in this report.") % {"key": key})
            continue
        try:
            checked.append((key, upload, check_evidence_file(upload)))
        except ValidationError as error:
            errors.setdefault(path, []).extend(error.messages)
    if errors:
        raise ReportInvalid(errors)
    if not checked:
        return
    attached = (
        Evidence.objects.filter(answer__report=report).exclude(file="").aggregate(total=Sum("size"))["total"] or 0
    )
    try:
        check_report_total(attached, [upload for _, upload, _ in checked])
    except ValidationError as error:
        raise ReportInvalid(
            {str(paths.node_path(key, "evidence_files")): error.messages for key in sorted({k for k, _, _ in checked})}
        ) from None
    answers = _answers_by_key(report, [n for n in items if paths.node_key(n.version.framework.code, n.code)
                                        in {key for key, *_ in checked}])
    for key, upload, content_type in checked:
        Evidence.objects.create(
            answer=answers[key],
            file=upload,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )


def _remove_files(report, evidence_ids):
    """Take the evidence files ``evidence_ids`` off ``report``: the rows now, the stored files after commit.

    ``ReportInvalid`` if one of them is not a file of this report.
    """
    wanted = set(evidence_ids or ())
    if not wanted:
        return
    found = list(Evidence.objects.filter(answer__report=report, pk__in=wanted).exclude(file=""))
    if len(found) != len(wanted):
        raise ReportInvalid({
            "evidence_file": [_("This file is not attached to this report (any more): reload the page.")]
        })
    Evidence.objects.filter(pk__in=[e.pk for e in found]).delete()
    storage, names = found[0].file.storage, [e.file.name for e in found]
    # A rolled-back removal must find its files where they were.
    transaction.on_commit(lambda: _delete_stored(storage, names))


def _delete_stored(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the stored evidence file %s", name)


@transaction.atomic
def save_report(*, user, report, version, data, uploads=(), remove=()):
    """Save changes to a draft or returned report. Fields absent from ``data`` stay as they are.

    ``uploads`` (``[(node key, file)]``) are attached and the evidence
    files whose ids are in ``remove`` are taken off, in the same revision.
    """
    report = _locked(report)
    if not policies.can_edit_report(user, report):
        if not policies.can_view_report(user, report):
            raise PermissionDenied(_("You may not change this report."))
        raise ReportStateError(
            _("A %(status)s report cannot be changed.") % {"status": report.get_status_display()}
        )
    _check_version(report, version, user=user)
    items = selectors.report_items(report)
    cleaned = _clean(data, items, report)
    before = selectors.report_content(report)
    _apply(report, cleaned, user, items)
    _remove_files(report, remove)
    _store_uploads(report, uploads, user, items)
    if not uploads and not remove and not selectors.diff_contents(before, selectors.report_content(report)):
        # Nothing changed (values compare as numbers: 55.5 is 55.5000): no new version, no revision,
        # so that a script saving the same body twice does not make the history grow.
        return report
    _bump(report, user)
    _revise(report, RevisionAction.SAVED, user)
    return report


def remove_evidence(*, user, report, version, evidence_ids):
    """Take evidence files off a draft or returned report, as a save that changes nothing else.

    The rules are ``save_report``'s: only those who may edit the report, at the
    version they read; the rows go with a revision, the stored files after commit.
    """
    return save_report(user=user, report=report, version=version, data={}, remove=evidence_ids)


@transaction.atomic
def submit_report(*, user, report, version, data=None, uploads=(), confirm_warnings=False, today=None):
    """Submit a draft or returned report for review, saving ``data`` first if given.

    Every task group must be answered and cumulative indicators may not fall
    without a note; large changes from last quarter need ``confirm_warnings``.
    Nothing is saved if any rule fails.
    """
    if data is not None or uploads:
        report = save_report(user=user, report=report, version=version, data=data or {}, uploads=uploads)
        version = report.version
    report = _locked(report)
    if not policies.can_edit_report(user, report):
        if not policies.can_view_report(user, report):
            raise PermissionDenied(_("You may not submit this report."))
        raise ReportStateError(
            _("A %(status)s report cannot be submitted.") % {"status": report.get_status_display()}
        )
    _check_version(report, version, user=user)
    content = selectors.report_content(report)
    result = check_for_submission(
        content,
        selectors.report_items(report),
        reference.active_indicators(),
        last_approved=selectors.last_approved_values(report),
        previous=selectors.previous_quarter_values(report),
    )
    if result.errors or (result.warnings and not confirm_warnings):
        raise ReportInvalid(result.errors, result.warnings)
    now = timezone.now()
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        due = Quarter(report.year, report.quarter).due_date
        report.is_late = (today or timezone.localdate()) > due
    report.submitted_at = now
    report.status = policies.target_status(Action.SUBMIT)
    _bump(report, user, "status", "submitted_at", "first_submitted_at", "is_late")
    _revise(report, RevisionAction.SUBMITTED, user, confirmed=result.warnings)
    events.record_event(events.REPORT_SUBMITTED, report, actor=user)
    return report


# --- review -------------------------------------------------------------------------


def _reviewable(user, report, action):
    if not policies.is_reviewer(user):
        if policies.can_view_report(user, report):
            raise PermissionDenied(_("Only ministry reviewers may review reports."))
        raise PermissionDenied(_("You may not see this report."))
    if not policies.allows(action, report):
        raise ReportStateError(
            _("This report is %(status)s; that action is not possible now.")
            % {"status": report.get_status_display()}
        )


@transaction.atomic
def return_report(*, user, report, version, comment, field_comments=None):
    """Send a submitted report back to its unit with the reviewer's comment."""
    report = _locked(report)
    _reviewable(user, report, Action.RETURN)
    _check_version(report, version, user=user)
    comment = (comment or "").strip()
    if not comment:
        raise ReportInvalid({"comment": [_("Say what the unit should change.")]})
    field_comments = {
        str(k): str(v).strip() for k, v in (field_comments or {}).items() if str(v).strip()
    }
    report.status = policies.target_status(Action.RETURN)
    report.review_comment = comment
    report.field_comments = field_comments
    _bump(report, user, "status", "review_comment", "field_comments")
    _revise(report, RevisionAction.RETURNED, user, comment=comment, field_comments=field_comments)
    events.record_event(events.REPORT_RETURNED, report, actor=user, comment=comment)
    _audit("report-returned", user, report, comment=comment)
    return report


@transaction.atomic
def approve_report(*, user, report, version, comment=""):
    """Approve a submitted report: it is locked and its figures reach the dashboards.

    Whoever submitted the report may not approve it (``SubmitterMayNotApprove``).
    """
    report = _locked(report)
    _reviewable(user, report, Action.APPROVE)
    if not policies.can_approve_report(user, report):
        raise SubmitterMayNotApprove(
            _("You submitted this report yourself: another reviewer must approve it.")
        )
    _check_version(report, version, user=user)
    report.status = policies.target_status(Action.APPROVE)
    report.approved_at = timezone.now()
    report.approved_by = user
    report.review_comment = ""
    report.field_comments = {}
    _bump(report, user, "status", "approved_at", "approved_by", "review_comment", "field_comments")
    _revise(report, RevisionAction.APPROVED, user, comment=(comment or "").strip())
    projects.publish(report)
    events.record_event(events.REPORT_APPROVED, report, actor=user)
    _audit("report-approved", user, report)
    return report


@transaction.atomic
def reopen_report(*, user, report, version, reason):
    """Reopen an approved report for correction. The approved revision stays in the history."""
    report = _locked(report)
    _reviewable(user, report, Action.REOPEN)
    _check_version(report, version, user=user)
    reason = (reason or "").strip()
    if not reason:
        raise ReportInvalid({"reason": [_("Give the reason for reopening the report.")]})
    report.status = policies.target_status(Action.REOPEN)
    report.review_comment = reason
    report.approved_at = None
    report.approved_by = None
    _bump(report, user, "status", "review_comment", "approved_at", "approved_by")
    _revise(report, RevisionAction.REOPENED, user, comment=reason)
    projects.publish(report)
    events.record_event(events.REPORT_REOPENED, report, actor=user, reason=reason)
    _audit("report-reopened", user, report, reason=reason)
    return report


# --- bulk import of approved values ---------------------------------------------------


def check_can_import_into(report):
    """Raise ``ReportStateError`` unless imported values may be written into ``report``.

    Only approved reports take imported values: a draft, submitted or returned
    report is in a unit's or a reviewer's hands and changes through the workflow.
    """
    if report.status != ReportStatus.APPROVED:
        raise ReportStateError(
            _(
                "A report in status “%(status)s” exists for %(unit)s, %(quarter)s: "
                "change it through the report workflow, not by import."
            )
            % {
                "status": report.get_status_display(),
                "unit": report.unit,
                "quarter": Quarter(report.year, report.quarter),
            },
            code="not_approved",
        )


# What ``selectors.build_content`` reads of a stored value: a large import holds a few
# hundred thousand, far cheaper as tuples than as model instances.
_Entry = namedtuple("_Entry", "value note")
_AS_STORED = Decimal("0.0001")  # the scale of IndicatorValue.value
_STAGING_TABLE = "import_values_staging"


@transaction.atomic
def import_report_values(*, user, values, batch_size=5000, progress=None):
    """Write checked indicator values into approved reports, all or nothing; record their events.

    ``values`` is ``{(unit_id, year, quarter): {indicator_id: (value, note)}}``
    holding values already cleaned by the shared rules (``indicators.imports``
    does that); a note of ``None`` keeps the stored note. A quarter without a
    report gets an approved report whose nine task groups are unanswered; an
    approved report gets the values as a new version. Each report that changes
    gets an "imported" revision, so its history keeps the old values; a report
    whose values are already the same is left alone. A report that is not
    approved makes the whole import fail with ``ReportStateError``.

    ``progress(done, total)`` is told how many values were written. Returns
    ``{"created": [ids], "updated": [ids], "unchanged": [ids], "values": n}``.
    """
    from django.db.models import F, Max

    if not policies.can_import_values(user):
        raise PermissionDenied(_("Only ministry reviewers may import values."))
    actor = user if getattr(user, "pk", None) else None
    now = timezone.now()
    keys = set(values)

    candidates = Report.objects.filter(
        unit_id__in={k[0] for k in keys}, year__in={k[1] for k in keys}
    ).values_list("pk", "unit_id", "year", "quarter")
    wanted = [pk for pk, *key in candidates if tuple(key) in keys]
    existing = {}
    # Sorted, so that two imports lock rows in the same order and cannot deadlock.
    for report in (
        Report.objects.select_for_update(of=("self",)).select_related("unit").filter(pk__in=wanted).order_by("pk")
    ):
        check_can_import_into(report)
        existing[(report.unit_id, report.year, report.quarter)] = report

    created = [
        Report(
            unit_id=unit_id, year=year, quarter=quarter, status=ReportStatus.APPROVED, version=1,
            created_by=actor, updated_by=actor, approved_at=now, approved_by=actor,
        )
        for unit_id, year, quarter in sorted(keys - set(existing))
    ]
    try:
        with transaction.atomic():
            Report.objects.bulk_create(created, batch_size=batch_size)
    except IntegrityError:
        raise ReportError(
            _("Someone started one of these reports during the import; nothing was imported. Run it again."),
            code="exists",
        ) from None
    items_of = {}  # the items a report on each quarter answers, looked up once per quarter
    for report in created:
        items_of.setdefault((report.year, report.quarter), reference.report_items(Quarter(report.year, report.quarter)))
    NodeAnswer.objects.bulk_create(
        (NodeAnswer(report=report, node=node) for report in created for node in items_of[report.year, report.quarter]),
        batch_size=batch_size,
    )
    reports = {**existing, **{(r.unit_id, r.year, r.quarter): r for r in created}}

    stored = _stored_values([r.pk for r in existing.values()], batch_size)
    writes, changed = [], set()
    for key, entries in values.items():
        report_id = reports[key].pk
        for indicator_id, (value, note) in entries.items():
            if value is not None:
                # As the column stores it, so that the snapshot reads like report_content's.
                value = value.quantize(_AS_STORED)
            old = stored.get((report_id, indicator_id))
            if note is None:
                note = old.note if old else ""
            if old is not None and old.value == value and old.note == note:
                continue
            stored[(report_id, indicator_id)] = _Entry(value, note)
            writes.append((report_id, indicator_id, value, note))
            changed.add(report_id)
    _write_values(writes, batch_size, progress)

    updated = [r for r in existing.values() if r.pk in changed]
    Report.objects.filter(pk__in=[r.pk for r in updated]).update(
        version=F("version") + 1, updated_by=actor, updated_at=now
    )
    for report in updated:
        report.version += 1
        report.updated_by = actor
        report.updated_at = now

    codes = dict(Indicator.objects.values_list("pk", "code"))
    values_of = {}
    for (report_id, indicator_id), entry in stored.items():
        if report_id in changed:
            values_of.setdefault(report_id, []).append((codes[indicator_id], entry))
    evidence_of = {}
    for item in Evidence.objects.filter(answer__report_id__in=[r.pk for r in updated]).order_by("id"):
        evidence_of.setdefault(item.answer_id, []).append(item)
    answers_of = {}
    for row in NodeAnswer.objects.filter(report_id__in=[r.pk for r in updated]).select_related(
        "node__version__framework"
    ).order_by("node__version__framework__code", "node__order"):
        answers_of.setdefault(row.report_id, []).append((row.node, row, evidence_of.get(row.pk, [])))
    last_numbers = dict(
        ReportRevision.objects.filter(report_id__in=[r.pk for r in updated])
        .values("report_id")
        .annotate(last=Max("number"))
        .values_list("report_id", "last")
    )
    revisions = []
    for report in [*created, *updated]:
        if report.pk in answers_of:
            answers = answers_of[report.pk]
        else:
            answers = [(node, NodeAnswer(node=node), []) for node in items_of[report.year, report.quarter]]
        content = selectors.build_content(answers, sorted(values_of.get(report.pk, []), key=lambda item: item[0]))
        content["status"] = report.status
        revisions.append(ReportRevision(
            report=report, number=last_numbers.get(report.pk, 0) + 1, version=report.version,
            action=RevisionAction.IMPORTED, status=report.status, actor=actor, snapshot=content,
        ))
    ReportRevision.objects.bulk_create(revisions, batch_size=batch_size)
    # The same events as approvals on the report page: results, e-mails, webhooks.
    units_by_id = AdministrativeUnit.objects.in_bulk({r.unit_id for r in created})
    for report in created:
        report.unit = units_by_id[report.unit_id]
    events.record_import(approved=created, updated=updated, actor=actor)
    if progress:
        progress(len(writes), len(writes))
    return {
        "created": [r.pk for r in created],
        "updated": [r.pk for r in updated],
        "unchanged": [r.pk for r in existing.values() if r.pk not in changed],
        "values": len(writes),
    }


def _stored_values(report_ids, batch_size):
    """``{(report_id, indicator_id): _Entry}`` for every value of the reports ``report_ids``."""
    stored = {}
    if report_ids:
        rows = IndicatorValue.objects.filter(report_id__in=report_ids).values_list(
            "report_id", "indicator_id", "value", "note"
        )
        for report_id, indicator_id, value, note in rows.iterator(chunk_size=batch_size):
            stored[(report_id, indicator_id)] = _Entry(value, note)
    return stored


def _write_values(rows, batch_size, progress):
    """Store ``rows`` of ``(report_id, indicator_id, value, note)``, overwriting values already stored.

    On PostgreSQL each batch is copied into a temporary table and merged by one
    ``INSERT … ON CONFLICT DO UPDATE``: no model instances, no statement with
    thousands of parameters, and a value overwritten in place keeps its row,
    so it needs no new foreign-key check at commit. Elsewhere (the SQLite
    demo) ``bulk_create`` merges the same way.
    """
    if connection.vendor != "postgresql":
        for start in range(0, len(rows), batch_size):
            IndicatorValue.objects.bulk_create(
                [
                    IndicatorValue(report_id=report_id, indicator_id=indicator_id, value=value, note=note)
                    for report_id, indicator_id, value, note in rows[start:start + batch_size]
                ],
                update_conflicts=True, unique_fields=["report", "indicator"], update_fields=["value", "note"],
            )
            if progress:
                progress(min(start + batch_size, len(rows)), len(rows))
        return
    meta = IndicatorValue._meta
    quote = connection.ops.quote_name
    report, indicator, value, note = (
        quote(meta.get_field(name).column) for name in ("report", "indicator", "value", "note")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING_TABLE} "
            f"(report_id bigint, indicator_id bigint, value numeric(18, 4), note text) ON COMMIT DROP"
        )
        for start in range(0, len(rows), batch_size):
            buffer = io.StringIO()
            # CSV: the quoting of notes with commas, quotes and line breaks is csv's;
            # an empty cell is NULL (a value of None), FORCE_NOT_NULL keeps empty notes "".
            csv.writer(buffer, lineterminator="\n").writerows(rows[start:start + batch_size])
            buffer.seek(0)
            # The raw psycopg2 cursor: Django's wrapper does not expose copy_expert.
            cursor.cursor.copy_expert(
                f"COPY {_STAGING_TABLE} (report_id, indicator_id, value, note) "
                f"FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (note))",
                buffer,
            )
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({report}, {indicator}, {value}, {note}) "
                f"SELECT report_id, indicator_id, value, note FROM {_STAGING_TABLE} "
                f"ON CONFLICT ({report}, {indicator}) "
                f"DO UPDATE SET {value} = EXCLUDED.{value}, {note} = EXCLUDED.{note}"
            )
            cursor.execute(f"TRUNCATE {_STAGING_TABLE}")
            if progress:
                progress(min(start + batch_size, len(rows)), len(rows))
        cursor.execute(f"DROP TABLE {_STAGING_TABLE}")
