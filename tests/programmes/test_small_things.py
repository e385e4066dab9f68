"""Small things at the screen (issue 17, item 14): the history names what happened first, a conflict
with oneself in another tab says "you", and codes and dates in the reports' tables stay on one line."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from programmes import services
from tests.factories import report_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(personas):
    return services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)


def edit_url(report):
    return reverse("programmes:report_edit", kwargs={"pk": report.pk})


def browser(user, language="vi"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_history_names_the_first_step_as_what_happened_not_a_time(personas, draft):
    vi = browser(personas.reporter).get(reverse("programmes:report_history", kwargs={"pk": draft.pk})).content.decode()
    en = browser(personas.reporter, "en").get(reverse("programmes:report_history", kwargs={"pk": draft.pk})).content.decode()

    assert '<th scope="row">Đã tạo</th>' in vi and "Thời điểm tạo" not in vi
    assert '<th scope="row">Created</th>' in en


def test_a_conflict_with_ones_own_save_in_another_tab_says_you_not_someone_else(personas, draft):
    first_tab = browser(personas.reporter)
    second_tab = browser(personas.reporter)
    data = report_form_data(draft, **{"nodes.decision-950:1.narrative": "Bản ở thẻ thứ nhất"})
    assert first_tab.post(edit_url(draft), data).status_code == 302

    page = second_tab.post(edit_url(draft), report_form_data(
        draft, **{"nodes.decision-950:1.narrative": "Bản ở thẻ thứ hai"}
    )).content.decode()

    assert "Bạn đã lưu báo cáo này ở một thẻ hoặc cửa sổ khác" in page
    assert "Người khác" not in page
    assert "Những gì bạn đã thay đổi ở thẻ hoặc cửa sổ kia" in page


def test_a_conflict_with_a_colleagues_save_still_says_someone_else(personas, draft):
    browser(personas.integrator).post(edit_url(draft), report_form_data(
        draft, **{"nodes.decision-950:1.narrative": "Bản của đồng nghiệp"}
    ))

    page = browser(personas.reporter, "en").post(edit_url(draft), report_form_data(
        draft, **{"nodes.decision-950:1.narrative": "Bản của tôi"}
    )).content.decode()

    assert "Someone else saved this report while you were editing it" in page
    assert "another tab or window" not in page


def test_a_conflict_after_own_and_a_colleagues_saves_says_someone_else(personas, draft):
    browser(personas.reporter).post(edit_url(draft), report_form_data(draft, **{"nodes.decision-950:1.narrative": "A"}))
    draft.refresh_from_db()
    browser(personas.integrator).post(edit_url(draft), report_form_data(draft, **{"nodes.decision-950:1.narrative": "B"}))

    stale = report_form_data(draft, **{"nodes.decision-950:1.narrative": "C"})
    stale["version"] = "1"
    page = browser(personas.reporter, "en").post(edit_url(draft), stale).content.decode()

    assert "Someone else saved this report" in page


def test_quarters_and_dates_in_the_report_list_stay_on_one_line(personas, draft):
    html = browser(personas.viewer).get(reverse("programmes:report_list")).content.decode()

    # Each cell also carries the label a phone's card shows (data-label).
    assert re.search(r'<td class="nowrap"[^>]*>2025-Q3</td>', html)
    assert re.search(r'<td class="nowrap"[^>]*>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</td>', html)  # last saved
    assert re.search(r'<td class="nowrap"[^>]*>15/10/2025</td>', html)  # due date


@pytest.mark.parametrize("url_name", ["projects:list", "published:list", "published:assessment_list", "provinces:unit_list"])
def test_a_filter_bar_points_screen_readers_only_at_text_on_the_page(client, url_name):
    from tests.factories import ProjectFactory

    ProjectFactory()
    page = client.get(reverse(url_name)).content.decode()
    described_by = re.findall(r'aria-describedby="([^"]+)"', page)
    missing = [ref for refs in described_by for ref in refs.split() if f'id="{ref}"' not in page]
    assert 'class="filter-bar"' in page
    assert missing == []


def test_the_api_still_documents_each_filter_of_a_filter_bar(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}
    assert "bac-ninh" in parameters["province"]["description"]
