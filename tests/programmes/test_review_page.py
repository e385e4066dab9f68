"""The review page: approving needs a confirmation (a ticked box, so it works without script), and each
comment on a single item or indicator is written beside the answer or value it is about."""
import re

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import Report, ReportStatus
from tests.factories import report_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, client):
    draft = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)
    response = client.post(reverse("programmes:report_edit", kwargs={"pk": draft.pk}),
                           report_form_data(draft, action="submit"))
    assert response.status_code == 302
    client.logout()
    return Report.objects.get(pk=draft.pk)


def approve_url(report):
    return reverse("programmes:report_approve", kwargs={"pk": report.pk})


def test_an_approval_without_the_confirmation_approves_nothing_and_says_so_beside_the_box(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(approve_url(submitted), {"version": submitted.version, "comment": "Tốt"})

    assert response.status_code == 200
    assert Report.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED
    html = response.content.decode()
    box = html[html.index('class="field confirm-field has-errors"'):]
    assert "Hãy đánh dấu ô để xác nhận phê duyệt" in box[:box.index("</div>")]
    # The approval form stays open with the comment typed.
    assert re.search(r'<details class="review-action" id="review-approve"\s+open>', html)
    assert "Tốt</textarea>" in html


def test_a_confirmed_approval_approves(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(approve_url(submitted), {"version": submitted.version, "confirm": "on"})

    assert response.status_code == 302
    assert Report.objects.get(pk=submitted.pk).status == ReportStatus.APPROVED


def test_the_confirmation_box_is_required_in_the_page_itself(client, personas, submitted):
    client.force_login(personas.reviewer)

    html = client.get(submitted.get_absolute_url()).content.decode()

    assert re.search(r'<input type="checkbox" name="confirm"[^>]*required[^>]*id="approve-confirm"', html)
    assert '<label for="approve-confirm">' in html


def test_each_item_comment_box_sits_in_the_items_section_and_belongs_to_the_return_form(client, personas, submitted):
    client.force_login(personas.reviewer)

    html = client.get(submitted.get_absolute_url()).content.decode()

    section = html[html.index('id="item-decision-950-2"'):html.index('id="item-decision-950-3"')]
    assert 'name="comment-nodes.decision-950:2"' in section
    assert 'form="return-form"' in section
    assert 'id="return-form"' in html
    # No list of every item's box elsewhere in the return form any more.
    assert html.count('name="comment-nodes.decision-950:2"') == 1


def test_each_indicator_comment_box_sits_in_the_row_of_its_value(client, personas, submitted):
    client.force_login(personas.reviewer)

    html = client.get(submitted.get_absolute_url()).content.decode()

    row = html[html.index('id="row-TG5-01"'):]
    row = row[:row.index("</tr>")]
    assert 'name="comment-indicators.TG5-01"' in row and 'form="return-form"' in row


def test_comments_written_beside_the_values_are_sent_with_the_return(client, personas, submitted):
    client.force_login(personas.reviewer)

    response = client.post(reverse("programmes:report_return", kwargs={"pk": submitted.pk}), {
        "version": submitted.version, "comment": "Bổ sung.",
        "comment-nodes.decision-950:2": "Thiếu văn bản", "comment-indicators.TG5-01": "Chưa khớp",
    })

    assert response.status_code == 302
    assert Report.objects.get(pk=submitted.pk).field_comments == {
        "nodes.decision-950:2": "Thiếu văn bản", "indicators.TG5-01": "Chưa khớp",
    }


def test_a_reader_who_cannot_review_sees_no_comment_boxes(client, personas, submitted):
    client.force_login(personas.viewer)

    html = client.get(submitted.get_absolute_url()).content.decode()

    assert "comment-nodes." not in html and "comment-indicators." not in html


# --- the self-assessment's review page ------------------------------------------------------------------


def test_approving_an_assessment_without_the_confirmation_saves_and_approves_nothing(client, personas):
    from programmes.models import Assessment
    from tests.factories import AssessmentFactory

    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    client.force_login(personas.reviewer)

    response = client.post(f"/assessments/{assessment.pk}/verify/", {
        "version": "1", "action": "approve", "criteria.A1.accepted": "yes",
    })

    assert response.status_code == 200
    html = response.content.decode()
    box = html[html.index('class="field confirm-field has-errors"'):]
    assert "Hãy đánh dấu ô để xác nhận phê duyệt" in box[:box.index("</div>")]
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert (assessment.status, assessment.version) == (ReportStatus.SUBMITTED, 1)
    # The decision the reviewer took is still on the page.
    assert re.search(r'<input type="radio" name="criteria.A1.accepted" value="yes"[^>]*checked', html)


def test_saving_an_assessments_decisions_needs_no_confirmation(client, personas):
    from programmes.models import Assessment
    from tests.factories import AssessmentFactory

    assessment = AssessmentFactory(year=2025, status=ReportStatus.SUBMITTED, answers={"A1": True})
    client.force_login(personas.reviewer)

    response = client.post(f"/assessments/{assessment.pk}/verify/", {
        "version": "1", "action": "verify", "criteria.A1.accepted": "yes",
    })

    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).version == 2
