"""API tokens: the service rules, and using a token with ``Authorization: Token <key>``."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from knox.models import AuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from smartcity_portal.accounts.models import AuditLogEntry
from smartcity_portal.accounts.services import (
    create_api_token,
    parse_expiry_days,
    revoke_api_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_html_links(settings):
    # Overrides the package fixture: these tests call the tiny endpoint below, no pages.
    settings.ROOT_URLCONF = __name__


class WhoAmI(APIView):
    """A tiny endpoint with the project's default authentication classes."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.get_username()})


urlpatterns = [path("whoami/", WhoAmI.as_view())]


def call_with(token):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/whoami/")


def test_a_new_token_authenticates_its_owner(personas):
    _, token = create_api_token(personas.integrator, expiry_days=7)

    response = call_with(token)

    assert response.status_code == 200
    assert response.json() == {"username": "integrator"}


def test_without_a_token_the_endpoint_asks_for_one(db):
    response = APIClient().get("/whoami/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused(personas):
    _, token = create_api_token(personas.integrator)

    response = call_with(token[:-4] + "0000" if not token.endswith("0000") else token[:-4] + "1111")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_revoked_token_is_refused(personas):
    instance, token = create_api_token(personas.integrator)
    revoke_api_token(personas.integrator, instance.token_key)

    assert call_with(token).status_code == 401


def test_an_expired_token_is_refused_and_removed(personas):
    instance, token = create_api_token(personas.integrator, expiry_days=1)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=instance.created - timedelta(seconds=1))

    response = call_with(token)

    assert response.status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_a_token_of_a_deactivated_account_is_refused(personas):
    _, token = create_api_token(personas.integrator)
    personas.integrator.is_active = False
    personas.integrator.save()

    assert call_with(token).status_code == 401


def test_the_token_is_stored_hashed_with_the_requested_expiry(personas):
    instance, token = create_api_token(personas.readonly_integrator, expiry_days=90)

    stored = AuthToken.objects.get(pk=instance.pk)
    assert token not in stored.digest
    assert timedelta(days=89, hours=23) < stored.expiry - stored.created <= timedelta(days=90)


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), (1, 1), ("3650", 3650), (" 30 ", 30)])
def test_expiry_days_accepted(value, expected):
    assert parse_expiry_days(value) == expected


@pytest.mark.parametrize("value", [0, 3651, -1, "x", "2.5"])
def test_expiry_days_refused(value):
    with pytest.raises(ValidationError) as error:
        parse_expiry_days(value)
    assert error.value.code == "invalid_expiry"


def test_an_invalid_expiry_creates_no_token_and_no_audit_entry(personas):
    with pytest.raises(ValidationError):
        create_api_token(personas.integrator, expiry_days=0)

    assert not AuthToken.objects.exists()
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.TOKEN_CREATED).exists()


def test_an_inactive_account_gets_no_token(personas):
    personas.integrator.is_active = False

    with pytest.raises(ValidationError):
        create_api_token(personas.integrator)
    assert not AuthToken.objects.exists()


def test_revoking_an_unknown_token_is_an_error_and_writes_nothing(personas):
    with pytest.raises(ValidationError) as error:
        revoke_api_token(personas.integrator, "doesnotexist123")

    assert error.value.code == "token_not_found"
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.TOKEN_REVOKED).exists()
