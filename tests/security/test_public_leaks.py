"""Nothing that is not approved appears on a public route: page, count, file, feed, sitemap or catalogue.

A world with one approved report and, around it, every state a report can be in
(draft, submitted, returned, reopened and changed since), a project no approval
published, and evidence its unit did not mark public; and one approved maturity
self-assessment with, around it, assessments in every other state, an uploaded
evidence file and a reviewer's comments. Every public route added for the open
data, releases, published reports and self-assessments, the maturity levels,
projects and findability is asked, as an anonymous visitor, and must not show
any of it.
"""
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from indicators.models import DataRelease
from indicators.results import datasets
from programmes import assessments, services
from programmes.models import (
    AssessmentEvidence,
    Evidence,
    PublishedProject,
    ReportStatus,
)
from tests.factories import (
    AssessmentFactory,
    ProjectFactory,
    ReportFactory,
    approved_assessment,
    reopen,
    set_values,
    submit_and_approve,
    unit,
)

pytestmark = pytest.mark.django_db

PUBLIC_NARRATIVE = "Đã khai trương trung tâm điều hành"
PUBLIC_LINK = "https://bacninh.gov.vn/cong-khai/ioc"
PUBLIC_VALUE = "41.25"
PUBLIC_EXPLANATION = "Đã ban hành quy chế chia sẻ dữ liệu"
# What must never show: each appears only in something that is not approved.
SECRETS = {
    "private link": "https://noibo.bacninh.gov.vn/mat",
    "evidence file": "bien-ban-noi-bo.pdf",
    "draft narrative": "NHÁP-CHƯA-GỬI",
    "draft value": "98.7654",
    "submitted narrative": "ĐÃ-GỬI-CHỜ-DUYỆT",
    "submitted value": "87.6543",
    "returned narrative": "BỊ-TRẢ-LẠI",
    "reopened change": "SỬA-SAU-KHI-MỞ-LẠI",
    "reopened value": "76.5432",
    "unpublished project": "DỰ-ÁN-CHƯA-CÔNG-BỐ",
    "unpublished project code": "SECRET-PRJ",
    "register change after approval": "TÊN-CHƯA-DUYỆT",
    "draft project figure": "55.555",
    "assessment evidence file": "bien-ban-tu-danh-gia-noi-bo.pdf",
    "assessment reviewer's comment": "NHẬN-XÉT-CỦA-NGƯỜI-DUYỆT",
    "draft assessment explanation": "TỰ-ĐÁNH-GIÁ-NHÁP",
    "draft assessment link": "https://noibo.bacninh.gov.vn/tu-danh-gia-nhap",
    "submitted assessment explanation": "TỰ-ĐÁNH-GIÁ-CHỜ-DUYỆT",
    "returned assessment explanation": "TỰ-ĐÁNH-GIÁ-BỊ-TRẢ-LẠI",
    "reopened assessment change": "TỰ-ĐÁNH-GIÁ-SỬA-SAU-KHI-MỞ-LẠI",
    "reopened assessment's reason": "LÝ-DO-MỞ-LẠI",
}


def save(personas, report, reporter=None, **data):
    services.save_report(user=reporter or personas.reporter, report=report, version=report.version, data=data)
    report.refresh_from_db()
    return report


@pytest.fixture
def world(personas, django_capture_on_commit_callbacks):
    run = django_capture_on_commit_callbacks
    public_project = ProjectFactory(unit=personas.unit, code="IOC-01", name_vi="Trung tâm IOC Bắc Ninh")
    secret_project = ProjectFactory(unit=personas.unit, code=SECRETS["unpublished project code"],
                                    name_vi=SECRETS["unpublished project"])

    approved = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    set_values(approved, {"TG5-01": PUBLIC_VALUE})
    approved = save(personas, approved, nodes={"decision-950:1": {
        "narrative": PUBLIC_NARRATIVE, "evidence_links": [PUBLIC_LINK, SECRETS["private link"]],
        "public_links": [PUBLIC_LINK]}},
        projects={str(public_project.pk): {"status": "in-progress", "percent_complete": "40"}})
    Evidence.objects.create(answer=approved.answers.get(node__code="1"), original_name=SECRETS["evidence file"],
                            file=ContentFile(b"%PDF-1.4\n", name="x.pdf"), content_type="application/pdf", size=9)
    approved = submit_and_approve(approved, reporter=personas.reporter, reviewer=personas.reviewer, run=run)
    # The register changes after the approval: not public until the next one.
    type(public_project).objects.filter(pk=public_project.pk).update(name_en=SECRETS["register change after approval"])

    draft = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    set_values(draft, {"TG5-01": SECRETS["draft value"]})
    save(personas, draft, nodes={"decision-950:2": {"narrative": SECRETS["draft narrative"]}},
         projects={str(secret_project.pk): {"percent_complete": SECRETS["draft project figure"][:5]},
                   str(public_project.pk): {"percent_complete": SECRETS["draft project figure"][:5]}})

    submitted = ReportFactory(unit=unit("ha-noi"), year=2025, quarter=3)
    set_values(submitted, {"TG5-01": SECRETS["submitted value"]})
    save(personas, submitted, reporter=personas.other_reporter,
         nodes={"decision-950:1": {"narrative": SECRETS["submitted narrative"]}})
    services.submit_report(user=personas.other_reporter, report=submitted, version=submitted.version + 0,
                           confirm_warnings=True)

    returned = ReportFactory(unit=unit("ha-noi"), year=2025, quarter=4, status="returned")
    save(personas, returned, reporter=personas.other_reporter,
         nodes={"decision-950:1": {"narrative": SECRETS["returned narrative"]}})

    corrected = ReportFactory(unit=unit("hue"), year=2025, quarter=3)
    set_values(corrected, {"TG5-01": "30"})
    hue = type(personas.reporter).objects.create(username="hue-reporter", role="province-reporter", unit=unit("hue"))
    corrected = submit_and_approve(corrected, reporter=hue, reviewer=personas.reviewer, run=run)
    corrected = reopen(corrected, reviewer=personas.reviewer, run=run)
    set_values(corrected, {"TG5-01": SECRETS["reopened value"]})
    save(personas, corrected, reporter=hue, nodes={"decision-950:1": {"narrative": SECRETS["reopened change"]}})
    return {"approved": approved, "draft": draft, "submitted": submitted, "returned": returned,
            "corrected": corrected, "public_project": public_project, "secret_project": secret_project,
            **assessment_world(personas, run)}


