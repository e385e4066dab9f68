"""API tokens through the API: listed without their secret, created read-only or expiring, revoked."""
import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def _client_with(secret):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_user_creates_a_read_only_expiring_token_and_sees_its_secret_once(api, personas):
    client = api("reporter")

    created = client.post("/api/v1/tokens/", {"expiry_days": 30, "read_only": True}, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["read_only"] is True and body["expiry"] and body["token"]
    assert created["Cache-Control"] == "no-store"
    listed = client.get("/api/v1/tokens/").json()
    assert {t["token_key"] for t in listed} >= {body["token_key"]}
    assert all("token" not in t for t in listed)


def test_a_read_only_token_reads_but_every_write_is_a_403_and_changes_nothing(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    secret = api("reporter").post("/api/v1/tokens/", {"read_only": True}, format="json").json()["token"]
    reader = _client_with(secret)

    assert reader.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    write = reader.patch(f"/api/v1/reports/{report.pk}/", {"version": 1, "task_groups": [{"number": 1, "narrative": "x"}]},
                         format="json")
    assert write.status_code == 403 and write.json()["code"] == "permission_denied"
    # It cannot make itself a token that writes, nor revoke one.
    assert reader.post("/api/v1/tokens/", {}, format="json").status_code == 403
    report.refresh_from_db()
    assert report.version == 1


def test_a_token_that_may_write_still_writes(api, personas):
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    secret = api("reporter").post("/api/v1/tokens/", {}, format="json").json()["token"]

    response = _client_with(secret).patch(
        f"/api/v1/reports/{report.pk}/", {"version": 1, "task_groups": [{"number": 1, "narrative": "x"}]}, format="json",
    )

    assert response.status_code == 200


def test_a_revoked_token_no_longer_authenticates(api, personas):
    client = api("reporter")
    body = client.post("/api/v1/tokens/", {}, format="json").json()

    assert client.delete(f"/api/v1/tokens/{body['token_key']}/").status_code == 204
    assert _client_with(body["token"]).get("/api/v1/reports/").status_code == 401


def test_a_user_cannot_see_or_revoke_anothers_tokens_but_an_administrator_can(api, personas):
    body = api("reporter").post("/api/v1/tokens/", {}, format="json").json()

    assert api("viewer").delete(f"/api/v1/tokens/{body['token_key']}/").status_code == 404
    assert api("viewer").get("/api/v1/tokens/", {"user": "reporter"}).status_code == 400
    admin = api("superuser")
    assert body["token_key"] in {t["token_key"] for t in admin.get("/api/v1/tokens/", {"user": "reporter"}).json()}
    assert admin.delete(f"/api/v1/tokens/{body['token_key']}/").status_code == 204
    assert not AuthToken.objects.filter(token_key=body["token_key"]).exists()


@pytest.mark.parametrize("body, field", [
    ({"expiry_days": 0}, "expiry_days"), ({"expiry_days": 99999}, "expiry_days"), ({"scope": "read"}, "scope"),
])
def test_a_bad_token_request_is_a_400_naming_the_field(api, personas, body, field):
    response = api("reporter").post("/api/v1/tokens/", body, format="json")

    assert response.status_code == 400 and field in response.json()


def test_a_token_is_created_from_a_json_object_only(api, personas):
    client = api("reporter")

    assert client.post("/api/v1/tokens/", "true", content_type="application/json").status_code == 400
    assert client.post("/api/v1/tokens/", {"read_only": "true"}, format="multipart").status_code == 415
    # Only the token the test client itself signs in with.
    assert AuthToken.objects.filter(user=personas.reporter).count() == 1
