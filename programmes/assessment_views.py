"""The maturity assessment pages: list, new assessment, the form, the assessment and its verification,
history and differences, evidence files.

As the report pages (``programmes.views``): every change goes through
``programmes.assessments``, every permission question through
``programmes.policies``; an assessment the user may not read answers 404, one
he may read but not act on 403. Every page that shows an illustrative
framework version says so.
"""
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from indicators.models import MaturityResult
from indicators.results.maturity import is_verified_met, summary_of
from programmes import (
    assessment_selectors,
    assessments,
    paths,
    policies,
    selectors,
    uploads,
)
from programmes.assessment_forms import (
    AssessmentForm,
    AssessmentReturnForm,
    DecisionForm,
    StartAssessmentForm,
)
from programmes.filtersets import AssessmentFilterSet
from programmes.forms import DiffForm, ReopenForm
from programmes.models import Assessment, AssessmentEvidence, ReportStatus
from programmes.views import (
    FIELD_NAMES,
    FormField,
    _describe_changes,
    comments_by_section,
    describe_measured,
)
from provinces.selectors import unit_name_order
from smartcity_portal.accounts.services import acting_as
from smartcity_portal.paging import page_or_404

ASSESSMENTS_PER_PAGE = 50


def visible_assessment(user, pk):
    """The assessment ``pk`` if ``user`` may read it; 404 otherwise (also when it does not exist)."""
    queryset = Assessment.objects.select_related(
        "unit", "framework_version__framework", "created_by", "updated_by", "approved_by"
    )
    return get_object_or_404(policies.visible_assessments(user, queryset), pk=pk)


def criterion_anchor(code):
    return f"criterion-{code}"


def criterion_labels(answers):
    """Readable names of an assessment's field paths, for diffs, conflicts and comments."""
    labels = {"status": _("Assessment status"), paths.CHOSEN: _("Optional criteria assessed")}
    for answer in answers:
        title = f"{answer.node.code}. {answer.node.name}"
        labels[str(paths.criterion_path(answer.node.code))] = title
        for part in paths.CRITERION_FIELDS:
            labels[str(paths.criterion_path(answer.node.code, part))] = f"{title} · {FIELD_NAMES[part]}"
    return labels


def level_groups(version, sections):
    """``[(level or None, [section])]``: the criteria under their level, in the version's order."""
    levels = list(version.levels.all())
    by_number = {level.number: level for level in levels}
    groups = {level.number: (level, []) for level in levels}
    loose = []
    for section in sections:
        number = section.answer.node.level
        (groups[number][1] if number in by_number else loose).append(section)
    found = [groups[level.number] for level in levels if groups[level.number][1]]
    if loose:
        found.append((None, loose))
    return found


@dataclass
class CriterionSection:
    """One criterion on the assessment pages, with its answer and, on the form, its fields."""

    answer: object
    assessed: bool
    fields: list = field(default_factory=list)  # FormField: met (not for measured criteria)
    explanation: FormField = None
    links: FormField = None
    files: FormField = None
    decision: list = field(default_factory=list)  # the reviewer's decision fields on the detail page
    comment: str = ""
    errors: list = field(default_factory=list)

    @property
    def node(self):
        return self.answer.node

    @property
    def anchor(self):
        return criterion_anchor(self.node.code)

    @property
    def measured(self):
        return assessment_selectors.is_measured(self.node)

    @property
    def measured_lines(self):
        return [describe_measured(item) for item in self.answer.measured or []]

    @property
    def links_list(self):
        return [e.url for e in self.answer.evidence.all() if e.url]

    @property
    def files_list(self):
        return [e for e in self.answer.evidence.all() if e.file]

    @property
    def verified_met(self):
        return is_verified_met(self.answer)

    @property
    def has_problems(self):
        bound = [f.bound for f in (*self.fields, self.explanation, self.links, self.files) if f is not None]
        return bool(self.errors) or any(b.errors for b in bound)


