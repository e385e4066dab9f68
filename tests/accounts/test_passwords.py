"""Changing a password, and resetting it by e-mail."""
import re

import pytest
from django.contrib.auth import forms as auth_forms
from django.core import mail
from django.urls import reverse
from django.utils import translation

from smartcity_portal.accounts.services import provision_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-secret-2025"
RESET_URL = reverse("accounts:password_reset")


def reset_link(message):
    match = re.search(r"https?://testserver(/accounts/password/reset/\S+/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_change_requires_login(client, db):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change_sets_the_new_password_and_keeps_the_session(client, personas):
    client.force_login(personas.viewer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, personas):
    client.force_login(personas.viewer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(PASSWORD)


def test_password_change_refuses_a_weak_password_next_to_the_field(client, personas):
    client.force_login(personas.viewer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(PASSWORD)


def test_password_reset_sends_one_email_whose_link_sets_a_new_password(client, personas):
    response = client.post(RESET_URL, {"email": personas.reporter.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.reporter.email]
    assert "\n" not in message.subject
    assert "reporter" in message.body

    page = client.get(reset_link(message), follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is True
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    personas.reporter.refresh_from_db()
    assert personas.reporter.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(reset_link(message), follow=True)
    assert again.context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, personas):
    response = client.post(RESET_URL, {"email": "nobody@example.gov.vn"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_with_an_invalid_address_shows_the_error(client, db):
    response = client.post(RESET_URL, {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert mail.outbox == []


def test_account_created_without_password_can_set_one_by_reset(client, db):
    user, _, _ = provision_user("new.viewer", role="ministry-viewer", email="new.viewer@example.gov.vn")
    assert not user.has_usable_password()

    client.post(RESET_URL, {"email": "New.Viewer@example.gov.vn"})

    assert len(mail.outbox) == 1
    page = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_inactive_account_gets_no_reset_email(client, personas):
    personas.viewer.is_active = False
    personas.viewer.save()

    client.post(RESET_URL, {"email": personas.viewer.email})

    assert mail.outbox == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_reset_email_is_written_in_the_users_language(client, personas, monkeypatch, language):
    personas.reporter.language = language
    personas.reporter.save()
    seen = []
    original = auth_forms.PasswordResetForm.send_mail

    def spy(self, *args, **kwargs):
        seen.append(translation.get_language())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(auth_forms.PasswordResetForm, "send_mail", spy)

    # The page itself is asked for in the other language.
    other = "en" if language == "vi" else "vi"
    client.post(RESET_URL, {"email": personas.reporter.email}, HTTP_ACCEPT_LANGUAGE=other)

    assert seen == [language]
    assert len(mail.outbox) == 1


# --- length -----------------------------------------------------------------------------------


def test_an_eleven_character_password_is_refused_and_twelve_are_enough(client, personas):
    client.force_login(personas.viewer)

    short = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "kx7-qwe-mnb", "new_password2": "kx7-qwe-mnb",
    }, HTTP_ACCEPT_LANGUAGE="en")

    assert short.status_code == 200
    assert "at least 12 characters" in " ".join(short.context["form"].errors["new_password2"])
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(PASSWORD)
    enough = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "kx7-qwe-mnb4", "new_password2": "kx7-qwe-mnb4",
    })
    assert enough.status_code == 302


# --- how often a reset may be asked for -------------------------------------------------------


def test_the_nth_reset_request_to_one_address_is_refused_clearly_and_sends_nothing(client, personas, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 100
    answers = [
        client.post(RESET_URL, {"email": personas.reporter.email}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len(mail.outbox) == 3

    refused = client.post(RESET_URL, {"email": personas.reporter.email.upper()}, REMOTE_ADDR="198.51.100.9",
                          HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    assert len(mail.outbox) == 3
    assert "Too many requests to reset a password: no e-mail was sent. Try again in 60 minutes." in (
        refused.content.decode()
    )


def test_the_reset_limit_is_said_in_the_users_language(client, personas, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    client.post(RESET_URL, {"email": personas.reporter.email})

    refused = client.post(RESET_URL, {"email": personas.reporter.email}, HTTP_ACCEPT_LANGUAGE="vi")

    assert refused.status_code == 429
    with translation.override("vi"):
        expected = translation.ngettext(
            "Too many requests to reset a password: no e-mail was sent. Try again in %(minutes)d minute.",
            "Too many requests to reset a password: no e-mail was sent. Try again in %(minutes)d minutes.",
            60,
        ) % {"minutes": 60}
    assert "Too many" not in expected
    assert list(refused.context["form"].non_field_errors()) == [expected]


def test_one_client_asking_for_many_addresses_is_limited_too(client, personas, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    users = [personas.reporter, personas.viewer, personas.reviewer]

    statuses = [client.post(RESET_URL, {"email": u.email}, REMOTE_ADDR="203.0.113.4").status_code for u in users]

    assert statuses == [302, 302, 429]
    assert [m.to for m in mail.outbox] == [[personas.reporter.email], [personas.viewer.email]]


def test_a_limited_unknown_address_gets_the_same_answer_as_a_limited_known_one(client, personas, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    answers = {}
    for email in (personas.reporter.email, "nobody@example.gov.vn"):
        first = client.post(RESET_URL, {"email": email}, HTTP_ACCEPT_LANGUAGE="en")
        second = client.post(RESET_URL, {"email": email}, HTTP_ACCEPT_LANGUAGE="en")
        answers[email] = (first.status_code, first.get("Location"), second.status_code,
                          list(second.context["form"].non_field_errors()))

    assert answers[personas.reporter.email] == answers["nobody@example.gov.vn"]
    assert len(mail.outbox) == 1
