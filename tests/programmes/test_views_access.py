"""Who reaches which report page. A report one may not read answers 404 on every page, so
its existence does not leak; a report one may read but not act on answers 403."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes import services
from programmes.models import Evidence, ReportStatus
from tests.factories import MINIMAL_PDF, ReportFactory, report_form_data, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(personas):
    """A Bắc Ninh draft with an evidence file."""
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    return services.save_report(
        user=personas.reporter, report=report, version=report.version,
        data={"nodes": {"decision-950:1": {"narrative": "Bí mật nội bộ"}}},
        uploads=[("decision-950:1", SimpleUploadedFile("quyet-dinh.pdf", MINIMAL_PDF, content_type="application/pdf"))],
    )


def pages(report):
    """Every page and action of ``report``: (method, url, data)."""
    evidence = Evidence.objects.filter(answer__report=report).exclude(file="").first()
    url = lambda name: reverse(f"programmes:{name}", kwargs={"pk": report.pk})
    return [
        ("get", url("report_detail"), None),
        ("get", url("report_edit"), None),
        ("post", url("report_edit"), report_form_data(report, **{"nodes.decision-950:1.narrative": "ghi đè"})),
        ("get", url("report_history"), None),
        ("get", url("report_diff"), None),
        ("get", url("report_diff") + "?from=1&to=2", None),
        ("post", url("report_approve"), {"version": report.version, "confirm": "on"}),
        ("post", url("report_return"), {"version": report.version, "comment": "x"}),
        ("post", url("report_reopen"), {"version": report.version, "reason": "x"}),
        ("get", reverse("programmes:evidence_download", kwargs={"pk": evidence.pk}), None),
    ]


def test_another_units_reporter_gets_404_on_every_page_of_a_draft(client, personas, draft):
    client.force_login(personas.other_reporter)
    for method, url, data in pages(draft):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Bí mật nội bộ" not in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert draft.answers.get(node__code=1).narrative == "Bí mật nội bộ"


def test_another_units_reporter_does_not_find_the_draft_in_the_list(client, personas, draft):
    client.force_login(personas.other_reporter)
    for params in ({}, {"province": "bac-ninh"}, {"year": 2025, "quarter": 3}):
        response = client.get(reverse("programmes:report_list"), params, follow=True)
        assert response.status_code == 200
        assert draft.get_absolute_url() not in response.content.decode(), params


def test_an_integrator_without_a_unit_reads_only_approved_reports(client, personas, draft):
    approved = ReportFactory(unit=personas.other_unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    client.force_login(personas.readonly_integrator)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(approved.get_absolute_url()).status_code == 200
    assert client.get(reverse("programmes:report_history", kwargs={"pk": approved.pk})).status_code == 200
    listed = client.get(reverse("programmes:report_list")).content.decode()
    assert approved.get_absolute_url() in listed and draft.get_absolute_url() not in listed


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    login = reverse("accounts:login")
    for method, url, data in pages(draft):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302 and response["Location"].startswith(login), (method, url)
    for url in (reverse("programmes:report_list"), reverse("programmes:report_start"),
                reverse("programmes:reporting_status")):
        assert client.get(url)["Location"].startswith(login)


def test_the_reporter_files_and_reads_the_reports_of_units_merged_into_its_own(client, personas):
    client.force_login(personas.reporter)
    response = client.post(reverse("programmes:report_start"), {
        "unit": unit("bac-giang").pk, "quarter": "2025-Q2",
    })
    assert response.status_code == 302
    report = personas.unit.predecessors.get(slug="bac-giang").reports.get(year=2025, quarter=2)
    assert response["Location"] == reverse("programmes:report_edit", kwargs={"pk": report.pk})
    assert client.get(response["Location"]).status_code == 200
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(reverse("programmes:report_history", kwargs={"pk": report.pk})).status_code == 200


def test_only_reporters_may_start_reports(client, personas):
    for user in (personas.viewer, personas.reviewer, personas.readonly_integrator):
        client.force_login(user)
        assert client.get(reverse("programmes:report_start")).status_code == 403
        html = client.get(reverse("programmes:report_list")).content.decode()
        assert reverse("programmes:report_start") not in html


def test_the_reporting_status_page_is_for_ministry_staff(client, personas):
    url = reverse("programmes:reporting_status")
    for user in (personas.viewer, personas.reviewer, personas.superuser):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (personas.reporter, personas.integrator, personas.readonly_integrator):
        client.force_login(user)
        assert client.get(url).status_code == 403, user


def test_an_unknown_report_is_404(client, personas):
    client.force_login(personas.reviewer)
    assert client.get(reverse("programmes:report_detail", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("programmes:evidence_download", kwargs={"pk": 999999})).status_code == 404
