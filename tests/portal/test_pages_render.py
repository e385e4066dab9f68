"""Every page of the units part renders in Vietnamese and English, signed in or not."""
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (url name, args, query, text expected in Vietnamese, text expected in English)
PAGES = [
    ("provinces:unit_list", [], {}, "Hà Nội", "Hanoi"),
    ("provinces:unit_list", [], {"status": "historical"}, "Bắc Giang", "Bac Giang"),
    ("provinces:unit_list", [], {"status": "all", "q": "bac ninh"}, "Bắc Ninh", "Bac Ninh"),
    ("provinces:unit_list", [], {"status": "nonsense"}, None, None),
    ("provinces:unit_detail", ["bac-ninh"], {}, "Bắc Giang", "Bac Giang"),
    ("provinces:unit_detail", ["bac-giang"], {}, "Bắc Ninh", "Bac Ninh"),
    ("provinces:unit_detail", ["hue"], {}, "Thừa Thiên Huế", "Hue"),
    ("provinces:unit_detail", ["ho-chi-minh"], {}, "Hồ Chí Minh", "Ho Chi Minh City"),
    ("provinces:asean", [], {}, "Đà Nẵng", "Da Nang"),
]


def _render_all(client, language, **headers):
    for name, args, params, vi_text, en_text in PAGES:
        url = reverse(name, args=args)
        response = client.get(url, params, **headers)
        assert response.status_code == 200, (url, params)
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, (url, params)
        expected = vi_text if language == "vi" else en_text
        if expected is not None:
            assert expected in html, (url, params, expected)


@pytest.mark.parametrize("who", ["anonymous", "reporter", "viewer", "superuser"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_render_with_accept_language(client, personas, who, language):
    if who != "anonymous":
        client.force_login(getattr(personas, who))
    _render_all(client, language, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_render_with_language_cookie(client, personas, who, language):
    if who != "anonymous":
        client.force_login(getattr(personas, who))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # The cookie wins over the browser's preference.
    other = "en" if language == "vi" else "vi"
    _render_all(client, language, HTTP_ACCEPT_LANGUAGE=other)


def test_vietnamese_is_the_default(client, db):
    response = client.get(reverse("provinces:unit_list"))
    assert '<html lang="vi">' in response.content.decode()
    assert "Hà Nội" in response.content.decode()


@pytest.mark.parametrize("language, words", [("vi", "Không tìm thấy trang"), ("en", "Page not found")])
def test_an_unknown_address_answers_the_portals_own_page_in_the_visitors_language(client, language, words):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    page = response.content.decode()
    assert words in page and 'class="site-header' in page and reverse("home") in page


def test_a_page_the_account_may_not_open_answers_the_portals_own_403(client, personas):
    client.force_login(personas.viewer)
    response = client.get(reverse("indicators:import"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode() and 'class="site-header' in response.content.decode()


def test_opening_a_form_only_address_answers_the_portals_own_405(client, personas):
    # Signing out takes the form's POST: opening /accounts/logout/ is a visit to a form-only address.
    client.force_login(personas.reporter)
    response = client.get(reverse("accounts:logout"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "This address takes a form, not a visit" in page
    assert 'class="site-header' in page and f'href="{reverse("home")}"' in page
    assert '<html lang="en">' in page


def test_a_405_follows_the_visitors_language(client):
    response = client.get(reverse("accounts:logout"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 405 and '<html lang="vi">' in response.content.decode()
    assert 'class="site-header' in response.content.decode()


def test_the_apis_405_stays_json(client, personas):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(personas.integrator)
    response = client.delete("/api/v1/provinces/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_days_and_moments_are_written_day_first_in_both_languages(language):
    from datetime import datetime

    from django.utils import formats, translation

    with translation.override(language):
        assert formats.date_format(datetime(2026, 10, 15, 14, 30), "SHORT_DATETIME_FORMAT") == "15/10/2026 14:30"
        assert formats.date_format(datetime(2026, 10, 15), "SHORT_DATE_FORMAT") == "15/10/2026"
