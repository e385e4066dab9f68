"""The quarterly report pages: list, new report, the form, the report, its review, history and diffs.

Every change goes through ``programmes.services`` and every permission question
through ``programmes.policies``. A report the user may not read answers 404,
never 403, so that its existence does not leak; a report the user may read but
not act on answers 403.
"""
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from indicators import selectors as reference
from indicators.models import Indicator, NodeKind, ValueType
from programmes import paths, policies, selectors, services, uploads
from programmes.filtersets import ReportFilterSet
from programmes.forms import (
    ApproveForm,
    DiffForm,
    QuarterForm,
    ReopenForm,
    ReportForm,
    ReturnForm,
    StartReportForm,
    node_key_of,
    shown_number,
)
from programmes.models import (
    Evidence,
    ProgressStatus,
    ProjectStatus,
    Report,
    ReportStatus,
    RevisionAction,
)
from provinces.quarters import Quarter
from provinces.selectors import unit_name_order
from smartcity_portal.accounts.services import acting_as
from smartcity_portal.paging import page_or_404

REPORTS_PER_PAGE = 50
SUBMITTED_MESSAGE = gettext_lazy(
    "The report was submitted for review. The Ministry will approve it or return it with comments."
)
STATUS_LABELS = dict(ProgressStatus.choices)
PROJECT_STATUS_LABELS = dict(ProjectStatus.choices)


def visible_report(user, pk):
    """The report ``pk`` if ``user`` may read it; 404 otherwise (also when it does not exist)."""
    queryset = Report.objects.select_related("unit", "created_by", "updated_by", "approved_by")
    return get_object_or_404(policies.visible_reports(user, queryset), pk=pk)


def format_value(indicator, value):
    """An indicator value as the pages show it: yes/no for booleans, no trailing zeros."""
    if value in (None, ""):
        return ""
    if indicator is not None and indicator.value_type == ValueType.BOOLEAN:
        return _("yes") if float(value) else _("no")
    return shown_number(value)


def indicator_groups(indicators):
    """Indicators grouped under the Decision 950 item they count toward; the others last."""
    mappings = reference.mappings_of_indicators([i.pk for i in indicators])
    groups, other = {}, []
    homes = {i.pk: reference.home_node(mappings.get(i.pk, []), reference.DEFAULT_FRAMEWORK) for i in indicators}
    for indicator in sorted(indicators, key=lambda i: (homes[i.pk].order if homes[i.pk] else 10**6, i.code)):
        home = homes[indicator.pk]
        if home is None:
            other.append(indicator)
        else:
            groups.setdefault(home.label, []).append(indicator)
    if other:
        groups[_("Other indicators")] = other
    return list(groups.items())


def item_anchor(node):
    """The page anchor of an item (``item-decision-950-3``): safe in an address and a CSS selector."""
    return f"item-{node.version.framework.code}-{node.code}"


def comments_by_section(field_comments):
    """Split the reviewer's ``field_comments`` into those on a field of the report and the others.

    Returns ``({path: text}, [unplaced texts])``; a path names an item or
    indicator (``nodes.decision-950:3``) or one of its fields.
    """
    placed, loose = {}, []
    for key, text in (field_comments or {}).items():
        if paths.parse_or_none(key) is None or key in paths.SECTIONS:
            loose.append(text)
        else:
            placed[key] = text
    return placed, loose


# --- list and new report ----------------------------------------------------------------------


class ReportListView(LoginRequiredMixin, View):
    """``/reports/``: the reports the user may read, filtered, newest quarter first.

    A province reporter's list opens filtered to the unit (``?province=<slug>``);
    "All units" in the filter shows the rest.
    """

    def get(self, request):
        if not request.GET and policies.lands_on_unit_page(request.user):
            return redirect(f"{reverse('programmes:report_list')}?province={request.user.unit.slug}")
        queryset = policies.listed_reports(request.user, Report.objects.select_related("unit"))
        filterset = ReportFilterSet(request.GET, queryset=queryset)
        reports = filterset.qs if filterset.is_valid() else queryset.none()
        page = page_or_404(request, reports.order_by("-year", "-quarter", unit_name_order(), "pk"), REPORTS_PER_PAGE)
        rows = list(page.object_list)
        for report in rows:
            report.can_edit = policies.can_edit_report(request.user, report)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "programmes/report_list.html", {
            "filter": filterset,
            "page": page,
            "reports": rows,
            "query": query.urlencode(),
            "can_start": policies.can_start_reports(request.user),
            "can_see_status": policies.can_view_reporting_status(request.user),
            "due_days": settings.REPORT_DUE_DAYS,
            "duty": current_duty(request.user),
            "overview": reverse("overview"),
        })


