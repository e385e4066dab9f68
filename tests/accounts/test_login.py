"""Logging in and out: errors in the user's language, throttling by django-axes, POST-only logout."""
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


def invalid_login_message(language):
    with translation.override(language):
        return str(AuthenticationForm().get_invalid_login_error().message % {
            "username": AuthenticationForm().username_field.verbose_name
        })


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_renders_the_form(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert reverse("accounts:password_reset") in html


def test_login_with_the_right_password_signs_in_and_follows_next(client, personas):
    response = client.post(
        LOGIN_URL,
        {"username": "reporter", "password": PASSWORD, "next": reverse("accounts:profile")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert signed_in_user_id(client) == str(personas.reporter.pk)


def test_login_refuses_an_external_next_url(client, personas):
    response = client.post(
        LOGIN_URL, {"username": "reporter", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_wrong_password_shows_the_error_in_vietnamese_by_default(client, personas):
    response = client.post(LOGIN_URL, {"username": "reporter", "password": "not-the-password"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    vietnamese, english = invalid_login_message("vi"), invalid_login_message("en")
    assert vietnamese != english
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [vietnamese]
    assert 'class="form-errors"' in response.content.decode()


def test_wrong_password_shows_the_error_in_english_when_asked(client, personas):
    response = client.post(
        LOGIN_URL, {"username": "reporter", "password": "not-the-password"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert list(response.context["form"].non_field_errors()) == [invalid_login_message("en")]
    assert "Please enter a correct username and password" in response.content.decode()


def test_empty_fields_are_reported_next_to_the_fields(client, db):
    response = client.post(LOGIN_URL, {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")

    form = response.context["form"]
    assert form.errors["username"] and form.errors["password"]


def test_inactive_account_cannot_log_in(client, personas):
    personas.viewer.is_active = False
    personas.viewer.save()

    client.post(LOGIN_URL, {"username": "viewer", "password": PASSWORD})

    assert signed_in_user_id(client) is None


def test_axes_answers_429_for_a_lockout():
    assert django_settings.AXES_HTTP_RESPONSE_CODE == 429


def test_after_the_failure_limit_even_the_right_password_is_refused_with_429(client, personas, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": "reporter", "password": f"wrong-{attempt}"})

    response = client.post(
        LOGIN_URL, {"username": "reporter", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 429
    assert signed_in_user_id(client) is None
    html = response.content.decode()
    assert "Too many failed logins" in html
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"Try again in {minutes} minutes" in html


def test_failures_below_the_limit_do_not_lock_the_account(client, personas, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN_URL, {"username": "reporter", "password": f"wrong-{attempt}"})

    response = client.post(LOGIN_URL, {"username": "reporter", "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(personas.reporter.pk)


def test_lockout_page_is_in_the_users_language(client, personas, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            LOGIN_URL, {"username": "reporter", "password": f"wrong-{attempt}"},
            HTTP_ACCEPT_LANGUAGE="vi",
        )

    assert response.status_code == 429
    assert response.wsgi_request.LANGUAGE_CODE == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_logout_by_post_signs_out(client, personas):
    client.force_login(personas.viewer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_logout_by_get_is_refused_and_keeps_the_session(client, personas):
    client.force_login(personas.viewer)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(personas.viewer.pk)


def test_signed_in_user_sent_to_login_is_told_the_account_lacks_access(client, personas):
    client.force_login(personas.viewer)

    response = client.get(LOGIN_URL, {"next": "/admin/"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Your account does not have access to that page" in response.content.decode()


# --- behind the reverse proxy: lock-outs by client address and user name ------------------------

PROXY = "10.0.0.1"


def fail_logins(client, username, **headers):
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN_URL, {"username": username, "password": f"wrong-{attempt}"}, **headers)


def test_five_bad_passwords_for_one_user_behind_the_proxy_do_not_lock_out_another_user(client, personas):
    fail_logins(client, "reporter", REMOTE_ADDR=PROXY)

    colleague = client.post(LOGIN_URL, {"username": "viewer", "password": PASSWORD}, REMOTE_ADDR=PROXY)
    locked = client.post(LOGIN_URL, {"username": "reporter", "password": PASSWORD}, REMOTE_ADDR=PROXY)

    assert colleague.status_code == 302
    assert locked.status_code == 429


def test_with_one_trusted_proxy_two_clients_behind_it_get_separate_lock_outs(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_logins(client, "reporter", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")

    locked = client.post(
        LOGIN_URL, {"username": "reporter", "password": PASSWORD},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    other_client = client.post(
        LOGIN_URL, {"username": "reporter", "password": PASSWORD},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_does_not_escape_a_lock_out(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN_URL, {"username": "reporter", "password": f"wrong-{attempt}"},
            REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )

    response = client.post(
        LOGIN_URL, {"username": "reporter", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.200",
    )

    assert response.status_code == 429
