"""Every write to a maturity assessment, with the rules that govern it.

The assessment pages and the REST API call these functions; nothing changes an
assessment any other way. They follow ``programmes.services`` (reports) and
share its machinery: permissions from ``programmes.policies`` (the workflow
is ``ASSESSMENT_TRANSITIONS``), the version check and its conflict with what
changed, revisions with snapshots, the upload rules of ``programmes.uploads``,
contents checked by ``programmes.validation`` with errors keyed by field path
(``criteria.A1.met``), and events through the outbox (e-mails, webhooks, the
levels' recomputation in ``indicators.results.maturity``). Each write happens
in one transaction: a refused write changes nothing.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import assessment_selectors as selectors
from programmes import events, paths, policies
from programmes.models import (
    Assessment,
    AssessmentEvidence,
    CriterionAnswer,
    RevisionAction,
)
from programmes.policies import Action
from programmes.services import (
    ReportConflict,
    ReportError,
    ReportInvalid,
    ReportStateError,
    SubmitterMayNotApprove,
    _audit,
    _bump,
    _check_version,
    _delete_stored,
    _revise,
)
from programmes.validation import (
    CheckResult,
    check_assessment_evidence,
    check_assessment_for_submission,
    clean_assessment_data,
    clean_decisions,
)
from provinces.quarters import FIRST_REPORTING_YEAR

__all__ = [
    "AssessmentConflict", "ReportError", "ReportInvalid", "ReportStateError", "SubmitterMayNotApprove",
    "approve_assessment", "check_can_assess", "reopen_assessment", "return_assessment", "save_assessment",
    "start_assessment", "submit_assessment", "verify_assessment",
]


class AssessmentConflict(ReportConflict):
    """Someone saved the assessment after the version the caller edited (the API's 409 ``conflict``)."""

    @staticmethod
    def describe(mine, current, *, by_you=False):
        if by_you:
            return _(
                "You saved this assessment in another tab or window while editing it here (this page's "
                "version %(mine)s, now %(current)s). Nothing of this page was saved: review the changes, then "
                "make yours again."
            ) % {"mine": mine, "current": current}
        return _(
            "Someone else saved this assessment while you were editing it (your version %(mine)s, "
            "now %(current)s). Nothing of yours was saved: review their changes, then make yours again."
        ) % {"mine": mine, "current": current}


def _invalid(errors):
    return ReportInvalid(errors, message=_("The assessment has problems: see the marked criteria."))


def _locked(assessment):
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit", "framework_version__framework")
        .get(pk=assessment.pk)
    )


def _check(assessment, version, user):
    _check_version(
        assessment, version, user=user, content=selectors.assessment_content, conflict=AssessmentConflict,
        missing=_("Give the version of the assessment you edited."),
    )


def _revise_assessment(assessment, action, actor, **kwargs):
    return _revise(assessment, action, actor, content=selectors.assessment_content, **kwargs)


# --- who may be assessed, when ---------------------------------------------------------------


def check_can_assess(unit, version, year, today=None):
    """Raise ``ReportError`` unless ``unit`` may be assessed for ``year`` against ``version``.

    The year must have begun; the version must assess by maturity level (criteria
    and levels), be active or retired, and be in force on some day of the
    year; the unit must be in force at the end of the year (a year is assessed
    for the units that stand on 31 December: for 2025, the 34 units formed on
    1 July 2025).
    """
    today = today or timezone.localdate()
    year = int(year)
    if year < FIRST_REPORTING_YEAR:
        raise ReportError(_("Assessments start in %(year)s.") % {"year": FIRST_REPORTING_YEAR}, code="too_early")
    if year > today.year:
        raise ReportError(
            _("%(year)s has not begun yet: it can be assessed from 1 January %(year)s.") % {"year": year},
            code="year_not_begun",
        )
    if version.status == "draft" or not selectors.is_maturity_version(version):
        raise ReportError(
            _("%(version)s is not a framework version assessed by maturity level (an active version whose "
              "criteria have levels).") % {"version": version},
            code="not_assessable",
        )
    start, end = selectors.year_bounds(year)
    if version.valid_from > end or (version.valid_until is not None and version.valid_until < start):
        raise ReportError(
            _("Version %(version)s of %(framework)s is not in force in %(year)s.")
            % {"version": version.code, "framework": version.framework, "year": year},
            code="version_not_in_force",
        )
    if not unit.in_force_throughout(end, end):
        if unit.valid_from and unit.valid_from > end:
            message = _("%(unit)s was formed on %(day)s and cannot be assessed for %(year)s.") % {
                "unit": unit, "day": unit.valid_from.strftime("%d/%m/%Y"), "year": year,
            }
        else:
            message = _(
                "%(unit)s was dissolved on %(day)s: a year is assessed for the units in force at its end "
                "(31/12/%(year)s)."
            ) % {"unit": unit, "day": unit.valid_until.strftime("%d/%m/%Y"), "year": year}
        raise ReportError(message, code="unit_not_in_force")


