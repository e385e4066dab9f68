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


# --- the evidence files of a report as a whole (issue 13, item 11) ---------------------------------


def pdf(name, size):
    """A real PDF of exactly ``size`` bytes."""
    return SimpleUploadedFile(name, MINIMAL_PDF + b"%" * (size - len(MINIMAL_PDF)), content_type="application/pdf")


def attached(report):
    return sorted(Evidence.objects.filter(answer__report=report).values_list("original_name", flat=True))


def test_the_default_limit_per_report_is_50_mb(settings):
    assert settings.EVIDENCE_MAX_BYTES_PER_REPORT == 50 * 1024 * 1024


def test_files_under_the_file_limit_but_over_the_report_limit_in_one_request_are_all_refused(
    client, personas, draft, settings
):
    # Scaled down from three 9.5 MB files against 10 MB per file and 25 MB per report.
    settings.UPLOAD_MAX_BYTES, settings.EVIDENCE_MAX_BYTES_PER_REPORT = 1000, 2500
    client.force_login(personas.reporter)
    data = report_form_data(draft, **{"nodes.decision-950:2.narrative": "Không được lưu"})
    data["nodes.decision-950:2.evidence_files"] = [pdf(f"bien-ban-{n}.pdf", 950) for n in range(3)]

    response = client.post(edit_url(draft), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["nodes.decision-950:2.evidence_files"]).replace("\xa0", " ")
    assert "at most 2.4 KB per report" in errors, errors
    assert 'id="id_nodes.decision-950:2.evidence_files_error"' in response.content.decode()
    assert attached(draft) == []
    draft.refresh_from_db()
    assert draft.version == 1 and draft.revisions.count() == 1
    assert draft.answers.get(node__code=2).narrative != "Không được lưu"


def test_files_already_attached_count_towards_the_limit_per_report(client, personas, draft, settings):
    settings.UPLOAD_MAX_BYTES, settings.EVIDENCE_MAX_BYTES_PER_REPORT = 1000, 2500
    client.force_login(personas.reporter)
    assert post_files(client, draft, pdf("a.pdf", 950), group=1).status_code == 302
    draft.refresh_from_db()

    refused = post_files(client, draft, pdf("b.pdf", 950), pdf("c.pdf", 950), group=3)

    assert refused.status_code == 200
    errors = " ".join(refused.context["form"].errors["nodes.decision-950:3.evidence_files"]).replace("\xa0", " ")
    assert "950 bytes already attached" in errors, errors
    assert attached(draft) == ["a.pdf"]
    assert post_files(client, draft, pdf("b.pdf", 950), group=3).status_code == 302
    assert attached(draft) == ["a.pdf", "b.pdf"]


# --- removing a file ------------------------------------------------------------------------------------


@pytest.fixture
def with_files(personas, draft):
    """The draft with two files attached to task group 2."""
    return services.save_report(
        user=personas.reporter, report=draft, version=draft.version, data={},
        uploads=[("decision-950:2", pdf("giu-lai.pdf", 400)), ("decision-950:2", pdf("nham-lan.pdf", 500))],
    )


def remove(client, report, name, **fields):
    evidence = Evidence.objects.get(answer__report=report, original_name=name)
    data = report_form_data(report, **fields)
    data["remove_evidence"] = str(evidence.pk)
    return client.post(edit_url(report), data, HTTP_ACCEPT_LANGUAGE="en"), evidence


def test_the_form_has_a_remove_button_for_each_attached_file(client, personas, with_files):
    client.force_login(personas.reporter)
    html = client.get(edit_url(with_files)).content.decode()
    for evidence in Evidence.objects.filter(answer__report=with_files):
        assert f'name="remove_evidence" value="{evidence.pk}"' in html


def test_the_reporter_removes_a_file_from_a_draft_keeping_the_other_changes(
    client, personas, with_files, django_capture_on_commit_callbacks
):
    client.force_login(personas.reporter)
    version = with_files.version
    with django_capture_on_commit_callbacks(execute=True):
        response, evidence = remove(client, with_files, "nham-lan.pdf", **{"nodes.decision-950:2.narrative": "Đã thay biên bản"})
        stored = evidence.file.name
        assert evidence.file.storage.exists(stored)

    assert response.status_code == 302
    assert attached(with_files) == ["giu-lai.pdf"]
    assert not evidence.file.storage.exists(stored)
    with_files.refresh_from_db()
    assert with_files.version == version + 1
    assert with_files.answers.get(node__code=2).narrative == "Đã thay biên bản"
    revision = with_files.revisions.order_by("-number").first()
    assert revision.action == "saved" and revision.actor == personas.reporter
    assert [f["name"] for f in revision.snapshot["nodes"]["decision-950:2"]["evidence_files"]] == ["giu-lai.pdf"]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "removed" in page.content.decode()
    assert client.get(reverse("programmes:evidence_download", kwargs={"pk": evidence.pk})).status_code == 404


def test_a_file_is_removed_from_a_returned_report_too(client, personas, with_files):
    with_files.status = ReportStatus.RETURNED
    with_files.save(update_fields=["status"])
    client.force_login(personas.integrator)

    response, _ = remove(client, with_files, "nham-lan.pdf")

    assert response.status_code == 302
    assert attached(with_files) == ["giu-lai.pdf"]


