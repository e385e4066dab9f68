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
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from indicators.models import ValueType
from programmes import policies, selectors, services
from programmes.filtersets import ReportFilterSet
from programmes.forms import (
    ApproveForm,
    DiffForm,
    QuarterForm,
    ReopenForm,
    ReportForm,
    ReturnForm,
    StartReportForm,
    plain_number,
    section_of,
)
from programmes.models import Evidence, ProgressStatus, Report, ReportStatus
from programmes.quarters import Quarter
from programmes.validation import indicator_key, tg_key
from smartcity_portal.accounts.services import acting_as

REPORTS_PER_PAGE = 50
STATUS_LABELS = dict(ProgressStatus.choices)


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
    return plain_number(value)


def indicator_groups(indicators):
    """Indicators grouped under their task group, pillar-only indicators last."""
    groups = {}
    for indicator in sorted(
        indicators, key=lambda i: (i.task_group.number if i.task_group else 99, i.code)
    ):
        title = str(indicator.task_group) if indicator.task_group else _("Digital transformation indicators")
        groups.setdefault(title, []).append(indicator)
    return list(groups.items())


def comments_by_section(field_comments):
    """Split the reviewer's ``field_comments`` by where they belong on the form.

    Returns ``({"tg-3": text, "tg-3-narrative": text, "indicator-TG5-01": text, …}, [unplaced texts])``
    keyed by section (``tg-<n>``, ``indicator-<code>``) or by field name.
    """
    placed, loose = {}, []
    for key, text in (field_comments or {}).items():
        kind, _ident, _part = section_of(key)
        if kind is None:
            loose.append(text)
        else:
            placed[key] = text
    return placed, loose


# --- list and new report ----------------------------------------------------------------------


