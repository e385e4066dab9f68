"""The report workflow through its pages: who may take which step, and what each step leaves behind."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import Report, ReportStatus
from tests.factories import (
    ReportFactory,
    UserFactory,
    promoted_to_superuser,
    report_form_data,
    set_values,
)

pytestmark = pytest.mark.django_db


def edit_url(report):
    return reverse("programmes:report_edit", kwargs={"pk": report.pk})


def action_url(report, action):
    return reverse(f"programmes:report_{action}", kwargs={"pk": report.pk})


@pytest.fixture
def draft(personas):
    return services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)


@pytest.fixture
def submitted(personas, draft, client):
    client.force_login(personas.reporter)
    response = client.post(edit_url(draft), report_form_data(draft, action="submit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED
    client.logout()
    return draft


def fresh(report):
    return Report.objects.get(pk=report.pk)


# --- reporter ---------------------------------------------------------------------------------


def test_saving_a_draft_keeps_the_values_and_a_revision(client, personas, draft):
    client.force_login(personas.reporter)
    data = report_form_data(draft, **{
        "nodes.decision-950:3.narrative": "Hoàn thành quy hoạch chung",
        "nodes.decision-950:3.evidence_links": "https://bacninh.gov.vn/quy-hoach\nhttps://bacninh.gov.vn/qd-123",
        "indicators.TG5-01.value": "62,5",
        "indicators.TG1-01.value": "yes",
    })

    response = client.post(edit_url(draft), data)

    assert response.status_code == 302 and response["Location"] == edit_url(draft)
    report = fresh(draft)
    assert report.status == ReportStatus.DRAFT and report.version == draft.version + 1
    progress = report.answers.get(node__code=3)
    assert progress.narrative == "Hoàn thành quy hoạch chung"
    assert sorted(progress.evidence.values_list("url", flat=True)) == [
        "https://bacninh.gov.vn/qd-123", "https://bacninh.gov.vn/quy-hoach"
    ]
    values = dict(report.indicator_values.values_list("indicator__code", "value"))
    assert str(values["TG5-01"]) == "62.5000" and values["TG1-01"] == 1
    assert list(report.revisions.values_list("action", flat=True)) == ["created", "saved"]


def test_the_form_page_is_prefilled_from_the_saved_report(client, personas, draft):
    client.force_login(personas.reporter)
    client.post(edit_url(draft), report_form_data(draft, **{"indicators.TG5-01.value": "62.5"}))

    response = client.get(edit_url(draft))

    html = response.content.decode()
    assert response.status_code == 200
    # In the page's language: a decimal comma in Vietnamese, which the form reads back.
    assert 'name="indicators.TG5-01.value"' in html and 'value="62,5"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'value="62.5"' in client.get(edit_url(draft), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'name="version" value="{draft.version + 1}"' in html


def test_submitting_through_the_form_sends_the_report_for_review(client, personas, draft):
    client.force_login(personas.reporter)

    response = client.post(edit_url(draft), report_form_data(draft, action="submit"))

    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    report = fresh(draft)
    assert report.status == ReportStatus.SUBMITTED
    # 2025-Q3 was due on 15 October 2025: this submission is late.
    assert report.is_late and report.first_submitted_at is not None


def test_an_unanswered_task_group_blocks_submission_and_nothing_is_saved(client, personas, draft):
    client.force_login(personas.reporter)
    data = report_form_data(draft, action="submit", **{"nodes.decision-950:4.status": "", "nodes.decision-950:2.narrative": "Mới"})

    response = client.post(edit_url(draft), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "nodes.decision-950:4.status" in form.errors
    html = response.content.decode()
    assert 'id="id_nodes.decision-950:4.status_error"' in html and 'aria-invalid="true"' in html
    # The user's input is still on the page…
    assert "Mới" in html
    # …and nothing reached the database.
    report = fresh(draft)
    assert report.version == draft.version and report.status == ReportStatus.DRAFT
    assert report.answers.get(node__code=2).narrative == ""


def test_a_large_change_needs_confirming_before_submission(client, personas):
    previous = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    set_values(previous, {"TG4-01": 2})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4)
    client.force_login(personas.reporter)
    data = report_form_data(report, action="submit", **{"indicators.TG4-01.value": "40"})

    response = client.post(edit_url(report), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="warning-box"' in html and 'name="confirm_warnings"' in html
    assert fresh(report).status == ReportStatus.DRAFT

    response = client.post(edit_url(report), {**data, "confirm_warnings": "on"})

    assert response.status_code == 302
    report = fresh(report)
    assert report.status == ReportStatus.SUBMITTED
    confirmed = report.revisions.get(action="submitted").confirmed_warnings
    assert [w["field"] for w in confirmed] == ["indicators.TG4-01.value"]


def test_the_form_shows_last_quarters_answers_beside_the_fields(client, personas):
    previous = ReportFactory(unit=personas.unit, year=2025, quarter=3, status=ReportStatus.APPROVED, answered=35)
    set_values(previous, {"TG5-01": "47.5", "TG1-01": 1})
    report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=4)
    client.force_login(personas.reporter)

    html = client.get(edit_url(report), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Last quarter (2025-Q3): in progress, 35 % complete." in html
    row = html[html.index('id="row-TG5-01"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num" data-label="2025-Q3">47.5</td>' in row
    row = html[html.index('id="row-TG1-01"'):]
    assert '<td class="num" data-label="2025-Q3">yes</td>' in row[:row.index("</tr>")]


def test_a_reporter_cannot_approve_or_return(client, personas, submitted):
    client.force_login(personas.reporter)
    for action, data in (("approve", {}), ("return", {"comment": "tự trả"}), ("reopen", {"reason": "x"})):
        response = client.post(action_url(submitted, action), {"version": submitted.version, **data})
        assert response.status_code == 403, action
    assert fresh(submitted).status == ReportStatus.SUBMITTED


def test_a_reporter_cannot_edit_a_submitted_report(client, personas, submitted):
    client.force_login(personas.reporter)

    response = client.get(edit_url(submitted))
    assert response.status_code == 302 and response["Location"] == submitted.get_absolute_url()

    response = client.post(edit_url(submitted), report_form_data(submitted, **{"nodes.decision-950:1.narrative": "sửa lén"}))
    assert response.status_code == 302
    assert fresh(submitted).version == submitted.version


# --- reviewer -----------------------------------------------------------------------------------


def test_the_reviewer_returns_a_report_with_comments_that_the_reporter_sees(client, personas, submitted):
    client.force_login(personas.reviewer)
    response = client.post(action_url(submitted, "return"), {
        "version": submitted.version,
        "comment": "Bổ sung minh chứng cho nhóm 2.",
        "comment-nodes.decision-950:2": "Thiếu văn bản phê duyệt",
        "comment-indicators.TG5-01": "Số liệu chưa khớp",
    })

    assert response.status_code == 302
    report = fresh(submitted)
    assert report.status == ReportStatus.RETURNED
    assert report.field_comments == {"nodes.decision-950:2": "Thiếu văn bản phê duyệt", "indicators.TG5-01": "Số liệu chưa khớp"}

    client.force_login(personas.reporter)
    html = client.get(edit_url(report)).content.decode()
    assert "Bổ sung minh chứng cho nhóm 2." in html
    section = html[html.index('id="item-decision-950-2"'):html.index('id="item-decision-950-3"')]
    assert "Thiếu văn bản phê duyệt" in section
    row = html[html.index('id="row-TG5-01"'):]
    assert "Số liệu chưa khớp" in row[:row.index("</tr>")]


def test_returning_without_a_comment_is_refused_next_to_the_comment(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(action_url(submitted, "return"), {
        "version": submitted.version, "comment": "  ", "comment-nodes.decision-950:1": "giữ lại",
    })

    assert response.status_code == 200
    assert "comment" in response.context["return_form"].errors
    assert "giữ lại" in response.content.decode()
    assert fresh(submitted).status == ReportStatus.SUBMITTED


def test_the_reviewer_approves_and_the_report_is_locked(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(action_url(submitted, "approve"), {"version": submitted.version, "comment": "Tốt", "confirm": "on"})

    assert response.status_code == 302
    report = fresh(submitted)
    assert report.status == ReportStatus.APPROVED and report.approved_by == personas.reviewer
    assert report.revisions.get(action="approved").comment == "Tốt"
    client.force_login(personas.reporter)
    assert client.get(edit_url(report)).status_code == 302
    html = client.get(report.get_absolute_url()).content.decode()
    assert action_url(report, "approve") not in html and edit_url(report) not in html


def test_the_reviewer_cannot_edit_the_contents(client, personas, submitted):
    client.force_login(personas.reviewer)
    assert client.get(edit_url(submitted)).status_code == 403
    response = client.post(edit_url(submitted), report_form_data(submitted, **{"nodes.decision-950:1.narrative": "x"}))
    assert response.status_code == 403
    assert fresh(submitted).version == submitted.version


def test_reopening_needs_a_reason_and_keeps_the_approved_revision(client, personas, submitted):
    services.approve_report(user=personas.reviewer, report=submitted, version=submitted.version)
    report = fresh(submitted)
    client.force_login(personas.reviewer)

    response = client.post(action_url(report, "reopen"), {"version": report.version, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["reopen_form"].errors
    assert fresh(report).status == ReportStatus.APPROVED

    response = client.post(action_url(report, "reopen"), {"version": report.version, "reason": "Sai số liệu quý"})
    assert response.status_code == 302
    report = fresh(report)
    assert report.status == ReportStatus.RETURNED
    assert list(report.revisions.values_list("action", flat=True))[-2:] == ["approved", "reopened"]


def test_a_stale_version_on_a_review_action_is_a_conflict_message(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(action_url(submitted, "approve"), {"version": submitted.version - 1, "confirm": "on"},
                           follow=True)

    assert fresh(submitted).status == ReportStatus.SUBMITTED
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and str(submitted.version - 1) in messages[0]


def test_approving_a_report_already_returned_is_a_state_message(client, personas, submitted):
    services.return_report(user=personas.reviewer, report=submitted, version=submitted.version, comment="x")
    client.force_login(personas.reviewer)

    response = client.post(action_url(submitted, "approve"), {"version": submitted.version + 1, "confirm": "on"},
                           follow=True)

    assert fresh(submitted).status == ReportStatus.RETURNED
    assert response.redirect_chain[-1][0] == submitted.get_absolute_url()
    assert len(list(response.context["messages"])) == 1


def test_a_viewer_reads_but_has_no_action(client, personas, submitted):
    client.force_login(personas.viewer)
    response = client.get(submitted.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert action_url(submitted, "approve") not in html and edit_url(submitted) not in html
    assert client.get(edit_url(submitted)).status_code == 403
    assert client.post(action_url(submitted, "approve"), {"version": submitted.version, "confirm": "on"}).status_code == 403
    assert fresh(submitted).status == ReportStatus.SUBMITTED


def test_the_reviewer_sees_the_review_forms_only_on_submitted_reports(client, personas, draft, submitted):
    client.force_login(personas.reviewer)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert action_url(submitted, "approve") in html and action_url(submitted, "return") in html
    other = ReportFactory(unit=personas.other_unit, year=2025, quarter=3)
    html = client.get(other.get_absolute_url()).content.decode()
    assert action_url(other, "approve") not in html


# --- two people, one report ----------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_loses_nothing(client, personas, draft, django_user_model):
    from django.test import Client

    colleague = django_user_model.objects.create_user(
        "colleague", role="province-reporter", unit=personas.unit, password="x-long-enough-1"
    )
    first, second = Client(), Client()
    first.force_login(personas.reporter)
    second.force_login(colleague)
    # Both open the form at the same version.
    mine = report_form_data(draft, **{"nodes.decision-950:1.narrative": "Bản của tôi", "indicators.TG5-01.value": "40"})
    theirs = report_form_data(draft, **{"nodes.decision-950:1.narrative": "Bản của đồng nghiệp", "indicators.TG5-01.value": "55"})
    assert mine["version"] == theirs["version"] == str(draft.version)

    assert first.post(edit_url(draft), mine).status_code == 302
    response = second.post(edit_url(draft), theirs, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="conflict-box"' in html
    # What the first person changed, old → new, is listed…
    conflict = html[html.index('class="conflict-box"'):html.index("</section>", html.index('class="conflict-box"'))]
    assert "Bản của tôi" in conflict and 'class="diff-added"' in conflict
    assert "TG5-01" in conflict and "40" in conflict
    # …the second person's input is still in the form, now at the new version…
    assert "Bản của đồng nghiệp" in html
    report = fresh(draft)
    assert f'name="version" value="{report.version}"' in html
    # …and nothing of theirs was saved.
    assert report.answers.get(node__code=1).narrative == "Bản của tôi"

    # Saving again, deliberately, at the new version goes through.
    again = {**theirs, "version": str(report.version)}
    assert second.post(edit_url(draft), again).status_code == 302
    assert fresh(draft).answers.get(node__code=1).narrative == "Bản của đồng nghiệp"


def test_the_list_marks_late_and_overdue_reports(client, personas, submitted):
    overdue = ReportFactory(unit=personas.unit, year=2025, quarter=4)
    on_time = ReportFactory(
        unit=personas.unit, year=2026, quarter=1, status=ReportStatus.SUBMITTED,
        first_submitted_at=timezone.now() - timedelta(days=1), submitted_at=timezone.now(), is_late=False,
    )
    client.force_login(personas.reporter)

    html = client.get(reverse("programmes:report_list"), HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()

    def row(report):
        start = html.index(f'href="{report.get_absolute_url()}"')
        return html[start:html.index("</tr>", start)]

    assert 'class="badge badge-late"' in row(submitted)
    assert "overdue" in row(overdue) and 'class="badge badge-draft"' in row(overdue)
    assert "badge-late" not in row(on_time) and "overdue" not in row(on_time)
    assert edit_url(overdue) in row(overdue) and edit_url(submitted) not in row(submitted)


def test_the_list_offers_the_reporter_this_quarters_report(client, personas):
    from provinces.quarters import Quarter

    quarter = Quarter.last_complete(timezone.localdate())
    client.force_login(personas.reporter)

    html = client.get(reverse("programmes:report_list"), follow=True).content.decode()
    assert 'class="card duty"' in html and f'name="quarter" value="{quarter}"' in html

    response = client.post(reverse("programmes:report_start"), {"unit": personas.unit.pk, "quarter": str(quarter)})
    report = Report.objects.get(unit=personas.unit, year=quarter.year, quarter=quarter.quarter)
    assert response["Location"] == edit_url(report)
    html = client.get(reverse("programmes:report_list"), follow=True).content.decode()
    duty = html[html.index('class="card duty"'):html.index("</section>", html.index('class="card duty"'))]
    assert edit_url(report) in duty and 'name="quarter"' not in duty

    client.force_login(personas.viewer)
    assert 'class="card duty"' not in client.get(reverse("programmes:report_list")).content.decode()


def test_the_error_summary_links_to_each_field_to_correct(client, personas, draft):
    client.force_login(personas.reporter)
    data = report_form_data(draft, **{"nodes.decision-950:6.percent_complete": "101", "nodes.decision-950:7.evidence_links": "ftp://x"})

    response = client.post(edit_url(draft), data, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    summary = html[html.index('id="form-errors"'):html.index("</div>", html.index('id="form-errors"'))]
    assert '<a href="#id_nodes.decision-950:6.percent_complete">6. ' in summary
    assert ' · Percent complete</a>' in summary
    assert 'href="#id_nodes.decision-950:7.evidence_links"' in summary


def test_the_submitter_cannot_approve_his_own_report_on_the_page_even_as_a_superuser(client, personas, submitted):
    submitter = promoted_to_superuser(personas.reporter)
    client.force_login(submitter)

    page = client.get(submitted.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(action_url(submitted, "approve"), {"version": submitted.version, "comment": ""},
                           HTTP_ACCEPT_LANGUAGE="en")

    assert action_url(submitted, "approve") not in page
    assert "You submitted this report yourself: another reviewer must approve it." in page
    assert response.status_code == 403
    assert "You submitted this report yourself: another reviewer must approve it." in response.content.decode()
    report = fresh(submitted)
    assert report.status == ReportStatus.SUBMITTED and report.version == submitted.version


# --- a second click ---------------------------------------------------------------------------


def success_messages(response):
    return [str(m) for m in response.context["messages"] if m.level_tag == "success"]


def test_a_second_submission_of_the_same_version_is_answered_with_the_success_page(client, personas, draft):
    client.force_login(personas.reporter)
    data = report_form_data(draft, action="submit")
    first = client.post(edit_url(draft), data, follow=True)
    after_first = fresh(draft)

    second = client.post(edit_url(draft), data, follow=True)

    assert second.redirect_chain == first.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert success_messages(second) == success_messages(first) and len(success_messages(second)) == 1
    assert not [m for m in second.context["messages"] if m.level_tag != "success"]
    report = fresh(draft)
    assert report.status == ReportStatus.SUBMITTED and report.version == after_first.version
    assert report.revisions.count() == after_first.revisions.count()


def test_a_stale_submission_by_someone_else_is_still_refused(client, personas, draft):
    colleague = UserFactory(username="colleague", role="province-reporter", unit=personas.unit)
    data = report_form_data(draft, action="submit")
    client.force_login(personas.reporter)
    client.post(edit_url(draft), data, follow=True)
    client.force_login(colleague)

    response = client.post(edit_url(draft), data, follow=True)

    assert success_messages(response) == []
    assert len(list(response.context["messages"])) == 1


def test_a_second_approval_of_the_same_version_is_answered_with_the_success_page(client, personas, submitted):
    client.force_login(personas.reviewer)
    data = {"version": submitted.version, "comment": "", "confirm": "on"}
    first = client.post(action_url(submitted, "approve"), data, follow=True)

    second = client.post(action_url(submitted, "approve"), data, follow=True)

    assert second.redirect_chain == [(submitted.get_absolute_url(), 302)]
    assert success_messages(second) == success_messages(first) and len(success_messages(second)) == 1
    report = fresh(submitted)
    assert report.status == ReportStatus.APPROVED and report.version == submitted.version + 1
    assert report.revisions.filter(action="approved").count() == 1


def test_a_second_return_of_the_same_version_is_answered_with_the_success_page(client, personas, submitted):
    client.force_login(personas.reviewer)
    data = {"version": submitted.version, "comment": "Bổ sung minh chứng"}
    client.post(action_url(submitted, "return"), data, follow=True)

    second = client.post(action_url(submitted, "return"), data, follow=True)

    assert len(success_messages(second)) == 1
    assert fresh(submitted).revisions.filter(action="returned").count() == 1