class MyUnitView(LoginRequiredMixin, View):
    """``/reports/mine/``: what is due for the reporter's unit, where a province reporter lands.

    Open drafts and returned reports, reports awaiting review, the deadlines of
    the last and the current quarter, each with its link. Others go to the overview.
    """

    def get(self, request):
        if not policies.lands_on_unit_page(request.user):
            return redirect("home")
        return render(request, "programmes/my_unit.html", {
            "unit": request.user.unit,
            "agenda": selectors.unit_agenda(request.user),
            "duty": current_duty(request.user),
            "overview": reverse("overview"),
        })


def current_duty(user):
    """The report the user's own unit owes for the last complete quarter, for the top of the list.

    ``None`` for users who file no reports, or when the unit may not report on
    that quarter (``services.check_can_report``).
    """
    if not policies.can_start_reports(user) or user.unit_id is None:
        return None
    quarter = Quarter.last_complete()
    try:
        services.check_can_report(user.unit, quarter)
    except services.ReportError:
        return None
    report = Report.objects.filter(unit_id=user.unit_id, year=quarter.year, quarter=quarter.quarter).first()
    if report is not None:
        report.can_edit = policies.can_edit_report(user, report)
    return {"unit": user.unit, "quarter": quarter, "report": report,
            "overdue": timezone.localdate() > quarter.due_date}


@method_decorator(never_cache, name="dispatch")
class ReportStartView(LoginRequiredMixin, View):
    """``/reports/new/``: choose a unit and an ended quarter; the draft is prefilled from the last report."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policies.can_start_reports(request.user):
            raise PermissionDenied(_("Only province reporters file reports."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.show(StartReportForm(user=request.user))

    def post(self, request):
        form = StartReportForm(request.POST, user=request.user)
        existing = None
        if form.is_valid():
            unit, quarter = form.cleaned_data["unit"], form.cleaned_data["quarter"]
            try:
                report = services.start_report(
                    user=request.user, unit=unit, year=quarter.year, quarter=quarter.quarter
                )
            except PermissionDenied as error:
                form.add_error("unit", str(error) or _("You may not file reports for this unit."))
            except services.ReportError as error:
                form.add_error("unit" if error.code == "unit_not_in_force" else "quarter", error.message)
                if error.code == "exists":
                    existing = policies.visible_reports(request.user).filter(
                        unit=unit, year=quarter.year, quarter=quarter.quarter
                    ).first()
            else:
                messages.success(request, _("The draft report of %(unit)s for %(quarter)s is ready; it starts from the unit's previous report.") % {
                    "unit": unit, "quarter": quarter,
                })
                return redirect("programmes:report_edit", pk=report.pk)
        return self.show(form, existing=existing)

    def show(self, form, existing=None):
        return render(self.request, "programmes/report_start.html", {"form": form, "existing": existing})


# --- the report form --------------------------------------------------------------------------


@dataclass
class FormField:
    """A form field with what the page shows beside it."""

    bound: object
    comment: str = ""
    warning: str = ""


@dataclass
class ItemSection:
    """One item of the report form: a task group's progress or a criterion."""

    node: object
    fields: list  # FormField: status and percent complete, or met
    narrative: FormField
    links: FormField
    files: FormField
    public_links: FormField = None
    comment: str = ""
    existing_files: list = field(default_factory=list)
    previous: str = ""

    @property
    def anchor(self):
        return item_anchor(self.node)

    @property
    def has_problems(self):
        return any(f.bound.errors for f in (*self.fields, self.narrative, self.links, self.files))


@dataclass
class FrameworkSection:
    version: object
    items: list


@dataclass
class ProjectRow:
    """A project of the unit's register on the report form: status, percent, spending, note."""

    project: object
    fields: list  # FormField, in the order of paths.PROJECT_FIELDS
    previous: str = ""


