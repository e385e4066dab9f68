"""Evidence files through the report form: accepted, refused, and downloaded only by those who may read the report."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes import services
from programmes.models import Evidence, ReportStatus
from tests.factories import MINIMAL_PDF, report_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(personas):
    return services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)


def edit_url(report):
    return reverse("programmes:report_edit", kwargs={"pk": report.pk})


def post_files(client, report, *files, group=2):
    data = report_form_data(report)
    data[f"nodes.decision-950:{group}.evidence_files"] = list(files)
    return client.post(edit_url(report), data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_real_pdf_is_kept_listed_and_downloadable(client, personas, draft):
    client.force_login(personas.reporter)
    pdf = SimpleUploadedFile("Quyết định 123.pdf", MINIMAL_PDF, content_type="application/pdf")

    response = post_files(client, draft, pdf)

    assert response.status_code == 302
    evidence = Evidence.objects.get(answer__report=draft)
    assert evidence.answer.node.code == "2"
    assert evidence.content_type == "application/pdf" and evidence.size == len(MINIMAL_PDF)
    # The stored name never comes from the user.
    assert "Quyết" not in evidence.file.name
    download = reverse("programmes:evidence_download", kwargs={"pk": evidence.pk})
    assert download in client.get(edit_url(draft)).content.decode()
    assert download in client.get(draft.get_absolute_url()).content.decode()

    response = client.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20123.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_several_files_can_be_attached_at_once(client, personas, draft):
    client.force_login(personas.reporter)
    files = [SimpleUploadedFile(f"bien-ban-{n}.pdf", MINIMAL_PDF) for n in range(2)]

    assert post_files(client, draft, *files).status_code == 302

    assert Evidence.objects.filter(answer__report=draft).count() == 2


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("chay-toi.exe", b"MZ\x90\x00", "only these file types are accepted"),
        ("gia-mao.pdf", b"<html>not a pdf</html>", "is not a real PDF file"),
    ],
)
def test_a_wrong_file_is_refused_next_to_its_field_and_nothing_is_saved(client, personas, draft, name, content, words):
    client.force_login(personas.reporter)

    response = post_files(client, draft, SimpleUploadedFile(name, content), group=4)

    assert response.status_code == 200
    errors = response.context["form"].errors["nodes.decision-950:4.evidence_files"]
    assert any(words in error for error in errors), errors
    html = response.content.decode()
    assert 'id="id_nodes.decision-950:4.evidence_files_error"' in html
    # The officer is told that files must be chosen again.
    assert "choose them again" in html
    draft.refresh_from_db()
    assert not Evidence.objects.filter(answer__report=draft).exists()
    assert draft.revisions.count() == 1


def test_a_file_over_the_limit_is_refused(client, personas, draft, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(personas.reporter)
    big = SimpleUploadedFile("to.pdf", MINIMAL_PDF + b"0" * 4096)

    response = post_files(client, draft, big)

    assert response.status_code == 200
    assert "the limit is 2.0" in " ".join(response.context["form"].errors["nodes.decision-950:2.evidence_files"])
    assert not Evidence.objects.exists()


def test_evidence_is_downloaded_only_by_readers_of_its_report(client, personas, draft):
    report = services.save_report(
        user=personas.reporter, report=draft, version=draft.version, data={},
        uploads=[("decision-950:1", SimpleUploadedFile("a.pdf", MINIMAL_PDF))],
    )
    download = reverse("programmes:evidence_download", kwargs={"pk": Evidence.objects.get().pk})
    for user, status in (
        (personas.reporter, 200), (personas.viewer, 200), (personas.reviewer, 200),
        (personas.other_reporter, 404), (personas.readonly_integrator, 404),
    ):
        client.force_login(user)
        assert client.get(download).status_code == status, user
    client.logout()
    assert client.get(download).status_code == 302

    report.status = ReportStatus.APPROVED
    report.save(update_fields=["status"])
    client.force_login(personas.other_reporter)
    assert client.get(download).status_code == 200


def test_links_open_in_a_new_tab_without_referrer(client, personas, draft):
    services.save_report(
        user=personas.reporter, report=draft, version=draft.version,
        data={"nodes": {"decision-950:5": {"evidence_links": "https://dichvucong.bacninh.gov.vn"}}},
    )
    client.force_login(personas.reporter)

    html = client.get(draft.get_absolute_url()).content.decode()

    assert ('<a href="https://dichvucong.bacninh.gov.vn" target="_blank" rel="noopener noreferrer">') in html