def _exists_error(unit, version, year):
    return ReportError(
        _("%(unit)s already has an assessment for %(year)s against %(version)s.")
        % {"unit": unit, "year": year, "version": version},
        code="exists",
    )


# --- creating and editing ------------------------------------------------------------------------


def _refresh_measured(assessment, found, criteria):
    """Write the measured answers of ``found`` (the assessment's answers) from the approved values.

    Returns the answers that changed (their decision is reset). A criterion
    measured by indicator thresholds is answered by the unit's latest approved
    values of the year, never by the unit.
    """
    measured = selectors.measured_answers(assessment, criteria)
    changed = []
    for answer in found:
        if answer.node.code not in measured:
            continue
        met, values = measured[answer.node.code]
        if answer.met != met or answer.measured != values:
            answer.met, answer.measured = met, values
            changed.append(answer)
    return changed


@transaction.atomic
def start_assessment(*, user, unit, framework_version, year, chosen=(), today=None):
    """Create the draft assessment of ``unit`` for ``year`` against ``framework_version``.

    Every criterion of the version gets an answer; the basic ones are assessed,
    the optional ones in ``chosen``; those measured by indicator thresholds are
    answered from the unit's approved values at once.
    """
    if not policies.can_file_assessment(user, unit):
        raise PermissionDenied(_("You may not assess %(unit)s.") % {"unit": unit})
    year = int(year)
    check_can_assess(unit, framework_version, year, today)
    criteria = selectors.criteria_of(framework_version)
    cleaned, result = clean_assessment_data({paths.CHOSEN: list(chosen or [])}, criteria)
    if not result.is_valid:
        raise _invalid(result.errors)
    if Assessment.objects.filter(unit=unit, framework_version=framework_version, year=year).exists():
        raise _exists_error(unit, framework_version, year)
    actor = user if getattr(user, "pk", None) else None
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                unit=unit, framework_version=framework_version, year=year, created_by=actor, updated_by=actor,
            )
    except IntegrityError:
        raise _exists_error(unit, framework_version, year) from None
    wanted = set(cleaned[paths.CHOSEN])
    rows = CriterionAnswer.objects.bulk_create(
        CriterionAnswer(assessment=assessment, node=node, chosen=node.code in wanted and not node.basic)
        for node in criteria
    )
    for row, node in zip(rows, criteria, strict=True):
        row.node = node
    changed = _refresh_measured(assessment, rows, criteria)
    CriterionAnswer.objects.bulk_update(changed, ["met", "measured"])
    _revise_assessment(assessment, RevisionAction.CREATED, user)
    return assessment


def _may_edit(user, assessment, verb):
    if policies.can_edit_assessment(user, assessment):
        return
    if not policies.can_view_assessment(user, assessment):
        raise PermissionDenied(_("You may not change this assessment."))
    if verb == "submit":
        message = _("A %(status)s assessment cannot be submitted.")
    else:
        message = _("A %(status)s assessment cannot be changed.")
    raise ReportStateError(message % {"status": assessment.get_status_display()})