def _previous_project_text(before):
    if not before:
        return ""
    return _("%(status)s, %(percent)s %% complete, %(spent)s billion VND spent") % {
        "status": PROJECT_STATUS_LABELS.get(before.get("status"), "—"),
        "percent": shown_number(before.get("percent_complete")) or "—",
        "spent": shown_number(before.get("spending_to_date")) or "—",
    }


@dataclass
class IndicatorRow:
    indicator: object
    value: FormField
    note: FormField
    previous: str = ""
    comment: str = ""


def _previous_answer_text(node, before):
    if not before:
        return ""
    if node.kind == NodeKind.CRITERION:
        return {True: _("met"), False: _("not met")}.get(before.get("met"), "—")
    return _("%(status)s, %(percent)s %% complete") % {
        "status": STATUS_LABELS.get(before.get("status"), "—"),
        "percent": shown_number(before.get("percent_complete")) or "—",
    }


def _edit_context(form, report, *, warnings=(), conflict=None):
    content = selectors.report_content(report)
    placed, loose = comments_by_section(report.field_comments if report.status == ReportStatus.RETURNED else {})
    warned = {w.key: w.message for w in warnings}
    previous_answers = selectors.previous_quarter_answers(report)
    previous_values = selectors.previous_quarter_values(report)

    def wrap(name):
        return FormField(form[name], comment=placed.get(name, ""), warning=warned.get(name, ""))

    frameworks = {}
    for node in form.items:
        key = node_key_of(node)
        name = ReportForm.name
        kind_fields = ["met"] if node.kind == NodeKind.CRITERION else ["status", "percent_complete"]
        frameworks.setdefault(node.version.pk, FrameworkSection(node.version, [])).items.append(ItemSection(
            node=node,
            fields=[wrap(name(key, part)) for part in kind_fields],
            narrative=wrap(name(key, "narrative")),
            links=wrap(name(key, "evidence_links")),
            public_links=wrap(name(key, "public_links")) if name(key, "public_links") in form.fields else None,
            files=wrap(name(key, "evidence_files")),
            comment=placed.get(str(paths.node_path(key)), ""),
            existing_files=content[paths.NODES].get(key, {}).get("evidence_files", []),
            previous=_previous_answer_text(node, previous_answers.get(key)),
        ))
    groups = []
    for title, indicators in indicator_groups(form.indicators):
        groups.append((title, [
            IndicatorRow(
                indicator=i,
                value=wrap(str(paths.indicator_path(i.code, "value"))),
                note=wrap(str(paths.indicator_path(i.code, "note"))),
                previous=format_value(i, previous_values.get(i.code)),
                comment=placed.get(str(paths.indicator_path(i.code)), ""),
            )
            for i in indicators
        ]))
    previous_projects = selectors.previous_quarter_projects(report)
    project_rows = [
        ProjectRow(
            project=project,
            fields=[wrap(str(paths.project_path(project.pk, name))) for name in paths.PROJECT_FIELDS],
            previous=_previous_project_text(previous_projects.get(str(project.pk))),
        )
        for project in form.projects
    ]
    labels = _change_labels(form.items, form.indicators, form.projects)
    # Above a long form, a list of what to correct, each linking to its field.
    error_summary = [
        (labels.get(name, form.fields[name].label), message, form[name].id_for_label)
        for name, messages in form.errors.items()
        if name in form.fields and name != "version"
        for message in messages
    ] if form.is_bound else []
    return {
        "report": report,
        # Only the unit's writers edit a report, and they read its whole history.
        "full_history": True,
        "quarter": Quarter(report.year, report.quarter),
        "previous_quarter": Quarter(report.year, report.quarter).previous(),
        "form": form,
        "frameworks": list(frameworks.values()),
        "sections": [section for framework in frameworks.values() for section in framework.items],
        "indicator_groups": groups,
        "project_rows": project_rows,
        "warnings": [(labels.get(w.key, w.key), w.message) for w in warnings],
        "error_summary": error_summary,
        "conflict": conflict,
        "conflict_changes": _describe_changes(conflict.changes, labels) if conflict else [],
        "loose_comments": loose,
        "show_review_comment": report.status == ReportStatus.RETURNED and report.review_comment,
        "has_previous_quarter": bool(previous_answers),
    }