def test_a_stale_page_removes_nothing(client, personas, with_files):
    client.force_login(personas.reporter)
    stale = report_form_data(with_files)
    services.save_report(
        user=personas.reporter, report=with_files, version=with_files.version,
        data={"nodes": {"decision-950:1": {"narrative": "Đồng nghiệp vừa lưu"}}},
    )
    stale["remove_evidence"] = str(Evidence.objects.get(original_name="nham-lan.pdf").pk)

    response = client.post(edit_url(with_files), stale, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200 and response.context["conflict"]
    assert attached(with_files) == ["giu-lai.pdf", "nham-lan.pdf"]


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_files_of_a_submitted_or_approved_report_cannot_be_removed(client, personas, with_files, status):
    with_files.status = status
    with_files.save(update_fields=["status"])
    client.force_login(personas.reporter)

    response, _ = remove(client, with_files, "nham-lan.pdf")

    assert response.status_code == 302 and response["Location"] == with_files.get_absolute_url()
    assert attached(with_files) == ["giu-lai.pdf", "nham-lan.pdf"]


@pytest.mark.parametrize("role, status", [("other_reporter", 404), ("viewer", 403), ("reviewer", 403)])
def test_only_those_who_may_edit_the_report_remove_its_files(client, personas, with_files, role, status):
    client.force_login(getattr(personas, role))

    response, _ = remove(client, with_files, "nham-lan.pdf")

    assert response.status_code == status
    assert attached(with_files) == ["giu-lai.pdf", "nham-lan.pdf"]


def test_a_file_of_another_report_cannot_be_removed_through_this_one(client, personas, with_files):
    other = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4)
    client.force_login(personas.reporter)
    data = report_form_data(other)
    data["remove_evidence"] = str(Evidence.objects.get(original_name="nham-lan.pdf").pk)

    response = client.post(edit_url(other), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "not attached to this report" in response.content.decode()
    assert attached(with_files) == ["giu-lai.pdf", "nham-lan.pdf"]
    other.refresh_from_db()
    assert other.version == 1


def test_removing_a_file_needs_the_csrf_token(personas, with_files):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.reporter)

    response, _ = remove(browser, with_files, "nham-lan.pdf")

    assert response.status_code == 403
    assert attached(with_files) == ["giu-lai.pdf", "nham-lan.pdf"]


# --- file names that are not UTF-8 ---------------------------------------------------------------------

BOUNDARY = "PortalTestBoundary7MA4YWxkTrZu0gW"


def post_raw_file(client, report, disposition, content=MINIMAL_PDF, group=2, **fields):
    """Post the form with one file part whose Content-Disposition parameters are raw bytes."""
    from django.test.client import encode_multipart

    closing = f"--{BOUNDARY}--\r\n".encode()
    body = encode_multipart(BOUNDARY, report_form_data(report, **fields))
    assert body.endswith(closing)
    body = body[: -len(closing)] + (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="nodes.decision-950:{group}.evidence_files"; '.encode()
        + disposition + b"\r\nContent-Type: application/pdf\r\n\r\n" + content + b"\r\n" + closing
    )
    return client.post(
        edit_url(report), body, content_type=f"multipart/form-data; boundary={BOUNDARY}", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.mark.parametrize(
    "disposition",
    [
        'filename="Báo cáo 3 tháng.pdf"'.encode("cp1258"),  # a Windows code page, not UTF-8
        b'filename="\xff\xfe\x00r\x00.pdf"',
        b'filename="\x07\x08"',  # nothing but control characters
        b"filename*=x-unknown''bao-cao.pdf",
        b"filename*=UTF-8''B%E1o%20c%E1o.pdf",  # percent-encoded Latin-1
    ],
    ids=["cp1258", "utf-16", "control-characters", "unknown-charset", "percent-encoded-latin-1"],
)
def test_a_file_whose_name_cannot_be_read_is_refused_with_a_clear_error(client, personas, draft, disposition):
    client.force_login(personas.reporter)

    response = post_raw_file(client, draft, disposition, **{"nodes.decision-950:2.narrative": "Không được lưu"})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["nodes.decision-950:2.evidence_files"])
    assert "name cannot be read" in errors, errors
    html = response.content.decode()
    assert 'id="id_nodes.decision-950:2.evidence_files_error"' in html and "Draft saved" not in html
    assert attached(draft) == []
    draft.refresh_from_db()
    assert draft.version == 1
    assert draft.answers.get(node__code=2).narrative != "Không được lưu"


def test_control_characters_are_taken_out_of_a_readable_name(client, personas, draft):
    client.force_login(personas.reporter)

    response = post_raw_file(client, draft, 'filename="Biên bản\x07 số 1.pdf"'.encode())

    assert response.status_code == 302
    assert attached(draft) == ["Biên bản số 1.pdf"]


def test_an_empty_file_input_is_not_an_error(client, personas, draft):
    client.force_login(personas.reporter)

    response = post_raw_file(client, draft, b'filename=""', content=b"", **{"nodes.decision-950:2.narrative": "Đã lưu"})

    assert response.status_code == 302
    assert draft.answers.get(node__code=2).narrative == "Đã lưu"


def test_a_failed_save_names_the_files_to_choose_again_and_where(client, personas, draft):
    client.force_login(personas.reporter)
    data = report_form_data(draft, **{"nodes.decision-950:3.percent_complete": "140"})
    data["nodes.decision-950:3.evidence_files"] = [SimpleUploadedFile("Biên bản nghiệm thu.pdf", MINIMAL_PDF)]

    response = client.post(edit_url(draft), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (label, names), = response.context["files_lost"]
    assert names == ["Biên bản nghiệm thu.pdf"] and "3" in str(label)
    assert "Biên bản nghiệm thu.pdf" in response.content.decode()
    assert not Evidence.objects.exists()
