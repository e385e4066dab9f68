"""Errors: one JSON shape, HTTP status codes as intended, the client's language."""
import pytest
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language, detail",
    [("vi", "Không tìm thấy."), ("en", "Not found."), ("", "Không tìm thấy.")],
)
def test_not_found_in_the_language_asked_for(api, personas, language, detail):
    response = api("reviewer", language=language).get("/api/v1/reports/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": detail, "code": "not_found"}
    assert response["Content-Language"] == (language or "vi")


@pytest.mark.parametrize(
    "language, words",
    [("vi", "lựa chọn hợp lệ"), ("en", "Select a valid choice")],
)
def test_filter_errors_in_the_language_asked_for(api, language, words):
    response = api("anonymous", language=language).get("/api/v1/progress/", {"quarter": 7})
    assert response.status_code == 400
    assert words in response.json()["quarter"][0]


@pytest.mark.parametrize(
    "language, detail",
    [("vi", "Phương thức \"POST\" không được phép."), ("en", 'Method "POST" not allowed.')],
)
def test_method_not_allowed_in_the_language_asked_for(api, personas, language, detail):
    response = api("reviewer", language=language).post("/api/v1/provinces/", {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": detail, "code": "method_not_allowed"}


def test_malformed_json_is_a_400_with_a_code(api, personas):
    response = api("reporter").generic(
        "POST", "/api/v1/reports/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_form_encoded_bodies_are_refused_for_reports(api, personas):
    response = api("reporter").post("/api/v1/reports/", {"province": "bac-ninh", "year": 2025, "quarter": 4})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_anonymous_writes_are_401(api, personas):
    assert api("anonymous").post("/api/v1/provinces/", {}, format="json").status_code == 401
    assert api("anonymous").post("/api/v1/reports/", {}, format="json").status_code == 401


def test_too_many_requests_is_429_json_with_retry_after(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "5/minute"})
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    statuses = [client.get("/api/v1/regions/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/regions/")
    body = response.json()
    assert body["code"] == "throttled" and body["retry_after"] > 0
    assert int(response["Retry-After"]) == body["retry_after"]


def test_authenticated_clients_have_their_own_budget(api, personas, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/minute", "user": "3/minute"})
    client = api("reporter")
    assert [client.get("/api/v1/regions/").status_code for _ in range(4)] == [200, 200, 200, 429]
