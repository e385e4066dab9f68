"""A province reporter lands on what is due for the unit; the overview stays reachable."""
import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from programmes.models import ReportStatus
from provinces.quarters import Quarter
from tests.factories import PASSWORD, ReportFactory, report_form_data

pytestmark = pytest.mark.django_db

MINE = reverse("programmes:my_unit")


def test_a_reporter_lands_on_what_is_due_after_signing_in(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "reporter", "password": PASSWORD})
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert landing.redirect_chain[-1][0] == MINE
    assert landing.status_code == 200


def test_the_reporters_page_lists_drafts_returned_reports_and_deadlines(client, personas):
    draft = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    returned = ReportFactory(unit=personas.unit, year=2025, quarter=2, status=ReportStatus.RETURNED,
                             review_comment="Bổ sung minh chứng")
    ReportFactory(unit=personas.unit, year=2025, quarter=1, status=ReportStatus.APPROVED)
    ReportFactory(unit=personas.other_unit, year=2025, quarter=3)  # not the reporter's unit
    client.force_login(personas.reporter)

    response = client.get(MINE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    agenda = response.context["agenda"]
    assert [r.pk for r in agenda["open"]] == [returned.pk, draft.pk]
    today = timezone.localdate()
    assert [line["quarter"] for line in agenda["deadlines"]] == [Quarter.last_complete(today), Quarter.containing(today)]
    html = response.content.decode()
    assert reverse("programmes:report_edit", args=[draft.pk]) in html
    assert "Bổ sung minh chứng" in html
    assert f'href="{reverse("overview")}"' in html
    assert f'{reverse("programmes:report_list")}?province={personas.unit.slug}' in html


def test_a_submitted_report_waits_for_review_on_the_reporters_page(client, personas):
    draft = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)
    client.post(reverse("programmes:report_edit", args=[draft.pk]), report_form_data(draft, action="submit"))

    agenda = client.get(MINE).context["agenda"]

    assert agenda["open"] == [] and [r.pk for r in agenda["waiting"]] == [draft.pk]


def test_home_sends_a_reporter_to_the_unit_page_and_the_overview_stays_reachable(client, personas):
    client.force_login(personas.reporter)

    assert client.get(reverse("home"))["Location"] == MINE
    overview = client.get(reverse("overview"), HTTP_ACCEPT_LANGUAGE="en")
    assert overview.status_code == 200 and "National overview" in overview.content.decode()
    # With filters, "/" is the overview (links from the overview's own tables).
    assert client.get(reverse("home"), {"boundaries": "as-reported"}).status_code == 200
    assert f'href="{MINE}"' in overview.content.decode()


@pytest.mark.parametrize("persona", ["viewer", "reviewer", "integrator"])
def test_others_keep_the_overview(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(MINE)["Location"] == reverse("home")


def test_the_report_list_opens_filtered_to_the_reporters_unit(client, personas):
    ReportFactory(unit=personas.other_unit, year=2025, quarter=3, status=ReportStatus.APPROVED)
    mine = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    client.force_login(personas.reporter)

    response = client.get(reverse("programmes:report_list"))
    assert response["Location"] == f'{reverse("programmes:report_list")}?province={personas.unit.slug}'
    listed = client.get(response["Location"]).context["reports"]
    assert [r.pk for r in listed] == [mine.pk]
    # "All units" (an empty filter) shows the others' approved reports too.
    assert len(client.get(reverse("programmes:report_list"), {"province": ""}).context["reports"]) == 2
