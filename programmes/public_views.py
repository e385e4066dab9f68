"""``/published-reports/``: the public pages of approved quarterly reports.

A report has a public page while it is approved (``policies.published_reports``),
the same for every visitor: its progress per framework item, narratives,
indicator values, the projects it gives the progress of (as the approval
published them), and the evidence links its unit marked public. Nothing else
of the report (who filed it, reviewers' comments, earlier revisions, other
evidence) is shown; a report being corrected has no page until it is approved again.

Approved maturity self-assessments have their public pages beside these
(``policies.published_assessments``): the unit, year and framework version, the
level reached, each assessed criterion (basic or chosen) met or not as the
Ministry verified it, the unit's explanation, the measured values and the
evidence *links*. Uploaded evidence files, reviewers' comments and names,
revisions are never shown; a draft, submitted, returned or reopened assessment
has no page. ``published_documents`` and ``published_assessment_list`` list
what a unit has published.
"""
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from indicators.models import FrameworkLevel, Indicator, MaturityResult, NodeKind
from indicators.results.maturity import is_verified_met
from programmes import assessment_selectors, paths, policies, selectors
from programmes.assessment_views import level_context, level_groups
from programmes.filtersets import PublishedAssessmentFilterSet, PublishedReportFilterSet
from programmes.forms import node_key_of
from programmes.models import Assessment, PublishedProject, Report
from programmes.validation import shown_number
from programmes.views import (
    PROJECT_STATUS_LABELS,
    STATUS_LABELS,
    describe_measured,
    format_value,
    indicator_groups,
    item_anchor,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter
from provinces.selectors import unit_name_order
from smartcity_portal.paging import page_or_404

PER_PAGE = 50


def published_documents(unit_ids):
    """The published reports of ``unit_ids``, newest first: what a unit's public history lists."""
    return list(
        policies.published_reports(Report.objects.filter(unit_id__in=list(unit_ids)))
        .select_related("unit").order_by("-year", "-quarter", unit_name_order())
    )


class PublishedReportListView(View):
    """``/published-reports/``: every approved report, newest first, filtered by unit and quarter."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = (*PublishedReportFilterSet.base_filters, "page")

    def get(self, request):
        queryset = policies.published_reports(Report.objects.select_related("unit"))
        filterset = PublishedReportFilterSet(request.GET, queryset=queryset)
        reports = filterset.qs if filterset.is_valid() else queryset.none()
        page = page_or_404(request, reports.order_by("-year", "-quarter", unit_name_order(), "pk"), PER_PAGE)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "programmes/public/report_list.html", {
            "filter": filterset, "page": page, "reports": list(page.object_list), "query": query.urlencode(),
        }, status=200 if filterset.is_valid() else 400)


def public_report_context(report):
    """What the public page shows of ``report`` (approved): nothing that is not published."""
    content = selectors.report_content(report)
    frameworks = {}
    for node in selectors.report_items(report):
        key = node_key_of(node)
        entry = content[paths.NODES].get(key, {})
        frameworks.setdefault(node.version.pk, {"version": node.version, "items": []})["items"].append({
            "node": node,
            "anchor": item_anchor(node),
            "is_criterion": node.kind == NodeKind.CRITERION,
            "status_label": STATUS_LABELS.get(entry.get("status"), ""),
            "percent": shown_number(entry.get("percent_complete")),
            "met": entry.get("met"),
            "narrative": entry.get("narrative") or "",
            "links": entry.get("public_links") or [],
        })
    values = content[paths.INDICATORS]
    groups = [
        (title, [{"indicator": i, "value": format_value(i, values.get(i.code, {}).get("value")),
                  "note": values.get(i.code, {}).get("note") or ""} for i in rows])
        for title, rows in indicator_groups(list(Indicator.objects.filter(code__in=list(values)).order_by("code")))
    ]
    published = PublishedProject.objects.in_bulk([int(pk) for pk in content[paths.PROJECTS]])
    projects = []
    for project_id, entry in sorted(content[paths.PROJECTS].items(), key=lambda item: int(item[0])):
        copy = published.get(int(project_id))
        if copy is None:  # published by every approval that gives its progress; never expected
            continue
        projects.append({
            "project": copy,
            "status_label": PROJECT_STATUS_LABELS.get(entry.get("status"), ""),
            "percent": shown_number(entry.get("percent_complete")),
            "spending": shown_number(entry.get("spending_to_date")),
            "note": entry.get("note") or "",
        })
    return {
        "report": report,
        "quarter": Quarter(report.year, report.quarter),
        "frameworks": list(frameworks.values()),
        "indicator_groups": groups,
        "projects": projects,
    }


class PublishedReportView(View):
    """``/published-reports/<unit>/<2025-Q3>/``: one approved report, for everyone."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get(self, request, slug, period):
        unit = get_object_or_404(AdministrativeUnit, slug=slug)
        report = policies.published_reports(
            Report.objects.select_related("unit").filter(unit=unit, year=period.year, quarter=period.quarter)
        ).first()
        if report is None:
            raise Http404
        context = public_report_context(report)
        context["other_reports"] = [r for r in published_documents([unit.pk]) if r.pk != report.pk][:12]
        context["assessments"] = published_assessment_list([unit.pk])[:12]
        return render(request, "programmes/public/report_detail.html", context)


# --- published maturity self-assessments ------------------------------------------------------------------


def assessment_url(assessment):
    """The public page of ``assessment`` (published or not: the page itself answers 404 for one not published)."""
    version = assessment.framework_version
    return reverse("published:assessment", kwargs={
        "slug": assessment.unit.slug, "year": assessment.year, "framework": version.framework.code,
        "version": version.code,
    })


def _published_assessments(queryset=None):
    queryset = Assessment.objects.all() if queryset is None else queryset
    return policies.published_assessments(queryset).select_related("unit", "framework_version__framework")


def _with_levels(assessments):
    """``assessments`` with ``level_reached`` (the published result's level, ``None`` until it is computed),
    ``level_obj`` (that level, ``None`` for level 0) and ``public_url``."""
    levels = dict(
        MaturityResult.objects.filter(assessment__in=[a.pk for a in assessments]).values_list("assessment_id", "level")
    )
    names = {
        (level.version_id, level.number): level
        for level in FrameworkLevel.objects.filter(version__in={a.framework_version_id for a in assessments})
    }
    for assessment in assessments:
        assessment.level_reached = levels.get(assessment.pk)
        assessment.level_obj = names.get((assessment.framework_version_id, assessment.level_reached))
        assessment.public_url = assessment_url(assessment)
    return assessments


def published_assessment_list(unit_ids):
    """The published self-assessments of ``unit_ids``, newest year first: what a unit's public history lists."""
    return _with_levels(list(
        _published_assessments(Assessment.objects.filter(unit_id__in=list(unit_ids)))
        .order_by("-year", "framework_version__framework__code", unit_name_order(), "pk")
    ))


class PublishedAssessmentListView(View):
    """``/published-reports/assessments/``: every approved self-assessment, newest year first, filtered."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = (*PublishedAssessmentFilterSet.base_filters, "page")

    def get(self, request):
        queryset = _published_assessments()
        filterset = PublishedAssessmentFilterSet(request.GET, queryset=queryset)
        found = filterset.qs if filterset.is_valid() else queryset.none()
        page = page_or_404(
            request, found.order_by("-year", unit_name_order(), "framework_version__framework__code", "pk"), PER_PAGE
        )
        query = request.GET.copy()
        query.pop("page", None)
        rows = _with_levels(list(page.object_list))
        return render(request, "programmes/public/assessment_list.html", {
            "filter": filterset, "page": page, "assessments": rows, "query": query.urlencode(),
            "any_illustrative": any(a.framework_version.is_illustrative for a in rows),
        }, status=200 if filterset.is_valid() else 400)


@dataclass
class PublicCriterion:
    """What the public page shows of one criterion: never the reviewer's comment, who decided, or files."""

    answer: object
    assessed: bool
    verified_met: bool
    measured_lines: list = field(default_factory=list)
    # Assessment evidence has no "public" mark: its links are public, its uploaded files never.
    links: list = field(default_factory=list)

    @property
    def node(self):
        return self.answer.node

    @property
    def anchor(self):
        return f"criterion-{self.node.code}"

    @property
    def measured(self):
        return assessment_selectors.is_measured(self.node)

    @property
    def explanation(self):
        return self.answer.explanation if self.assessed else ""


def public_criterion(answer):
    assessed = assessment_selectors.is_assessed(answer)
    return PublicCriterion(
        answer=answer,
        assessed=assessed,
        verified_met=assessed and is_verified_met(answer),
        measured_lines=[describe_measured(item) for item in answer.measured or []] if assessed else [],
        links=[e.url for e in answer.evidence.all() if e.url] if assessed else [],
    )


def public_assessment_context(assessment):
    """What the public page shows of ``assessment`` (approved): nothing that is not published."""
    found = assessment_selectors.answers(assessment)
    criteria = [public_criterion(answer) for answer in found]
    return {
        "assessment": assessment,
        "version_obj": assessment.framework_version,
        "groups": level_groups(assessment.framework_version, criteria),
        "assessed_count": sum(1 for c in criteria if c.assessed),
        "met_count": sum(1 for c in criteria if c.verified_met),
        **level_context(assessment, found),
    }


class PublishedAssessmentView(View):
    """``/published-reports/assessments/<unit>/<year>/<framework>/<version>/``: one approved self-assessment."""
    # A public page (smartcity_portal.pagecache): anonymous visitors get it whole from the cache.
    public_page_query = ()

    def get(self, request, slug, year, framework, version):
        assessment = _published_assessments(Assessment.objects.filter(
            unit__slug=slug, year=year, framework_version__framework__code=framework,
            framework_version__code=version,
        )).first()
        if assessment is None:
            raise Http404
        context = public_assessment_context(assessment)
        context["other_assessments"] = [
            a for a in published_assessment_list([assessment.unit_id]) if a.pk != assessment.pk
        ][:12]
        context["reports"] = published_documents([assessment.unit_id])[:12]
        return render(request, "programmes/public/assessment_detail.html", context)