@method_decorator(never_cache, name="dispatch")
class ReportEditView(LoginRequiredMixin, View):
    """``/reports/<pk>/edit/``: the whole report on one page; save a draft or submit it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.report = visible_report(request.user, kwargs["pk"])
        if not policies.can_edit_report(request.user, self.report):
            if self.repeated_submission(request):
                messages.success(request, SUBMITTED_MESSAGE)
                return redirect(self.report)
            if policies.can_file_for_unit(request.user, self.report.unit):
                messages.info(request, _("This report is %(status)s: it cannot be changed now.") % {
                    "status": self.report.get_status_display(),
                })
                return redirect(self.report)
            raise PermissionDenied(_("You may not change this report."))
        return super().dispatch(request, *args, **kwargs)

    def repeated_submission(self, request):
        """A second click on "Submit" whose first one went through: it is answered as the first was."""
        return request.method == "POST" and request.POST.get("action") == "submit" and selectors.repeats_transition(
            self.report, request.POST.get("version"), RevisionAction.SUBMITTED, request.user
        )

    def make_form(self, *args, **kwargs):
        return ReportForm(
            *args, items=selectors.report_items(self.report), indicators=reference.active_indicators(),
            projects=selectors.report_projects(self.report),
            saved_links=ReportForm.saved_links_of(selectors.report_content(self.report)), **kwargs
        )

    def get(self, request, pk):
        content = selectors.report_content(self.report)
        form = self.make_form(initial=ReportForm.initial_from(content, self.report.version))
        return self.show(form)

    def post(self, request, pk):
        unreadable = uploads.unreadable_uploads(request)
        # A page shown again cannot keep the files chosen (browsers forbid it): it names them.
        files_lost = _chosen_files(request, self.report) if (request.FILES or unreadable) else []
        form = self.make_form(request.POST, request.FILES, unreadable=unreadable)
        # A "Remove" button next to an attached file saves the page too, so nothing typed is lost.
        removing = form.removals()
        submitting = request.POST.get("action") == "submit" and not removing
        if not form.is_valid():
            return self.show(form, files_lost=files_lost)
        options = {
            "user": request.user, "report": self.report, "version": form.cleaned_data["version"],
            "data": form.to_data(), "uploads": form.uploads(),
        }
        try:
            if submitting:
                services.submit_report(**options, confirm_warnings=form.cleaned_data["confirm_warnings"])
            else:
                report = services.save_report(**options, remove=removing)
        except services.ReportInvalid as error:
            form.add_service_errors(error.errors)
            return self.show(form, warnings=error.warnings, files_lost=files_lost)
        except (services.ReportConflict, services.ReportStateError) as error:
            if self.repeated_submission(request):
                # The first click was still being answered when this one arrived.
                messages.success(request, SUBMITTED_MESSAGE)
                return redirect(self.report)
            if isinstance(error, services.ReportStateError):
                messages.error(request, error.message)
                return redirect(self.report)
            # The user's input stays on the page; the new version lets them save it deliberately.
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            form = self.make_form(data)
            form.is_valid()
            self.report = visible_report(request.user, pk)
            return self.show(form, conflict=error, files_lost=files_lost)
        if submitting:
            messages.success(request, SUBMITTED_MESSAGE)
            return redirect(self.report)
        if removing:
            messages.success(request, _("The file was removed and the draft saved (version %(version)s).") % {
                "version": report.version,
            })
        else:
            messages.success(request, _("Draft saved (version %(version)s). You can come back to it at any time.") % {
                "version": report.version,
            })
        return redirect("programmes:report_edit", pk=self.report.pk)

    def show(self, form, *, warnings=(), conflict=None, files_lost=()):
        context = _edit_context(form, self.report, warnings=warnings, conflict=conflict)
        context["files_lost"] = list(files_lost) if form.is_bound else []
        return render(self.request, "programmes/report_form.html", context)


def _chosen_files(request, report):
    """``[(what the files were for, [file names])]`` of a form post's uploads, in the page's order."""
    labels = _labels_for(report)
    chosen = []
    for name in request.FILES:
        names = [upload.name for upload in request.FILES.getlist(name) if upload.name]
        if names:
            chosen.append((labels.get(name.removesuffix(".evidence_files"), labels.get(name, name)), names))
    return chosen


# --- the report -------------------------------------------------------------------------------


def _report_indicators(content):
    """The active indicators, and any retired since whose value is still part of the report."""
    indicators = reference.active_indicators()
    retired = set(content[paths.INDICATORS]) - {i.code for i in indicators}
    if retired:
        indicators += list(Indicator.objects.filter(code__in=retired))
    return indicators


def _comments_on(placed, path):
    """The reviewer's comments on the item or indicator at ``path`` and on its fields."""
    prefix = f"{path}."
    return [text for key, text in placed.items() if key == path or key.startswith(prefix)]