def explain(assessment, code, text):
    assessment.answers.filter(node__code=code).update(explanation=text)


def assessment_world(personas, run):
    """One approved self-assessment (Bắc Ninh 2025) and one in each other state, with their secrets."""
    approved = approved_assessment(unit=personas.unit, year=2025, explanations={"A1": PUBLIC_EXPLANATION})
    approved.answers.filter(node__code="C1").update(comment=SECRETS["assessment reviewer's comment"])
    AssessmentEvidence.objects.create(
        answer=approved.answers.get(node__code="A1"), original_name=SECRETS["assessment evidence file"],
        file=ContentFile(b"%PDF-1.4\n", name="y.pdf"), content_type="application/pdf", size=9,
    )

    draft = AssessmentFactory(unit=personas.unit, year=2026, answers={"A1": True})
    explain(draft, "A1", SECRETS["draft assessment explanation"])
    AssessmentEvidence.objects.create(answer=draft.answers.get(node__code="A1"), url=SECRETS["draft assessment link"])

    submitted = AssessmentFactory(unit=unit("ha-noi"), year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    explain(submitted, "A1", SECRETS["submitted assessment explanation"])

    returned = AssessmentFactory(unit=unit("ha-noi"), year=2024, status=ReportStatus.RETURNED, answers={"A1": True})
    explain(returned, "A1", SECRETS["returned assessment explanation"])

    # Approved (its level published), then reopened and changed: nothing of it stays public.
    reopened = approved_assessment(unit=unit("hue"), year=2025)
    with run(execute=True):
        reopened = assessments.reopen_assessment(user=personas.reviewer, assessment=reopened,
                                                 version=reopened.version, reason=SECRETS["reopened assessment's reason"])
    explain(reopened, "A1", SECRETS["reopened assessment change"])
    return {"assessment_approved": approved, "assessment_draft": draft, "assessment_submitted": submitted,
            "assessment_returned": returned, "assessment_reopened": reopened}


def assessment_page(assessment):
    version = assessment.framework_version
    return reverse("published:assessment", kwargs={
        "slug": assessment.unit.slug, "year": assessment.year, "framework": version.framework.code,
        "version": version.code,
    })


def public_urls(world):
    """Every address the new public routes answer, for the world's objects."""
    urls = [
        reverse("data:index"), reverse("data:catalog"), reverse("data:release_list"), reverse("published:list"),
        reverse("projects:list"), reverse("projects:list") + "?format=csv", reverse("projects:list") + "?format=xlsx",
        reverse("projects:list") + "?province=bac-ninh", reverse("sitemap"), reverse("robots_txt"),
        reverse("indicators:standards"), reverse("published:list") + "?province=ha-noi",
        reverse("published:list") + "?province=bac-ninh&year=2025&quarter=4", "/api/v1/projects/",
        reverse("provinces:unit_detail", kwargs={"slug": "bac-ninh"}),
        reverse("published:assessment_list"), reverse("published:assessment_list") + "?province=ha-noi",
        reverse("published:assessment_list") + "?year=2026", reverse("indicators:maturity") + "?year=2025",
        reverse("indicators:maturity") + "?year=2025&format=csv&table=levels",
        reverse("indicators:maturity") + "?year=2024", "/api/v1/maturity/",
    ]
    for dataset in datasets.DATASETS:
        urls += [reverse("data:dataset", kwargs={"dataset": dataset.slug}),
                 reverse("data:datapackage", kwargs={"dataset": dataset.slug})]
        for table in dataset.tables:
            for fmt in ("csv", "json", "xlsx"):
                urls.append(reverse("data:download", kwargs={"dataset": dataset.slug, "table": table.slug, "fmt": fmt}))
            if table.in_release:
                urls.append(reverse("data:download", kwargs={"dataset": dataset.slug, "table": table.slug,
                                                             "fmt": "csv"}) + "?quarter=2025-Q4")
    for release in DataRelease.objects.all():
        urls += [release.get_absolute_url(), reverse("data:release_quarter", kwargs={"period": release.period})]
        urls += [item.get_absolute_url() for item in release.files.all()]
    for name, record in world.items():
        if name.startswith("assessment_"):
            urls.append(assessment_page(record))
        elif hasattr(record, "year"):
            urls.append(reverse("published:report", kwargs={"slug": record.unit.slug, "period": record.period_label}))
    for project in (world["public_project"], world["secret_project"]):
        urls += [reverse("projects:detail", args=[project.pk]), f"/api/v1/projects/{project.pk}/"]
    return urls


def content_of(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":  # XLSX: the shared strings hold the text
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_public_route_shows_anything_not_approved(client, world, language):
    seen = {}
    for url in public_urls(world):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code in (200, 404), (url, response.status_code)
        text = content_of(response)
        for name, secret in SECRETS.items():
            assert secret not in text, f"{name} ({secret}) leaks through {url}"
        seen[url] = (response.status_code, text)

    def status(url):
        return seen[url][0]

    # The approved report is public; no other report has a page, whoever asks.
    published = {name: reverse("published:report", kwargs={"slug": r.unit.slug, "period": r.period_label})
                 for name, r in world.items() if hasattr(r, "period_label")}
    assert status(published["approved"]) == 200
    for name in ("draft", "submitted", "returned", "corrected"):
        assert status(published[name]) == 404, name
    page = seen[published["approved"]][1]
    assert PUBLIC_NARRATIVE in page and PUBLIC_LINK in page
    # The approved self-assessment is public; no other one has a page.
    assert status(assessment_page(world["assessment_approved"])) == 200
    for name in ("assessment_draft", "assessment_submitted", "assessment_returned", "assessment_reopened"):
        assert status(assessment_page(world[name])) == 404, name
    page = seen[assessment_page(world["assessment_approved"])][1]
    assert PUBLIC_EXPLANATION in page
    assert status(reverse("projects:detail", args=[world["secret_project"].pk])) == 404
    assert status(f"/api/v1/projects/{world['secret_project'].pk}/") == 404


def test_counts_and_lists_count_approved_reports_and_published_projects_only(client, world):
    html = client.get(reverse("published:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"\b1 report\b", html)
    html = client.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"\b1 project\b", html)
    assert client.get("/api/v1/projects/").json()["count"] == 1
    html = client.get(reverse("published:assessment_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"\b1 self-assessment\b", html)
    sitemap = client.get(reverse("sitemap")).content.decode()
    locations = re.findall(r"<loc>http://testserver(/published-reports/[^<]*)</loc>", sitemap)
    assert sorted(locations) == sorted([
        "/published-reports/", "/published-reports/assessments/",
        reverse("published:report", kwargs={"slug": "bac-ninh", "period": world["approved"].period_label}),
        assessment_page(world["assessment_approved"]),
    ])
    assert f"/projects/{world['secret_project'].pk}/" not in sitemap


def test_a_signed_in_reader_sees_the_same_public_pages(client, world, personas):
    for user in (personas.other_reporter, personas.reviewer):
        client.force_login(user)
        draft = world["draft"]
        url = reverse("published:report", kwargs={"slug": draft.unit.slug, "period": draft.period_label})
        assert client.get(url).status_code == 404
        assert SECRETS["draft narrative"] not in client.get(reverse("published:list")).content.decode()
        assert client.get(assessment_page(world["assessment_draft"])).status_code == 404
        assert assessment_page(world["assessment_draft"]) not in client.get(
            reverse("published:assessment_list")).content.decode()


def test_evidence_files_are_never_served_publicly_even_of_an_approved_report(client, world):
    evidence = Evidence.objects.exclude(file="").get()
    response = client.get(reverse("programmes:evidence_download", args=[evidence.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_assessment_evidence_files_are_never_served_publicly_even_of_an_approved_assessment(client, world):
    evidence = AssessmentEvidence.objects.exclude(file="").get()
    assert evidence.answer.assessment == world["assessment_approved"]
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_published_copy_is_what_the_approval_saw(world):
    copy = PublishedProject.objects.get()
    assert copy.pk == world["public_project"].pk
    assert copy.name_en != SECRETS["register change after approval"]