def level_context(assessment, found):
    levels = list(assessment.framework_version.levels.all())
    summary = summary_of(found, levels)
    names = {level.number: level for level in levels}
    return {
        "levels": levels,
        "summary": summary,
        "level_reached": names.get(summary.level),
        "next_level": names.get(summary.level + 1),
        "per_level": [(names[row["level"]], row["met"], row["assessed"]) for row in summary.per_level],
        "gap_answers": [a for a in found if a.node.code in set(summary.gaps)],
    }


# --- list and new assessment ------------------------------------------------------------------------------


class AssessmentListView(LoginRequiredMixin, View):
    """``/assessments/``: the maturity assessments the user may read, filtered, newest year first."""

    def get(self, request):
        queryset = policies.listed_assessments(
            request.user, Assessment.objects.select_related("unit", "framework_version__framework")
        )
        filterset = AssessmentFilterSet(request.GET, queryset=queryset)
        found = filterset.qs if filterset.is_valid() else queryset.none()
        page = page_or_404(
            request, found.order_by("-year", unit_name_order(), "framework_version__framework__code", "pk"),
            ASSESSMENTS_PER_PAGE,
        )
        rows = list(page.object_list)
        levels = dict(
            MaturityResult.objects.filter(assessment__in=[a.pk for a in rows]).values_list("assessment_id", "level")
        )
        for assessment in rows:
            assessment.can_edit = policies.can_edit_assessment(request.user, assessment)
            assessment.level_reached = levels.get(assessment.pk)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "programmes/assessments/list.html", {
            "filter": filterset,
            "page": page,
            "assessments": rows,
            "query": query.urlencode(),
            "can_start": policies.can_start_assessments(request.user),
            "waiting": (assessment_selectors.assessments_waiting_for_review(limit=20)
                        if policies.is_reviewer(request.user) else []),
            "any_illustrative": any(a.framework_version.is_illustrative for a in rows),
        })


