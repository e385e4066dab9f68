"""``/published-reports/``: the public pages of approved quarterly reports.

A report has a public page while it is approved (``policies.published_reports``),
the same for every visitor: its progress per framework item, narratives,
indicator values, the projects it gives the progress of (as the approval
published them), and the evidence links its unit marked public. Nothing else
of the report (who filed it, reviewers' comments, earlier revisions, other
evidence) is shown; a report being corrected has no page until it is approved again.

Approved assessments, when they exist, get their public pages beside these:
``published_documents`` lists what a unit has published, and is where they join.
"""
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from indicators.models import Indicator, NodeKind
from programmes import paths, policies, selectors
from programmes.filtersets import PublishedReportFilterSet
from programmes.forms import node_key_of, plain_number
from programmes.models import PublishedProject, Report
from programmes.views import (
    PROJECT_STATUS_LABELS,
    STATUS_LABELS,
    format_value,
    indicator_groups,
    item_anchor,
)
from provinces.models import AdministrativeUnit
from provinces.quarters import Quarter

PER_PAGE = 50


def published_documents(unit_ids):
    """The published reports of ``unit_ids``, newest first: what a unit's public history lists."""
    return list(
        policies.published_reports(Report.objects.filter(unit_id__in=list(unit_ids)))
        .select_related("unit").order_by("-year", "-quarter", "unit__name_vi")
    )


class PublishedReportListView(View):
    """``/published-reports/``: every approved report, newest first, filtered by unit and quarter."""

    def get(self, request):
        queryset = policies.published_reports(Report.objects.select_related("unit"))
        filterset = PublishedReportFilterSet(request.GET, queryset=queryset)
        reports = filterset.qs if filterset.is_valid() else queryset.none()
        page = Paginator(reports.order_by("-year", "-quarter", "unit__name_vi", "pk"), PER_PAGE).get_page(
            request.GET.get("page")
        )
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
            "percent": plain_number(entry.get("percent_complete")),
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
            "percent": plain_number(entry.get("percent_complete")),
            "spending": plain_number(entry.get("spending_to_date")),
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

    def get(self, request, slug, period):
        unit = get_object_or_404(AdministrativeUnit, slug=slug)
        report = policies.published_reports(
            Report.objects.select_related("unit").filter(unit=unit, year=period.year, quarter=period.quarter)
        ).first()
        if report is None:
            raise Http404
        context = public_report_context(report)
        context["other_reports"] = [r for r in published_documents([unit.pk]) if r.pk != report.pk][:12]
        return render(request, "programmes/public/report_detail.html", context)