def _checked_uploads(assessment, uploads, assessed, errors):
    """The uploads ``[(code, file)]`` that pass ``programmes.uploads``; problems go into ``errors``."""
    from programmes.uploads import check_evidence_file, check_report_total

    checked = []
    for code, upload in uploads or ():
        path = str(paths.criterion_path(code, "evidence_files"))
        if code not in assessed:
            errors.setdefault(path, []).append(_("This criterion is not assessed: choose it first."))
            continue
        try:
            checked.append((code, upload, check_evidence_file(upload)))
        except ValidationError as error:
            errors.setdefault(path, []).extend(error.messages)
    if checked and not errors:
        attached = (
            AssessmentEvidence.objects.filter(answer__assessment=assessment).exclude(file="")
            .aggregate(total=Sum("size"))["total"] or 0
        )
        try:
            check_report_total(attached, [upload for _code, upload, _type in checked], assessment=True)
        except ValidationError as error:
            for code in sorted({code for code, _upload, _type in checked}):
                errors.setdefault(str(paths.criterion_path(code, "evidence_files")), []).extend(error.messages)
    return checked


@transaction.atomic
def save_assessment(*, user, assessment, version, data, uploads=(), remove=()):
    """Save changes to a draft or returned assessment; what ``data`` leaves out stays as it is.

    ``data`` is ``{"chosen": [codes], "criteria": {code: {"met", "explanation",
    "evidence_links"}}}``; ``uploads`` (``[(code, file)]``) are attached and the
    evidence files whose ids are in ``remove`` taken off, in the same revision.
    A criterion answered "met" without evidence is refused. A criterion whose
    answer changes loses the reviewer's earlier decision on it.
    """
    assessment = _locked(assessment)
    _may_edit(user, assessment, "save")
    _check(assessment, version, user)
    criteria = selectors.criteria_of(assessment.framework_version)
    found = selectors.answers(assessment)
    by_code = {a.node.code: a for a in found}
    measured_before = {a.node.code: (a.met, a.measured) for a in found}
    measured_changed = {a.node.code for a in _refresh_measured(assessment, found, criteria)}
    measured_codes = {node.code for node in criteria if selectors.is_measured(node)}
    cleaned, result = clean_assessment_data(data, criteria, measured_codes=measured_codes)
    errors = dict(result.errors)

    chosen = set(cleaned[paths.CHOSEN]) if paths.CHOSEN in cleaned else {c for c, a in by_code.items() if a.chosen}
    assessed = {code for code, a in by_code.items() if a.node.basic or code in chosen}
    for code in cleaned[paths.CRITERIA]:
        if code not in assessed:
            errors.setdefault(str(paths.criterion_path(code)), []).append(
                _("This criterion is not assessed: choose it first.")
            )
    removing = set(remove or ())
    removed = []
    if removing:
        removed = list(
            AssessmentEvidence.objects.filter(answer__assessment=assessment, pk__in=removing).exclude(file="")
        )
        if len(removed) != len(removing):
            errors.setdefault("evidence_file", []).append(
                _("This file is not attached to this assessment (any more): reload the page.")
            )
    checked = _checked_uploads(assessment, uploads, assessed, errors)

    # The contents as this write would leave them: "met" needs evidence.
    removed_ids = {e.pk for e in removed}
    uploaded = {code for code, _upload, _type in checked}
    prospective = {paths.CRITERIA: {}}
    for code in assessed:
        answer, entry = by_code[code], cleaned[paths.CRITERIA].get(code, {})
        evidence = [e for e in answer.evidence.all() if e.pk not in removed_ids]
        prospective[paths.CRITERIA][code] = {
            "met": entry.get("met", answer.met),
            "measured": answer.measured,
            "evidence_links": entry.get("evidence_links", [e.url for e in evidence if e.url]),
            "evidence_files": [e.pk for e in evidence if e.file] + ([code] if code in uploaded else []),
        }
    errors = {**check_assessment_evidence(prospective, CheckResult(errors=errors)).errors}
    if errors:
        raise _invalid(errors)

    actor = user if getattr(user, "pk", None) else None
    changed_rows = []
    for code, answer in by_code.items():
        entry = cleaned[paths.CRITERIA].get(code, {})
        before = (answer.met, answer.explanation, answer.chosen)
        answer.chosen = code in chosen and not answer.node.basic
        answer.met = entry.get("met", answer.met)
        answer.explanation = entry.get("explanation", answer.explanation)
        answer_changed = (answer.met, answer.explanation) != before[:2] or code in measured_changed
        if "evidence_links" in entry:
            wanted = list(dict.fromkeys(entry["evidence_links"]))
            existing = {e.url: e for e in answer.evidence.all() if e.url}
            stale = [e.pk for url, e in existing.items() if url not in wanted]
            fresh = [url for url in wanted if url not in existing]
            if stale or fresh:
                AssessmentEvidence.objects.filter(pk__in=stale).delete()
                AssessmentEvidence.objects.bulk_create(
                    AssessmentEvidence(answer=answer, url=url, uploaded_by=actor) for url in fresh
                )
                answer_changed = True
        if any(e.answer_id == answer.pk for e in removed) or code in uploaded:
            answer_changed = True
        if answer_changed and answer.accepted is not None:
            # A decision was on the answer as it was: the reviewer decides again.
            answer.accepted = None
        if answer_changed or before[2] != answer.chosen or measured_before[code] != (answer.met, answer.measured):
            changed_rows.append(answer)
    CriterionAnswer.objects.bulk_update(changed_rows, ["chosen", "met", "explanation", "measured", "accepted"])
    if removed:
        AssessmentEvidence.objects.filter(pk__in=removed_ids).delete()
        storage, names = removed[0].file.storage, [e.file.name for e in removed]
        transaction.on_commit(lambda: _delete_stored(storage, names))
    for code, upload, content_type in checked:
        AssessmentEvidence.objects.create(
            answer=by_code[code], file=upload, original_name=upload.name[:255], content_type=content_type,
            size=upload.size, uploaded_by=actor,
        )
    _bump(assessment, user)
    _revise_assessment(assessment, RevisionAction.SAVED, user)
    return assessment