@method_decorator(never_cache, name="dispatch")
class AssessmentStartView(LoginRequiredMixin, View):
    """``/assessments/new/``: choose a unit, a framework version and a year; the draft assesses the basic criteria."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policies.can_start_assessments(request.user):
            raise PermissionDenied(_("Only province reporters assess their units."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.show(StartAssessmentForm(user=request.user, today=timezone.localdate()))

    def post(self, request):
        form = StartAssessmentForm(request.POST, user=request.user, today=timezone.localdate())
        existing = None
        if form.is_valid():
            unit, version, year = (form.cleaned_data[k] for k in ("unit", "framework_version", "year"))
            try:
                assessment = assessments.start_assessment(
                    user=request.user, unit=unit, framework_version=version, year=year
                )
            except PermissionDenied as error:
                form.add_error("unit", str(error) or _("You may not assess this unit."))
            except assessments.ReportInvalid as error:
                for messages_ in error.errors.values():
                    for message in messages_:
                        form.add_error(None, message)
            except assessments.ReportError as error:
                target = {"unit_not_in_force": "unit", "year_not_begun": "year", "too_early": "year",
                          "exists": None}.get(error.code, "framework_version")
                form.add_error(target, error.message)
                if error.code == "exists":
                    existing = policies.visible_assessments(request.user).filter(
                        unit=unit, framework_version=version, year=year
                    ).first()
            else:
                messages.success(request, _(
                    "The draft self-assessment of %(unit)s for %(year)s is ready: it assesses the basic criteria; "
                    "tick the optional criteria the unit chooses."
                ) % {"unit": unit, "year": year})
                return redirect("assessments:edit", pk=assessment.pk)
        return self.show(form, existing=existing)

    def show(self, form, existing=None):
        return render(self.request, "programmes/assessments/start.html", {"form": form, "existing": existing})


# --- the assessment form ----------------------------------------------------------------------------------


def _edit_context(form, assessment, *, conflict=None):
    found = form.answers
    placed, loose = comments_by_section(assessment.field_comments if assessment.status == ReportStatus.RETURNED else {})
    criterion_errors = getattr(form, "criterion_errors", {})
    assessed = form.assessed_codes()

    def wrap(name):
        return FormField(form[name], comment=placed.get(name, "")) if name in form.fields else None

    sections = []
    for answer in found:
        code = answer.node.code
        met = wrap(AssessmentForm.name(code, "met"))
        sections.append(CriterionSection(
            answer=answer,
            assessed=code in assessed,
            fields=[met] if met else [],
            explanation=wrap(AssessmentForm.name(code, "explanation")),
            links=wrap(AssessmentForm.name(code, "evidence_links")),
            files=wrap(AssessmentForm.name(code, "evidence_files")),
            comment=placed.get(str(paths.criterion_path(code)), ""),
            errors=criterion_errors.get(code, []),
        ))
    labels = criterion_labels(found)
    error_summary = [
        (labels.get(name, form.fields[name].label), message, form[name].id_for_label)
        for name, messages_ in form.errors.items()
        if name in form.fields and name != "version"
        for message in messages_
    ] if form.is_bound else []
    return {
        "assessment": assessment,
        "version_obj": assessment.framework_version,
        "form": form,
        "groups": level_groups(assessment.framework_version, sections),
        "sections": sections,
        "error_summary": error_summary,
        "conflict": conflict,
        "conflict_changes": _describe_changes(conflict.changes, labels) if conflict else [],
        "loose_comments": loose,
        "show_review_comment": assessment.status == ReportStatus.RETURNED and assessment.review_comment,
        "full_history": True,
        **level_context(assessment, found),
    }


@method_decorator(never_cache, name="dispatch")
class AssessmentEditView(LoginRequiredMixin, View):
    """``/assessments/<pk>/edit/``: every criterion on one page; save a draft or submit it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.assessment = visible_assessment(request.user, kwargs["pk"])
        if not policies.can_edit_assessment(request.user, self.assessment):
            if policies.can_file_assessment(request.user, self.assessment.unit):
                messages.info(request, _("This assessment is %(status)s: it cannot be changed now.") % {
                    "status": self.assessment.get_status_display(),
                })
                return redirect(self.assessment)
            raise PermissionDenied(_("You may not change this assessment."))
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, *args, **kwargs):
        return AssessmentForm(*args, answers=assessment_selectors.answers(self.assessment), **kwargs)

    def get(self, request, pk):
        found = assessment_selectors.answers(self.assessment)
        form = AssessmentForm(initial=AssessmentForm.initial_from(found, self.assessment.version), answers=found)
        return self.show(form)

    def post(self, request, pk):
        unreadable = uploads.unreadable_uploads(request)
        files_lost = bool(request.FILES or unreadable)
        form = self.make_form(request.POST, request.FILES, unreadable=unreadable)
        removing = form.removals()
        submitting = request.POST.get("action") == "submit" and not removing
        if not form.is_valid():
            return self.show(form, files_lost=files_lost)
        options = {
            "user": request.user, "assessment": self.assessment, "version": form.cleaned_data["version"],
            "data": form.to_data(), "uploads": form.uploads(),
        }
        try:
            if submitting:
                assessments.submit_assessment(**options)
            else:
                saved = assessments.save_assessment(**options, remove=removing)
        except assessments.ReportInvalid as error:
            form.add_service_errors(error.errors)
            return self.show(form, files_lost=files_lost)
        except assessments.AssessmentConflict as error:
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            self.assessment = visible_assessment(request.user, pk)
            form = self.make_form(data)
            form.is_valid()
            return self.show(form, conflict=error, files_lost=files_lost)
        except assessments.ReportStateError as error:
            messages.error(request, error.message)
            return redirect(self.assessment)
        if submitting:
            messages.success(request, _(
                "The self-assessment was submitted. The Ministry will verify each criterion, then approve it or "
                "return it with comments."
            ))
            return redirect(self.assessment)
        if removing:
            messages.success(request, _("The file was removed and the draft saved (version %(version)s).") % {
                "version": saved.version,
            })
        else:
            messages.success(request, _("Draft saved (version %(version)s). You can come back to it at any time.") % {
                "version": saved.version,
            })
        return redirect("assessments:edit", pk=self.assessment.pk)

    def show(self, form, *, conflict=None, files_lost=False):
        context = _edit_context(form, self.assessment, conflict=conflict)
        context["files_lost"] = files_lost and form.is_bound
        return render(self.request, "programmes/assessments/form.html", context)


# --- the assessment and its verification ----------------------------------------------------------------