def project_lines(projects, content):
    """``[{"project", "status_label", "percent", "spending", "note"}]`` of the projects a report gives progress for."""
    given = content.get(paths.PROJECTS, {})
    lines = []
    for project in projects:
        entry = given.get(str(project.pk))
        if entry is None:
            continue
        lines.append({
            "project": project,
            "status_label": PROJECT_STATUS_LABELS.get(entry.get("status"), ""),
            "percent": shown_number(entry.get("percent_complete")),
            "spending": shown_number(entry.get("spending_to_date")),
            "note": entry.get("note") or "",
        })
    return lines


def _detail_context(request, report, **forms):
    user = request.user
    content = selectors.report_content(report)
    indicators = _report_indicators(content)
    items = selectors.report_items(report)
    placed, loose = comments_by_section(report.field_comments)
    frameworks = {}
    for node in items:
        key = node_key_of(node)
        entry = content[paths.NODES].get(key, {})
        frameworks.setdefault(node.version.pk, {"version": node.version, "items": []})["items"].append({
            "node": node,
            "anchor": item_anchor(node),
            "is_criterion": node.kind == NodeKind.CRITERION,
            "status": entry.get("status") or "",
            "status_label": STATUS_LABELS.get(entry.get("status"), ""),
            "percent": shown_number(entry.get("percent_complete")),
            "met": entry.get("met"),
            "answered": entry.get("met") is not None if node.kind == NodeKind.CRITERION else bool(entry.get("status")),
            "narrative": entry.get("narrative") or "",
            "links": entry.get("evidence_links") or [],
            "public_links": entry.get("public_links") or [],
            "files": entry.get("evidence_files") or [],
            "comments": _comments_on(placed, str(paths.node_path(key))),
            "path": str(paths.node_path(key)),
        })
    groups = []
    # Last quarter's values beside this quarter's, as the form shows them: a reviewer sees the jumps.
    previous_values = selectors.previous_quarter_values(report)
    for title, rows in indicator_groups(indicators):
        groups.append((title, [
            {
                "indicator": i,
                "value": format_value(i, content[paths.INDICATORS].get(i.code, {}).get("value")),
                "previous": format_value(i, previous_values.get(i.code)),
                "note": content[paths.INDICATORS].get(i.code, {}).get("note") or "",
                "comments": _comments_on(placed, str(paths.indicator_path(i.code))),
                "path": str(paths.indicator_path(i.code)),
            }
            for i in rows
        ]))
    sections = [item for framework in frameworks.values() for item in framework["items"]]
    projects = project_lines(selectors.report_projects(report), content)
    can_review = policies.can_review_report(user, report)
    can_reopen = policies.can_reopen_report(user, report)
    version = {"version": report.version}
    context = {
        "report": report,
        "quarter": Quarter(report.year, report.quarter),
        "frameworks": list(frameworks.values()),
        "sections": sections,
        "indicator_groups": groups,
        "previous_quarter": Quarter(report.year, report.quarter).previous(),
        "projects": projects,
        "loose_comments": loose,
        "can_edit": policies.can_edit_report(user, report),
        "can_review": can_review,
        "can_approve": can_review and policies.can_approve_report(user, report),
        "can_reopen": can_reopen,
        "answered": sum(1 for s in sections if s["answered"]),
        "revision_count": policies.visible_revisions(user, report).count(),
        "full_history": policies.can_read_full_history(user, report),
    }
    pair = selectors.resubmission(selectors.readable_revisions(user, report)) if report.status == "submitted" else None
    if pair is not None:
        # What the unit corrected since it last submitted, shown above the review.
        before, now = pair
        context["since_last_submission"] = {
            "old": before, "new": now,
            "changes": _describe_changes(
                selectors.diff_contents(before.snapshot, now.snapshot), _labels_for(report), indicators
            ),
            "url": f"{reverse('programmes:report_diff', args=[report.pk])}?from={before.number}&to={now.number}",
        }
    if can_review:
        context["approve_form"] = forms.get("approve_form") or ApproveForm(initial=version)
        return_form = context["return_form"] = forms.get("return_form") or ReturnForm(
            initial=version, items=items, indicators=indicators
        )
        # Each comment box beside the answer or the value it is about.
        for entry in [*sections, *(row for _title, rows in groups for row in rows)]:
            entry["comment_field"] = return_form.comment_field(entry["path"])
    if can_reopen:
        context["reopen_form"] = forms.get("reopen_form") or ReopenForm(initial=version)
    return context


