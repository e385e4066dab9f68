"""The profile page: who you are, your language, your API tokens."""
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from knox.models import AuthToken

from smartcity_portal.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("accounts:profile")
CREATE_URL = reverse("accounts:token_create")


def revoke_url(key):
    return reverse("accounts:token_revoke", kwargs={"token_key": key})


@pytest.mark.parametrize("url", [PROFILE_URL, CREATE_URL, revoke_url("abc")])
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.post(url) if url != PROFILE_URL else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_profile_shows_name_role_unit_and_language(client, personas):
    personas.reporter.first_name, personas.reporter.last_name = "Hà", "Lê Thu"
    personas.reporter.save()
    client.force_login(personas.reporter)

    response = client.get(PROFILE_URL, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hà Lê Thu" in html
    assert "Province reporter" in html
    assert personas.unit.get_absolute_url() in html
    assert response.context["profile_form"]["language"].value() == "vi"
    assert "no-store" in response["Cache-Control"]


def test_saving_the_language_stores_it_and_switches_the_pages(client, personas):
    client.force_login(personas.viewer)

    response = client.post(PROFILE_URL, {"language": "en"})

    assert response.status_code == 302
    personas.viewer.refresh_from_db()
    assert personas.viewer.language == "en"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_language_is_refused_next_to_the_field(client, personas):
    client.force_login(personas.viewer)

    response = client.post(PROFILE_URL, {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "language" in response.context["profile_form"].errors
    personas.viewer.refresh_from_db()
    assert personas.viewer.language == "vi"


def test_creating_a_token_shows_it_once_and_stores_only_a_hash(client, personas):
    client.force_login(personas.integrator)

    response = client.post(CREATE_URL, {"expiry_days": "30"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    token = response.context["new_token"]
    html = response.content.decode()
    assert f'value="{token}"' in html
    assert "it will not be shown again" in html
    assert "no-store" in response["Cache-Control"]
    stored = AuthToken.objects.get(user=personas.integrator)
    assert stored.token_key == token[: len(stored.token_key)]
    assert stored.digest != token and token not in stored.digest
    assert stored.expiry is not None

    later = client.get(PROFILE_URL)
    assert token not in later.content.decode()
    assert stored.token_key in later.content.decode()


def test_a_token_without_expiry_never_expires(client, personas):
    client.force_login(personas.integrator)

    client.post(CREATE_URL, {"expiry_days": ""})

    assert AuthToken.objects.get(user=personas.integrator).expiry is None


@pytest.mark.parametrize("days", ["0", "3651", "-5", "abc", "1.5"])
def test_an_invalid_expiry_is_refused_next_to_the_field_and_creates_nothing(client, personas, days):
    client.force_login(personas.integrator)

    response = client.post(CREATE_URL, {"expiry_days": days}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["token_form"].errors["expiry_days"]
    assert "new_token" not in response.context
    assert not AuthToken.objects.filter(user=personas.integrator).exists()


def test_revoking_a_token_deletes_it(client, personas):
    instance, _ = create_api_token(personas.integrator)
    client.force_login(personas.integrator)

    response = client.post(revoke_url(instance.token_key))

    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=personas.integrator).exists()


def test_nobody_can_revoke_someone_elses_token(client, personas):
    instance, _ = create_api_token(personas.integrator)
    client.force_login(personas.reporter)

    response = client.post(revoke_url(instance.token_key), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert AuthToken.objects.filter(user=personas.integrator).count() == 1
    assert any("no API token" in str(m) for m in response.context["messages"])


def test_token_pages_refuse_get(client, personas):
    instance, _ = create_api_token(personas.integrator)
    client.force_login(personas.integrator)

    assert client.get(CREATE_URL).status_code == 405
    assert client.get(revoke_url(instance.token_key)).status_code == 405
    assert AuthToken.objects.filter(user=personas.integrator).count() == 1