def _detail_context(request, assessment, **forms):
    user = request.user
    found = assessment_selectors.answers(assessment)
    placed, loose = comments_by_section(assessment.field_comments)
    can_verify = policies.can_verify_assessment(user, assessment)
    version = {"version": assessment.version}
    decision_form = None
    if can_verify:
        decision_form = forms.get("decision_form") or DecisionForm(initial=version, answers=found)
    sections = []
    for answer in found:
        code = answer.node.code
        decision = []
        if decision_form is not None and DecisionForm.name(code, "accepted") in decision_form.fields:
            decision = [decision_form[DecisionForm.name(code, "accepted")], decision_form[DecisionForm.name(code, "comment")]]
        sections.append(CriterionSection(
            answer=answer, assessed=assessment_selectors.is_assessed(answer), decision=decision,
            comment=placed.get(str(paths.criterion_path(code)), ""),
        ))
    context = {
        "assessment": assessment,
        "version_obj": assessment.framework_version,
        "groups": level_groups(assessment.framework_version, sections),
        "sections": sections,
        "assessed_count": sum(1 for s in sections if s.assessed),
        "decided_count": sum(1 for s in sections if s.assessed and s.answer.accepted is not None),
        "loose_comments": loose,
        "can_edit": policies.can_edit_assessment(user, assessment),
        "can_verify": can_verify,
        "can_approve": policies.can_approve_assessment(user, assessment),
        "can_reopen": policies.can_reopen_assessment(user, assessment),
        "decision_form": decision_form,
        "revision_count": policies.visible_revisions(user, assessment).count(),
        "full_history": policies.can_read_full_history(user, assessment),
        "is_published": policies.is_published_assessment(assessment),
        **level_context(assessment, found),
    }
    if can_verify:
        context["return_form"] = forms.get("return_form") or AssessmentReturnForm(initial=version, answers=found)
    if context["can_reopen"]:
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm(initial=version)
    return context


class AssessmentDetailView(LoginRequiredMixin, View):
    """``/assessments/<pk>/``: the assessment as filed, the reviewer's decisions, and the level it reaches."""

    def get(self, request, pk):
        assessment = visible_assessment(request.user, pk)
        return render(request, "programmes/assessments/detail.html", _detail_context(request, assessment))


class _ReviewActionView(LoginRequiredMixin, View):
    """A POST of a reviewer's action; the form carries the version the reviewer saw."""

    form_name = ""

    def get(self, request, pk):
        return redirect("assessments:detail", pk=pk)

    def make_form(self, assessment):
        raise NotImplementedError

    def act(self, assessment, form):
        """Carry the action out; return the message to show."""
        raise NotImplementedError

    def post(self, request, pk):
        assessment = visible_assessment(request.user, pk)
        form = self.make_form(assessment)
        if not form.is_valid():
            messages.error(request, _("The page was out of date; look at the assessment again and retry."))
            return redirect(assessment)
        try:
            with acting_as(request.user, request), transaction.atomic():
                message = self.act(assessment, form)
        except assessments.ReportInvalid as error:
            for key, texts in error.errors.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
            context = _detail_context(request, assessment, **{self.form_name: form})
            context["open_form"] = self.form_name
            return render(request, "programmes/assessments/detail.html", context)
        except assessments.ReportError as error:
            messages.error(request, error.message)
            return redirect(assessment)
        except assessments.SubmitterMayNotApprove as error:
            messages.error(request, str(error))
            return render(request, "programmes/assessments/detail.html", _detail_context(request, assessment),
                          status=403)
        messages.success(request, message)
        return redirect(assessment)