class ReportDetailView(LoginRequiredMixin, View):
    """``/reports/<pk>/``: the report as filed, with the actions the user may take."""

    def get(self, request, pk):
        report = visible_report(request.user, pk)
        return render(request, "programmes/report_detail.html", _detail_context(request, report))


class _ReviewActionView(LoginRequiredMixin, View):
    """A POST that moves a report through review; the form carries the version the reviewer saw."""

    form_name = ""
    success_message = ""
    # The revision the action leaves: a repeated request for it answers as the first one did.
    revision_action = None

    def make_form(self, report):
        raise NotImplementedError

    def act(self, report, form):
        raise NotImplementedError

    def get(self, request, pk):
        return redirect("programmes:report_detail", pk=pk)

    def post(self, request, pk):
        report = visible_report(request.user, pk)
        form = self.make_form(report)
        if not form.is_valid():
            messages.error(request, _("The page was out of date; look at the report again and retry."))
            return redirect(report)
        try:
            with acting_as(request.user, request):
                self.act(report, form)
        except services.ReportInvalid as error:
            for key, texts in error.errors.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
            context = _detail_context(request, report, **{self.form_name: form})
            context["open_form"] = self.form_name
            return render(request, "programmes/report_detail.html", context)
        except services.ReportError as error:
            if self.revision_action and selectors.repeats_transition(
                report, form.cleaned_data.get("version"), self.revision_action, request.user
            ):
                # A second click whose first one went through: answer as the first did.
                messages.success(request, self.success_message)
                return redirect(report)
            # A conflict or a state that changed meanwhile: say so and show the report as it is now.
            messages.error(request, error.message)
            return redirect(report)
        except services.SubmitterMayNotApprove as error:
            messages.error(request, str(error))
            return render(request, "programmes/report_detail.html", _detail_context(request, report), status=403)
        messages.success(request, self.success_message)
        return redirect(report)


class ReportApproveView(_ReviewActionView):
    revision_action = RevisionAction.APPROVED
    form_name = "approve_form"

    @property
    def success_message(self):
        return _("The report was approved; its figures now count on the dashboards.")

    def make_form(self, report):
        return ApproveForm(self.request.POST)

    def act(self, report, form):
        # Approving publishes: the reviewer confirms (a ticked box, which works without script). Asked
        # only of a reviewer who may approve; anyone else gets the service's refusal as before.
        if not form.cleaned_data["confirm"] and policies.can_approve_report(self.request.user, report):
            raise services.ReportInvalid({"confirm": [ApproveForm.CONFIRM_REQUIRED]})
        services.approve_report(
            user=self.request.user, report=report, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )


class ReportReturnView(_ReviewActionView):
    revision_action = RevisionAction.RETURNED
    form_name = "return_form"

    @property
    def success_message(self):
        return _("The report was returned to the unit with your comments.")

    def make_form(self, report):
        return ReturnForm(
            self.request.POST, items=selectors.report_items(report),
            indicators=_report_indicators(selectors.report_content(report)),
        )

    def act(self, report, form):
        services.return_report(
            user=self.request.user, report=report, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"], field_comments=form.field_comments(),
        )


class ReportReopenView(_ReviewActionView):
    revision_action = RevisionAction.REOPENED
    form_name = "reopen_form"

    @property
    def success_message(self):
        return _("The report was reopened and sent back to the unit; the approved revision stays in its history.")

    def make_form(self, report):
        return ReopenForm(self.request.POST)

    def act(self, report, form):
        services.reopen_report(
            user=self.request.user, report=report, version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )


