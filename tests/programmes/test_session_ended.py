"""An officer whose session ends while filling in a form: the sign-in page says why, the form keeps the
text in the browser (static/js/drafts.js, tested in test_browser_session_ended.py), and a keep-alive
keeps an officer at work signed in."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from programmes import services
from tests.factories import report_form_data

pytestmark = pytest.mark.django_db

SESSION_URL = reverse("accounts:session")


@pytest.fixture
def draft(personas):
    return services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)


def edit_url(report):
    return reverse("programmes:report_edit", kwargs={"pk": report.pk})


def test_a_form_posted_after_the_session_ended_lands_on_the_login_page_that_says_so_in_vietnamese(client, draft):
    response = client.post(edit_url(draft), report_form_data(draft), follow=True)

    assert response.redirect_chain[0][0] == f"{reverse('accounts:login')}?next=%2Freports%2F{draft.pk}%2Fedit%2F&session=ended"
    html = response.content.decode()
    assert "Phiên làm việc của bạn đã kết thúc" in html
    assert "được giữ trong trình duyệt này" in html
    assert f'name="next" value="/reports/{draft.pk}/edit/"' in html


def test_the_session_ended_message_is_in_english_for_an_english_reader(client, draft):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(edit_url(draft), report_form_data(draft), follow=True)

    html = response.content.decode()
    assert "Your session had ended, so what you sent was not saved" in html
    assert "kept in this browser" in html


def test_the_login_page_reached_by_a_link_says_nothing_about_a_session(client, draft):
    response = client.get(edit_url(draft), follow=True)

    assert "session=ended" not in response.redirect_chain[0][0]
    assert "Phiên làm việc của bạn đã kết thúc" not in response.content.decode()


def test_the_session_endpoint_answers_a_signed_out_browser_401_in_json_not_a_redirect(client):
    response = client.get(SESSION_URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"signed_in": False}


def test_asking_for_the_session_keeps_an_active_officer_signed_in(client, personas):
    client.force_login(personas.reporter)
    key = client.session.session_key
    # An hour before the session would end.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(hours=1))
    caches[settings.SESSION_CACHE_ALIAS].delete(SessionStore(session_key=key).cache_key)

    response = client.get(SESSION_URL)

    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    assert response["Cache-Control"].startswith("max-age=0")
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_the_session_is_written_at_most_once_a_minute_however_often_the_page_asks(client, personas):
    client.force_login(personas.reporter)

    first = client.get(SESSION_URL)
    second = client.get(SESSION_URL)

    assert settings.SESSION_COOKIE_NAME in first.cookies
    assert settings.SESSION_COOKIE_NAME not in second.cookies
    assert second.json()["signed_in"] is True


def test_the_report_form_keeps_its_draft_in_the_browser_and_asks_for_the_session(client, personas, draft):
    client.force_login(personas.reporter)

    html = client.get(edit_url(draft)).content.decode()

    # Per report and user: a colleague signing in on the same computer is not offered someone else's text.
    assert f'data-keep-draft="report-{draft.pk}-{personas.reporter.pk}"' in html
    assert f'data-draft-version="{draft.version}"' in html
    assert 'data-draft-mine="true"' in html
    assert f'data-keep-alive="{SESSION_URL}"' in html
    assert "js/drafts.js" in html
    assert "data-draft-offer hidden" in html and "data-session-ended hidden" in html


def test_the_assessment_form_keeps_its_draft_in_the_browser_too(client, personas):
    from programmes.models import Assessment
    from tests.factories import maturity_version

    version = maturity_version()
    client.force_login(personas.reporter)
    client.post("/assessments/new/", {"unit": personas.unit.pk, "framework_version": version.pk, "year": "2025"})
    assessment = Assessment.objects.get()

    html = client.get(f"/assessments/{assessment.pk}/edit/").content.decode()

    assert f'data-keep-draft="assessment-{assessment.pk}-{personas.reporter.pk}"' in html
    assert f'data-draft-version="{assessment.version}"' in html
    assert "js/drafts.js" in html and "data-draft-offer hidden" in html


def test_an_assessment_posted_after_the_session_ended_lands_on_the_login_page_that_says_so(client, personas):
    response = client.post("/assessments/1/edit/", {"action": "save"})

    assert response.status_code == 302
    assert response["Location"].endswith("&session=ended")
