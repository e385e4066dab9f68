"""``/sitemap.xml``: the public pages search engines should find, and ``/robots.txt``.

Only public pages are listed, and of reports, assessments and projects only the
published ones (``policies.published_reports``, ``policies.published_assessments``,
``PublishedProject``): the sitemap is a public list like any other.
"""
from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse

from indicators.models import (
    DataRelease,
    FrameworkNode,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    NodeKind,
)
from indicators.results import datasets
from programmes import policies
from programmes.models import Assessment, PublishedProject, Report
from provinces.models import AdministrativeUnit


class PagesSitemap(Sitemap):
    """The portal's fixed public pages."""

    changefreq = "weekly"
    NAMES = (
        "home", "provinces:unit_list", "provinces:asean", "indicators:framework_list", "indicators:crosswalk",
        "indicators:completeness", "indicators:method", "indicators:standards", "indicators:maturity",
        "indicators:maturity_method", "published:list", "published:assessment_list", "projects:list", "data:index",
        "data:release_list", "about",
    )

    def items(self):
        return list(self.NAMES)

    def location(self, item):
        return reverse(item)


class UnitSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return AdministrativeUnit.objects.order_by("valid_until", "slug")


class IndicatorSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Indicator.objects.filter(is_active=True).order_by("code")


class FrameworkSitemap(Sitemap):
    """Each framework's page, its versions' documents, and the items of its active versions."""

    changefreq = "monthly"

    def items(self):
        found = [("framework", version) for version in FrameworkVersion.objects.select_related("framework")]
        nodes = FrameworkNode.objects.filter(version__status=FrameworkStatus.ACTIVE).exclude(kind=NodeKind.GROUP)
        found += [("node", node) for node in nodes.select_related("version__framework").order_by("version", "order")]
        return found

    def location(self, item):
        kind, obj = item
        if kind == "node":
            return obj.get_absolute_url()
        return reverse("indicators:version_standards", kwargs={"framework": obj.framework.code, "version": obj.code})


class DataSitemap(Sitemap):
    """The datasets, each quarter's releases and every release."""

    changefreq = "weekly"

    def items(self):
        found = [("dataset", d.slug) for d in datasets.DATASETS]
        quarters = set()
        for release in DataRelease.objects.order_by("year", "quarter", "number"):
            if release.period not in quarters:
                quarters.add(release.period)
                found.append(("quarter", release.period))
            found.append(("release", release))
        return found

    def location(self, item):
        kind, obj = item
        if kind == "dataset":
            return reverse("data:dataset", kwargs={"dataset": obj})
        if kind == "quarter":
            return reverse("data:release_quarter", kwargs={"period": obj})
        return obj.get_absolute_url()

    def lastmod(self, item):
        kind, obj = item
        return obj.created_at if kind == "release" else None


class PublishedReportSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return policies.published_reports(Report.objects.select_related("unit")).order_by("year", "quarter", "unit__slug")

    def location(self, report):
        return reverse("published:report", kwargs={"slug": report.unit.slug, "period": report.period_label})

    def lastmod(self, report):
        return report.approved_at


class PublishedAssessmentSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return policies.published_assessments(
            Assessment.objects.select_related("unit", "framework_version__framework")
        ).order_by("year", "unit__slug", "framework_version__framework__code", "framework_version__code")

    def location(self, assessment):
        version = assessment.framework_version
        return reverse("published:assessment", kwargs={
            "slug": assessment.unit.slug, "year": assessment.year, "framework": version.framework.code,
            "version": version.code,
        })

    def lastmod(self, assessment):
        return assessment.approved_at


class ProjectSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return PublishedProject.objects.order_by("pk")


SITEMAPS = {
    "pages": PagesSitemap,
    "units": UnitSitemap,
    "indicators": IndicatorSitemap,
    "frameworks": FrameworkSitemap,
    "data": DataSitemap,
    "reports": PublishedReportSitemap,
    "assessments": PublishedAssessmentSitemap,
    "projects": ProjectSitemap,
}

# Pages for signed-in users, forms and machine answers: nothing for a search engine.
DISALLOWED = (
    "/admin/", "/accounts/", "/reports/", "/assessments/", "/projects/manage/", "/results/import/", "/results/export/",
    "/results/jobs/", "/api/", "/i18n/",
)


def robots_txt(request):
    """``/robots.txt``: public pages may be indexed; sign-in, internal and API pages not; where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /",
             f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