# --- history and differences ---------------------------------------------------------------------


FIELD_NAMES = {
    "status": gettext_lazy("Status"),
    "percent_complete": gettext_lazy("Percent complete"),
    "met": gettext_lazy("Met"),
    "narrative": gettext_lazy("Narrative"),
    "evidence_links": gettext_lazy("Evidence links"),
    "public_links": gettext_lazy("Public evidence links"),
    "evidence_files": gettext_lazy("Evidence files"),
    "value": gettext_lazy("Value"),
    "note": gettext_lazy("Note"),
    # Fields of an assessment's criteria (programmes.assessment_views).
    "explanation": gettext_lazy("Explanation"),
    "measured": gettext_lazy("Measured by indicators"),
    "accepted": gettext_lazy("Decision"),
    "comment": gettext_lazy("Reviewer's comment"),
    "spending_to_date": gettext_lazy("Spending to date (billion VND)"),
}


def _change_labels(items, indicators, projects=()):
    """Readable names of the report's field paths, for diffs, conflicts, warnings and comments."""
    labels = {"status": _("Report status")}
    for node in items:
        key = node_key_of(node)
        title = node.label
        labels[str(paths.node_path(key))] = title
        for part in paths.NODE_FIELDS:
            labels[str(paths.node_path(key, part))] = f"{title} · {FIELD_NAMES[part]}"
    for indicator in indicators:
        title = f"{indicator.code} {indicator.name}"
        labels[str(paths.indicator_path(indicator.code))] = title
        for part in paths.INDICATOR_FIELDS:
            labels[str(paths.indicator_path(indicator.code, part))] = f"{title} · {FIELD_NAMES[part]}"
    for project in projects:
        title = _("Project %(code)s %(name)s") % {"code": project.code, "name": project.name}
        labels[str(paths.project_path(project.pk))] = title
        for part in paths.PROJECT_FIELDS:
            labels[str(paths.project_path(project.pk, part))] = f"{title} · {FIELD_NAMES[part]}"
    return labels


def _labels_for(report):
    return _change_labels(
        selectors.report_items(report), _report_indicators(selectors.report_content(report)),
        selectors.report_projects(report),
    )


def _show_change_value(change, value, indicators_by_code):
    if value in (None, "", []):
        return ""
    if change["path"] == "status":
        return capfirst(dict(ReportStatus.choices).get(value, value))
    if change["field"] == "met":
        return _("met") if value else _("not met")
    if change["field"] == "accepted":
        return _("accepted") if value else _("rejected")
    if change["field"] == "measured":
        return "\n".join(describe_measured(item) for item in value)
    if change["field"] == "status" and "project" in change:
        return capfirst(PROJECT_STATUS_LABELS.get(value, value))
    if change["field"] == "status":
        return capfirst(STATUS_LABELS.get(value, value))
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if change["field"] == "value":
        return format_value(indicators_by_code.get(change.get("indicator")), value)
    if change["field"] in ("percent_complete", "spending_to_date"):
        return shown_number(value)
    return str(value)


def describe_measured(item):
    """One approved value behind a measured criterion: "TG5-01 = 62.5 (2026-Q3), ≥ 50: met"."""
    if item.get("value") is None:
        return _("%(indicator)s: no approved value this year (%(threshold)s): not met") % {
            "indicator": item["indicator"], "threshold": item["threshold"],
        }
    return _("%(indicator)s = %(value)s (%(quarter)s), needs %(threshold)s: %(answer)s") % {
        "indicator": item["indicator"], "value": shown_number(item["value"]), "quarter": item["quarter"],
        "threshold": item["threshold"], "answer": _("met") if item.get("met") else _("not met"),
    }


def _describe_changes(changes, labels, indicators=None):
    by_code = {i.code: i for i in (indicators or Indicator.objects.all())}
    return [
        {
            "path": change["path"],
            "label": labels.get(change["path"], change["path"]),
            "old": _show_change_value(change, change["old"], by_code),
            "new": _show_change_value(change, change["new"], by_code),
        }
        for change in changes
    ]