@transaction.atomic
def submit_assessment(*, user, assessment, version, data=None, uploads=(), today=None):
    """Submit a draft or returned assessment for verification, saving ``data`` first if given.

    Every criterion assessed must be answered, and "met" only with evidence;
    the measured criteria are read again from the approved values. Nothing is
    saved if any rule fails.
    """
    if data is not None or uploads:
        assessment = save_assessment(user=user, assessment=assessment, version=version, data=data or {},
                                     uploads=uploads)
        version = assessment.version
    assessment = _locked(assessment)
    _may_edit(user, assessment, "submit")
    _check(assessment, version, user)
    found = selectors.answers(assessment)
    changed = _refresh_measured(assessment, found, selectors.criteria_of(assessment.framework_version))
    for answer in changed:
        answer.accepted = None
    CriterionAnswer.objects.bulk_update(changed, ["met", "measured", "accepted"])
    result = check_assessment_for_submission(selectors.content_of(found))
    if not result.is_valid:
        raise _invalid(result.errors)
    now = timezone.now()
    assessment.first_submitted_at = assessment.first_submitted_at or now
    assessment.submitted_at = now
    assessment.status = policies.target_status(Action.SUBMIT, assessment)
    _bump(assessment, user, "status", "submitted_at", "first_submitted_at")
    _revise_assessment(assessment, RevisionAction.SUBMITTED, user)
    events.record_assessment_event(events.ASSESSMENT_SUBMITTED, assessment, actor=user)
    return assessment


# --- verification by the Ministry -------------------------------------------------------------------


def _reviewable(user, assessment, action):
    if not policies.is_reviewer(user):
        if policies.can_view_assessment(user, assessment):
            raise PermissionDenied(_("Only ministry reviewers may verify assessments."))
        raise PermissionDenied(_("You may not see this assessment."))
    if not policies.allows(action, assessment):
        raise ReportStateError(
            _("This assessment is %(status)s; that action is not possible now.")
            % {"status": assessment.get_status_display()}
        )