class ReportListView(LoginRequiredMixin, View):
    """``/reports/``: the reports the user may read, filtered, newest quarter first."""

    def get(self, request):
        queryset = policies.visible_reports(request.user, Report.objects.select_related("unit"))
        filterset = ReportFilterSet(request.GET, queryset=queryset)
        reports = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(reports.order_by("-year", "-quarter", "unit__name_vi", "pk"), REPORTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
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
class TaskGroupSection:
    task_group: object
    status: FormField
    percent: FormField
    narrative: FormField
    links: FormField
    files: FormField
    comment: str = ""
    existing_files: list = field(default_factory=list)
    previous_status: str = ""
    previous_percent: str = ""

    @property
    def has_problems(self):
        return any(f.bound.errors for f in (self.status, self.percent, self.narrative, self.links, self.files))


@dataclass
class IndicatorRow:
    indicator: object
    value: FormField
    note: FormField
    previous: str = ""
    comment: str = ""


def _edit_context(form, report, *, warnings=(), conflict=None):
    content = selectors.report_content(report)
    placed, loose = comments_by_section(report.field_comments if report.status == ReportStatus.RETURNED else {})
    warned = {w.key: w.message for w in warnings}
    previous_progress = selectors.previous_quarter_progress(report)
    previous_values = selectors.previous_quarter_values(report)

    def wrap(name):
        return FormField(form[name], comment=placed.get(name, ""), warning=warned.get(name, ""))

    sections = []
    for tg in form.task_groups:
        n = tg.number
        before = previous_progress.get(n, {})
        sections.append(TaskGroupSection(
            task_group=tg,
            status=wrap(tg_key(n, "status")),
            percent=wrap(tg_key(n, "percent_complete")),
            narrative=wrap(tg_key(n, "narrative")),
            links=wrap(tg_key(n, "evidence_links")),
            files=wrap(tg_key(n, "evidence_files")),
            comment=placed.get(f"tg-{n}", ""),
            existing_files=content["task_groups"].get(str(n), {}).get("evidence_files", []),
            previous_status=STATUS_LABELS.get(before.get("status"), ""),
            previous_percent=plain_number(before.get("percent_complete")),
        ))
    groups = []
    for title, indicators in indicator_groups(form.indicators):
        groups.append((title, [
            IndicatorRow(
                indicator=i,
                value=wrap(indicator_key(i.code, "value")),
                note=wrap(indicator_key(i.code, "note")),
                previous=format_value(i, previous_values.get(i.code)),
                comment=placed.get(f"indicator-{i.code}", ""),
            )
            for i in indicators
        ]))
    labels = _change_labels(form.task_groups, form.indicators)
    # Above a long form, a list of what to correct, each linking to its field.
    error_summary = [
        (labels.get(name, form.fields[name].label), message, form[name].id_for_label)
        for name, messages in form.errors.items()
        if name in form.fields and name != "version"
        for message in messages
    ] if form.is_bound else []
    return {
        "report": report,
        "quarter": Quarter(report.year, report.quarter),
        "previous_quarter": Quarter(report.year, report.quarter).previous(),
        "form": form,
        "sections": sections,
        "indicator_groups": groups,
        "warnings": [(labels.get(w.key, w.key), w.message) for w in warnings],
        "error_summary": error_summary,
        "conflict": conflict,
        "conflict_changes": _describe_changes(conflict.changes, labels) if conflict else [],
        "loose_comments": loose,
        "show_review_comment": report.status == ReportStatus.RETURNED and report.review_comment,
        "has_previous_quarter": bool(previous_progress),
    }


@method_decorator(never_cache, name="dispatch")
class ReportEditView(LoginRequiredMixin, View):
    """``/reports/<pk>/edit/``: the whole report on one page; save a draft or submit it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.report = visible_report(request.user, kwargs["pk"])
        if not policies.can_edit_report(request.user, self.report):
            if policies.can_file_for_unit(request.user, self.report.unit):
                messages.info(request, _("This report is %(status)s: it cannot be changed now.") % {
                    "status": self.report.get_status_display(),
                })
                return redirect(self.report)
            raise PermissionDenied(_("You may not change this report."))
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, *args, **kwargs):
        return ReportForm(
            *args, task_groups=selectors.task_groups(), indicators=selectors.active_indicators(), **kwargs
        )

    def get(self, request, pk):
        content = selectors.report_content(self.report)
        form = self.make_form(initial=ReportForm.initial_from(content, self.report.version))
        return self.show(form)

    def post(self, request, pk):
        form = self.make_form(request.POST, request.FILES)
        submitting = request.POST.get("action") == "submit"
        if not form.is_valid():
            return self.show(form, files_lost=bool(request.FILES))
        options = {
            "user": request.user, "report": self.report, "version": form.cleaned_data["version"],
            "data": form.to_data(), "uploads": form.uploads(),
        }
        try:
            if submitting:
                services.submit_report(**options, confirm_warnings=form.cleaned_data["confirm_warnings"])
            else:
                report = services.save_report(**options)
        except services.ReportInvalid as error:
            form.add_service_errors(error.errors)
            return self.show(form, warnings=error.warnings, files_lost=bool(request.FILES))
        except services.ReportConflict as error:
            # The user's input stays on the page; the new version lets them save it deliberately.
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            form = self.make_form(data)
            form.is_valid()
            self.report = visible_report(request.user, pk)
            return self.show(form, conflict=error, files_lost=bool(request.FILES))
        except services.ReportStateError as error:
            messages.error(request, error.message)
            return redirect(self.report)
        if submitting:
            messages.success(request, _("The report was submitted for review. The Ministry will approve it or return it with comments."))
            return redirect(self.report)
        messages.success(request, _("Draft saved (version %(version)s). You can come back to it at any time.") % {
            "version": report.version,
        })
        return redirect("programmes:report_edit", pk=self.report.pk)

    def show(self, form, *, warnings=(), conflict=None, files_lost=False):
        context = _edit_context(form, self.report, warnings=warnings, conflict=conflict)
        context["files_lost"] = files_lost and form.is_bound
        return render(self.request, "programmes/report_form.html", context)


# --- the report -------------------------------------------------------------------------------


def _detail_context(request, report, **forms):
    user = request.user
    content = selectors.report_content(report)
    indicators = selectors.active_indicators()
    known = {i.code for i in indicators}
    # A value of an indicator retired since is still part of the report.
    if set(content["indicators"]) - known:
        from indicators.models import Indicator

        indicators += list(
            Indicator.objects.filter(code__in=set(content["indicators"]) - known).select_related("task_group", "pillar")
        )
    task_groups = selectors.task_groups()
    evidence_names = {}
    sections = []
    placed, loose = comments_by_section(report.field_comments)
    for tg in task_groups:
        entry = content["task_groups"].get(str(tg.number), {})
        for item in entry.get("evidence_files", []):
            evidence_names[item["id"]] = item["name"]
        sections.append({
            "task_group": tg,
            "status": entry.get("status") or "",
            "status_label": STATUS_LABELS.get(entry.get("status"), ""),
            "percent": plain_number(entry.get("percent_complete")),
            "narrative": entry.get("narrative") or "",
            "links": entry.get("evidence_links") or [],
            "files": entry.get("evidence_files") or [],
            "comments": [text for key, text in placed.items() if section_of(key)[:2] == ("tg", tg.number)],
        })
    groups = []
    for title, items in indicator_groups(indicators):
        groups.append((title, [
            {
                "indicator": i,
                "value": format_value(i, content["indicators"].get(i.code, {}).get("value")),
                "note": content["indicators"].get(i.code, {}).get("note") or "",
                "comments": [text for key, text in placed.items() if section_of(key)[:2] == ("indicator", i.code)],
            }
            for i in items
        ]))
    can_review = policies.can_review_report(user, report)
    can_reopen = policies.can_reopen_report(user, report)
    version = {"version": report.version}
    context = {
        "report": report,
        "quarter": Quarter(report.year, report.quarter),
        "sections": sections,
        "indicator_groups": groups,
        "loose_comments": loose,
        "can_edit": policies.can_edit_report(user, report),
        "can_review": can_review,
        "can_approve": can_review and policies.can_approve_report(user, report),
        "can_reopen": can_reopen,
        "answered": sum(1 for s in sections if s["status"]),
        "revision_count": report.revisions.count(),
    }
    if can_review:
        context["approve_form"] = forms.get("approve_form") or ApproveForm(initial=version)
        context["return_form"] = forms.get("return_form") or ReturnForm(
            initial=version, task_groups=task_groups, indicators=indicators
        )
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
            # A conflict or a state that changed meanwhile: say so and show the report as it is now.
            messages.error(request, error.message)
            return redirect(report)
        except services.SubmitterMayNotApprove as error:
            messages.error(request, str(error))
            return render(request, "programmes/report_detail.html", _detail_context(request, report), status=403)
        messages.success(request, self.success_message)
        return redirect(report)


class ReportApproveView(_ReviewActionView):
    form_name = "approve_form"

    @property
    def success_message(self):
        return _("The report was approved; its figures now count on the dashboards.")

    def make_form(self, report):
        return ApproveForm(self.request.POST)

    def act(self, report, form):
        services.approve_report(
            user=self.request.user, report=report, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )


class ReportReturnView(_ReviewActionView):
    form_name = "return_form"

    @property
    def success_message(self):
        return _("The report was returned to the unit with your comments.")

    def make_form(self, report):
        return ReturnForm(
            self.request.POST, task_groups=selectors.task_groups(), indicators=selectors.active_indicators()
        )

    def act(self, report, form):
        services.return_report(
            user=self.request.user, report=report, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"], field_comments=form.field_comments(),
        )


class ReportReopenView(_ReviewActionView):
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


def _change_labels(task_groups, indicators):
    """Readable names of the report's field keys, for diffs, conflicts and warnings."""
    names = {
        "status": _("Status"),
        "percent_complete": _("Percent complete"),
        "narrative": _("Narrative"),
        "evidence_links": _("Evidence links"),
        "evidence_files": _("Evidence files"),
        "value": _("Value"),
        "note": _("Note"),
    }
    labels = {"status": _("Report status")}
    for tg in task_groups:
        for part in ("status", "percent_complete", "narrative", "evidence_links", "evidence_files"):
            labels[tg_key(tg.number, part)] = _("Task group %(number)s · %(field)s") % {
                "number": tg.number, "field": names[part],
            }
    for indicator in indicators:
        for part in ("value", "note"):
            labels[indicator_key(indicator.code, part)] = f"{indicator.code} {indicator.name} · {names[part]}"
    # The keys of the reviewer's comments on a whole task group or indicator.
    for tg in task_groups:
        labels[f"tg-{tg.number}"] = _("Task group %(number)s") % {"number": tg.number}
    for indicator in indicators:
        labels[f"indicator-{indicator.code}"] = f"{indicator.code} {indicator.name}"
    return labels


def _show_change_value(change, value, indicators_by_code):
    if value in (None, "", []):
        return ""
    if change["key"] == "status":
        return capfirst(dict(ReportStatus.choices).get(value, value))
    if change["field"] == "status":
        return capfirst(STATUS_LABELS.get(value, value))
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if change["field"] == "value":
        return format_value(indicators_by_code.get(change.get("indicator")), value)
    if change["field"] == "percent_complete":
        return plain_number(value)
    return str(value)


def _describe_changes(changes, labels, indicators=None):
    from indicators.models import Indicator

    by_code = {i.code: i for i in (indicators or Indicator.objects.all())}
    return [
        {
            "key": change["key"],
            "label": labels.get(change["key"], change["key"]),
            "old": _show_change_value(change, change["old"], by_code),
            "new": _show_change_value(change, change["new"], by_code),
        }
        for change in changes
    ]


class ReportHistoryView(LoginRequiredMixin, View):
    """``/reports/<pk>/history/``: every revision, who made it and why."""

    def get(self, request, pk):
        report = visible_report(request.user, pk)
        revisions = selectors.revisions(report)
        labels = _change_labels(selectors.task_groups(), selectors.active_indicators())
        for revision in revisions:
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
        })


class ReportDiffView(LoginRequiredMixin, View):
    """``/reports/<pk>/diff/?from=N&to=M``: what changed between two revisions (the last two by default)."""

    def get(self, request, pk):
        report = visible_report(request.user, pk)
        revisions = selectors.revisions(report)
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
            labels = _change_labels(selectors.task_groups(), selectors.active_indicators())
            changes = _describe_changes(selectors.diff_contents(old.snapshot, new.snapshot), labels)
        return render(request, "programmes/report_diff.html", {
            "report": report,
            "quarter": Quarter(report.year, report.quarter),
            "form": form,
            "old": old,
            "new": new,
            "changes": changes,
        })


# --- evidence files ----------------------------------------------------------------------------


class EvidenceDownloadView(LoginRequiredMixin, View):
    """``/reports/evidence/<id>/``: an evidence file, to those who may read its report.

    Files are always sent as attachments with their stored content type, so a
    file can never be rendered by the browser as a page of the portal.
    """

    def get(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.select_related("progress__report").exclude(file=""), pk=pk
        )
        if not policies.can_view_report(request.user, evidence.progress.report):
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