class ReportHistoryView(LoginRequiredMixin, View):
    """``/reports/<pk>/history/``: every revision, who made it and why.

    Those who may read only the published report see its approved revisions
    and their dates (``policies.visible_revisions``).
    """

    def get(self, request, pk):
        report = visible_report(request.user, pk)
        revisions = selectors.readable_revisions(request.user, report)
        labels = _labels_for(report)
        # The previous revision of each (the first has none): one longer on purpose.
        for before, revision in zip([None, *revisions], revisions, strict=False):
            # "What changed" compares with the previous revision this reader may see.
            revision.previous_number = before.number if before else None
            revision.comment_items = [
                (labels.get(key, key), text) for key, text in (revision.field_comments or {}).items()
            ]
            revision.warning_items = [
                (labels.get(w.get("field"), w.get("field")), w.get("message")) for w in revision.confirmed_warnings or []
            ]
        return render(request, "programmes/report_history.html", {
            "report": report,
            "quarter": Quarter(report.year, report.quarter),
            "revisions": list(reversed(revisions)),
            "full_history": policies.can_read_full_history(request.user, report),
        })


class ReportDiffView(LoginRequiredMixin, View):
    """``/reports/<pk>/diff/?from=N&to=M``: what changed between two revisions (the last two by default).

    Only revisions the user may read can be compared (``policies.visible_revisions``).
    """

    def get(self, request, pk):
        report = visible_report(request.user, pk)
        revisions = selectors.readable_revisions(request.user, report)
        by_number = {r.number: r for r in revisions}
        pair = selectors.resubmission(revisions) if report.status == "submitted" else None
        if "from" in request.GET or "to" in request.GET:
            data = request.GET
        elif pair is not None:
            # Submitted again: what changed since the last submission, not the status change alone.
            data = {"from": pair[0].number, "to": pair[1].number}
        else:
            last = [r.number for r in revisions[-2:]]
            data = {"from": last[0], "to": last[-1]} if last else {}
        form = DiffForm(data, revisions=revisions)
        changes, old, new = None, None, None
        if form.is_valid():
            old, new = by_number[form.cleaned_data["from"]], by_number[form.cleaned_data["to"]]
            labels = _labels_for(report)
            changes = _describe_changes(selectors.diff_contents(old.snapshot, new.snapshot), labels)
        return render(request, "programmes/report_diff.html", {
            "report": report,
            "quarter": Quarter(report.year, report.quarter),
            "form": form,
            "old": old,
            "new": new,
            "changes": changes,
            "full_history": policies.can_read_full_history(request.user, report),
        })


# --- evidence files ----------------------------------------------------------------------------


class EvidenceDownloadView(LoginRequiredMixin, View):
    """``/reports/evidence/<id>/``: an evidence file, to those who may read its report.

    Files are always sent as attachments with their stored content type, so a
    file can never be rendered by the browser as a page of the portal.
    """

    def get(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.select_related("answer__report").exclude(file=""), pk=pk
        )
        if not policies.can_view_report(request.user, evidence.answer.report):
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
            content_type=evidence.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


# --- reporting status --------------------------------------------------------------------------


class ReportingStatusView(LoginRequiredMixin, View):
    """``/reports/status/?year=&quarter=``: who has reported on a quarter, and what waits for review."""

    def get(self, request):
        if not policies.can_view_reporting_status(request.user):
            raise PermissionDenied(_("The reporting status page is for ministry staff."))
        today = timezone.localdate()
        default = Quarter.last_complete(today)
        if "year" in request.GET or "quarter" in request.GET:
            form = QuarterForm(request.GET)
        else:
            form = QuarterForm({"year": default.year, "quarter": default.quarter})
        context = {"form": form, "today": today, "waiting": selectors.reports_waiting_for_review()}
        if form.is_valid():
            quarter = form.cleaned_data["period"]
            rows = selectors.reporting_status(quarter, today)
            counts = {status: 0 for status in ("on_time", "late", "missing", "not_due")}
            for row in rows:
                counts[row["status"].replace("-", "_")] += 1
            context.update({
                "quarter": quarter,
                "rows": rows,
                "counts": counts,
                "previous_url": _status_url(quarter.previous()),
                "next_url": _status_url(quarter.next()) if quarter.next() <= default.next() else "",
            })
        return render(request, "programmes/reporting_status.html", context)


def _status_url(quarter):
    return f"{reverse('programmes:reporting_status')}?year={quarter.year}&quarter={quarter.quarter}"