class AssessmentVerifyView(_ReviewActionView):
    """``/assessments/<pk>/verify/``: record the decisions; with ``action=approve`` approve as well."""

    form_name = "decision_form"

    def make_form(self, assessment):
        return DecisionForm(self.request.POST, answers=assessment_selectors.answers(assessment))

    def act(self, assessment, form):
        decisions = form.decisions()
        approving = self.request.POST.get("action") == "approve"
        # Approving publishes: the reviewer confirms (a ticked box, which works without script). Asked only
        # of a reviewer who may approve; anyone else gets the service's refusal as before.
        if approving and not form.cleaned_data["confirm"] and policies.can_approve_assessment(
            self.request.user, assessment
        ):
            raise assessments.ReportInvalid({"confirm": [DecisionForm.CONFIRM_REQUIRED]})
        version = form.cleaned_data["version"]
        if decisions or not approving:
            assessment = assessments.verify_assessment(
                user=self.request.user, assessment=assessment, version=version, decisions=decisions
            )
            version = assessment.version
        if approving:
            assessments.approve_assessment(user=self.request.user, assessment=assessment, version=version)
            return _("The assessment was approved; the level its verified criteria reach is now published.")
        return _("Your decisions were saved. Approve the assessment once every criterion is decided, or return it.")


class AssessmentReturnView(_ReviewActionView):
    form_name = "return_form"

    def make_form(self, assessment):
        return AssessmentReturnForm(self.request.POST, answers=assessment_selectors.answers(assessment))

    def act(self, assessment, form):
        assessments.return_assessment(
            user=self.request.user, assessment=assessment, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"], field_comments=form.field_comments(),
        )
        return _("The assessment was returned to the unit with your comments.")


class AssessmentReopenView(_ReviewActionView):
    form_name = "reopen_form"

    def make_form(self, assessment):
        return ReopenForm(self.request.POST)

    def act(self, assessment, form):
        assessments.reopen_assessment(
            user=self.request.user, assessment=assessment, version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
        return _("The assessment was reopened and sent back to the unit; its level is withdrawn until it is "
                 "approved again.")


# --- history and differences ---------------------------------------------------------------------------


class AssessmentHistoryView(LoginRequiredMixin, View):
    """``/assessments/<pk>/history/``: every revision, who made it and why (``policies.visible_revisions``)."""

    def get(self, request, pk):
        assessment = visible_assessment(request.user, pk)
        revisions = selectors.readable_revisions(request.user, assessment)
        labels = criterion_labels(assessment_selectors.answers(assessment))
        for before, revision in zip([None, *revisions], revisions, strict=False):
            revision.previous_number = before.number if before else None
            revision.comment_items = [
                (labels.get(key, key), text) for key, text in (revision.field_comments or {}).items()
            ]
        return render(request, "programmes/assessments/history.html", {
            "assessment": assessment,
            "version_obj": assessment.framework_version,
            "revisions": list(reversed(revisions)),
            "full_history": policies.can_read_full_history(request.user, assessment),
        })


class AssessmentDiffView(LoginRequiredMixin, View):
    """``/assessments/<pk>/diff/?from=N&to=M``: what changed between two revisions (the last two by default)."""

    def get(self, request, pk):
        assessment = visible_assessment(request.user, pk)
        revisions = selectors.readable_revisions(request.user, assessment)
        by_number = {r.number: r for r in revisions}
        if "from" in request.GET or "to" in request.GET:
            data = request.GET
        else:
            last = [r.number for r in revisions[-2:]]
            data = {"from": last[0], "to": last[-1]} if last else {}
        form = DiffForm(data, revisions=revisions)
        changes, old, new = None, None, None
        if form.is_valid():
            old, new = by_number[form.cleaned_data["from"]], by_number[form.cleaned_data["to"]]
            labels = criterion_labels(assessment_selectors.answers(assessment))
            changes = _describe_changes(selectors.diff_contents(old.snapshot, new.snapshot), labels)
        return render(request, "programmes/assessments/diff.html", {
            "assessment": assessment,
            "version_obj": assessment.framework_version,
            "form": form,
            "old": old,
            "new": new,
            "changes": changes,
            "full_history": policies.can_read_full_history(request.user, assessment),
        })


class AssessmentEvidenceDownloadView(LoginRequiredMixin, View):
    """``/assessments/evidence/<id>/``: an evidence file, to those who may read its assessment (as attachment)."""

    def get(self, request, pk):
        evidence = get_object_or_404(
            AssessmentEvidence.objects.select_related("answer__assessment").exclude(file=""), pk=pk
        )
        if not policies.can_view_assessment(request.user, evidence.answer.assessment):
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True,
            filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