@transaction.atomic
def verify_assessment(*, user, assessment, version, decisions):
    """Record a reviewer's decisions on criteria of a submitted assessment.

    ``decisions``: ``[{"code", "accepted", "comment"}]``; a rejection needs a
    comment. Criteria not named keep their decision. The assessment stays
    submitted until it is approved or returned.
    """
    assessment = _locked(assessment)
    _reviewable(user, assessment, Action.VERIFY)
    _check(assessment, version, user)
    found = selectors.answers(assessment)
    by_code = {a.node.code: a for a in found if selectors.is_assessed(a)}
    cleaned, result = clean_decisions(decisions, set(by_code))
    if not result.is_valid:
        raise _invalid(result.errors)
    if not cleaned:
        raise _invalid({paths.CRITERIA: [_("Give a decision on at least one criterion.")]})
    now = timezone.now()
    rows = []
    for code, decision in cleaned.items():
        answer = by_code[code]
        answer.accepted, answer.comment = decision["accepted"], decision["comment"]
        answer.decided_by, answer.decided_at = user, now
        rows.append(answer)
    CriterionAnswer.objects.bulk_update(rows, ["accepted", "comment", "decided_by", "decided_at"])
    _bump(assessment, user)
    _revise_assessment(assessment, RevisionAction.VERIFIED, user)
    return assessment


@transaction.atomic
def return_assessment(*, user, assessment, version, comment, field_comments=None):
    """Send a submitted assessment back to its unit with the reviewer's comment; decisions stay."""
    assessment = _locked(assessment)
    _reviewable(user, assessment, Action.RETURN)
    _check(assessment, version, user)
    comment = (comment or "").strip()
    if not comment:
        raise _invalid({"comment": [_("Say what the unit should change.")]})
    field_comments = {str(k): str(v).strip() for k, v in (field_comments or {}).items() if str(v).strip()}
    assessment.status = policies.target_status(Action.RETURN, assessment)
    assessment.review_comment = comment
    assessment.field_comments = field_comments
    _bump(assessment, user, "status", "review_comment", "field_comments")
    _revise_assessment(assessment, RevisionAction.RETURNED, user, comment=comment, field_comments=field_comments)
    events.record_assessment_event(events.ASSESSMENT_RETURNED, assessment, actor=user, comment=comment)
    _audit("assessment-returned", user, assessment, comment=comment)
    return assessment


@transaction.atomic
def approve_assessment(*, user, assessment, version, comment=""):
    """Approve a submitted assessment whose every criterion was accepted or rejected.

    Its level is then computed and published (``indicators.results.maturity``).
    Whoever submitted it may not approve it (``SubmitterMayNotApprove``).
    """
    assessment = _locked(assessment)
    _reviewable(user, assessment, Action.APPROVE)
    if not policies.can_approve_assessment(user, assessment):
        raise SubmitterMayNotApprove(
            _("You submitted this assessment yourself: another reviewer must approve it.")
        )
    _check(assessment, version, user)
    undecided = [a.node.code for a in selectors.answers(assessment) if selectors.is_assessed(a) and a.accepted is None]
    if undecided:
        raise _invalid({
            str(paths.criterion_path(code, "accepted")): [
                _("Accept or reject this criterion before approving the assessment.")
            ]
            for code in undecided
        })
    assessment.status = policies.target_status(Action.APPROVE, assessment)
    assessment.approved_at = timezone.now()
    assessment.approved_by = user
    assessment.review_comment = ""
    assessment.field_comments = {}
    _bump(assessment, user, "status", "approved_at", "approved_by", "review_comment", "field_comments")
    _revise_assessment(assessment, RevisionAction.APPROVED, user, comment=(comment or "").strip())
    events.record_assessment_event(events.ASSESSMENT_APPROVED, assessment, actor=user)
    _audit("assessment-approved", user, assessment)
    return assessment


@transaction.atomic
def reopen_assessment(*, user, assessment, version, reason):
    """Reopen an approved assessment for correction; its level is withdrawn until it is approved again."""
    assessment = _locked(assessment)
    _reviewable(user, assessment, Action.REOPEN)
    _check(assessment, version, user)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("Give the reason for reopening the assessment.")]})
    assessment.status = policies.target_status(Action.REOPEN, assessment)
    assessment.review_comment = reason
    assessment.approved_at = None
    assessment.approved_by = None
    _bump(assessment, user, "status", "review_comment", "approved_at", "approved_by")
    _revise_assessment(assessment, RevisionAction.REOPENED, user, comment=reason)
    events.record_assessment_event(events.ASSESSMENT_REOPENED, assessment, actor=user, reason=reason)
    _audit("assessment-reopened", user, assessment, reason=reason)
    return assessment
