"""Findable: every public page has its own title, description and canonical address, in both languages;
the sitemap lists the public pages and robots.txt points to it."""
import re
from datetime import date
from html import unescape
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from indicators.models import FrameworkVersion, StandardDocument
from indicators.results import releases
from programmes import services
from provinces.quarters import Quarter
from tests.factories import (
    ProjectFactory,
    ReportFactory,
    approved_assessment,
    submit_and_approve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(personas):
    """An approved report of new Bắc Ninh with a project, its release, a document behind Decision 950 and an
    approved self-assessment of Bắc Ninh."""
    project = ProjectFactory(unit=personas.unit, code="IOC-01")
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    services.save_report(user=personas.reporter, report=report, version=1,
                         data={"projects": {str(project.pk): {"status": "in-progress", "percent_complete": "40"}}})
    report.refresh_from_db()
    from tests.indicators.conftest import approved_report

    approved_report("ha-noi", 2025, 3)
    report = submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer)
    release = releases.build_release(Quarter(2025, 3))
    version = FrameworkVersion.objects.get(framework__code="decision-950", code="2018")
    StandardDocument.objects.create(version=version, kind="decision", number="950/QĐ-TTg", date=date(2018, 8, 1),
                                    issuer="Thủ tướng Chính phủ", title_vi="Phê duyệt Đề án phát triển đô thị thông minh",
                                    url="https://vanban.chinhphu.vn/950")
    assessment = approved_assessment(unit=personas.unit, year=2025)
    return {"report": report, "project": project, "release": release, "assessment": assessment}


def public_pages(public):
    report, release = public["report"], public["release"]
    return [
        reverse("data:index"),
        reverse("data:dataset", kwargs={"dataset": "indicator-values"}),
        reverse("data:dataset", kwargs={"dataset": "projects"}),
        reverse("data:release_list"),
        reverse("data:release_quarter", kwargs={"period": release.period}),
        release.get_absolute_url(),
        reverse("published:list"),
        reverse("published:report", kwargs={"slug": report.unit.slug, "period": report.period_label}),
        reverse("projects:list"),
        reverse("projects:detail", args=[public["project"].pk]),
        reverse("indicators:standards"),
        reverse("indicators:version_standards", kwargs={"framework": "decision-950", "version": "2018"}),
        reverse("data:dataset", kwargs={"dataset": "maturity-levels"}),
        reverse("published:assessment_list"),
        reverse("published:assessment", kwargs={"slug": "bac-ninh", "year": public["assessment"].year,
                                                "framework": "test-maturity", "version": "v1"}),
    ]


def head_of(html):
    title = unescape(re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)).strip()
    description = unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1)
    return title, description, canonical


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_public_page_has_its_own_title_description_and_canonical_address(client, public, language):
    seen_titles, seen_descriptions = set(), set()
    for url in public_pages(public):
        response = client.get(url + "?page=1&utm_source=x", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        title, description, canonical = head_of(html)
        assert canonical == f"http://testserver{url}", url
        assert title and len(description) > 40, url
        seen_titles.add(title)
        seen_descriptions.add(description)
    pages = len(public_pages(public))
    assert len(seen_titles) == pages
    assert len(seen_descriptions) >= pages - 2  # the release list and the catalogue share nothing but may be close


def test_the_new_pages_speak_the_visitors_language(client, public):
    vi = client.get(reverse("data:index"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    en = client.get(reverse("data:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dữ liệu mở" in vi and "Giá trị chỉ tiêu đã phê duyệt" in vi
    assert "Open data" in en and "Approved indicator values" in en and "Dữ liệu mở" not in en
    page = reverse("projects:detail", args=[public["project"].pk])
    assert "Nguồn vốn" in client.get(page, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Funding source" in client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_sitemap_lists_the_public_pages_published_reports_projects_datasets_and_releases(client, public):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {e.text for e in ElementTree.fromstring(response.content).findall("s:url/s:loc", namespace)}
    for url in public_pages(public):
        if "page=" not in url:
            assert f"http://testserver{url}" in locations, url
    assert "http://testserver/" in locations
    assert "http://testserver/provinces/bac-giang/" in locations
    assert not any("/reports/" in loc and "/published-reports/" not in loc for loc in locations)
    assert not any("/admin/" in loc or "/accounts/" in loc for loc in locations)


def test_robots_txt_keeps_crawlers_off_private_pages_and_points_to_the_sitemap(client):
    text = client.get(reverse("robots_txt")).content.decode()
    assert "User-agent: *" in text
    for path in ("/admin/", "/accounts/", "/reports/", "/assessments/", "/projects/manage/"):
        assert f"Disallow: {path}" in text
    assert "Disallow: /data/" not in text and "Disallow: /published-reports/" not in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_the_standards_page_lists_each_versions_documents_with_links(client, public):
    html = client.get(reverse("indicators:version_standards", kwargs={"framework": "decision-950", "version": "2018"}),
                      HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "950/QĐ-TTg" in html and "01/08/2018" in html and "Thủ tướng Chính phủ" in html
    assert 'href="https://vanban.chinhphu.vn/950"' in html
    assert client.get("/results/standards/decision-950/1999/").status_code == 404


def test_the_unit_page_links_its_approved_reports_to_their_public_pages(client, public):
    report = public["report"]
    html = client.get(reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh"})).content.decode()
    assert reverse("published:report", kwargs={"slug": "bac-ninh", "period": report.period_label}) in html
