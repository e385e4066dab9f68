"""Errors: one JSON shape, HTTP status codes as intended, the client's language."""
import pytest
from django.core.exceptions import SuspiciousOperation
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import ReportFactory, api_error_codes, api_problems

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
    [problem] = api_problems(response.json())["quarter"]
    assert words in problem["message"] and problem["code"] == "invalid_choice"


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
    assert api_error_codes(response.json()) == {"non_field_errors": ["parse_error"]}


@pytest.mark.parametrize(
    "language, message",
    [("vi", "Nội dung gửi không phải JSON hợp lệ: dòng 2, cột 9."),
     ("en", "The body is not valid JSON: line 2, column 9.")],
)
def test_a_parse_error_is_in_the_language_asked_for_and_says_where(api, personas, language, message):
    response = api("reporter", language=language).generic(
        "POST", "/api/v1/reports/", '{"year": 2025,\n "unit" "bac-ninh"}', content_type="application/json"
    )
    assert response.json() == {"non_field_errors": [{"code": "parse_error", "message": message}]}


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


# --- errors Django answers around DRF: every one JSON under /api/, in the same shape ----------------------------


def _error_body(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = response.json()
    if status == 400:
        assert set(body) == {"non_field_errors"} and api_problems(body), body
    else:
        assert set(body) == {"detail", "code"} and body["detail"], body
    return body


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a": ', "}")], ids=["arrays", "objects"])
def test_json_nested_a_thousand_deep_is_a_json_parse_error(api, personas, opening, closing):
    raw = opening * 1000 + "1" + closing * 1000
    client = api("reporter")
    client.raise_request_exception = False

    response = client.generic("POST", "/api/v1/reports/", raw, content_type="application/json")

    assert _error_body(response, 400) == {"non_field_errors": [
        {"code": "parse_error", "message": "The body is not valid JSON: it is nested too deeply."}
    ]}


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_body_above_the_limit_is_a_json_413(api, personas, settings, method):
    draft = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    path = "/api/v1/reports/" if method == "POST" else f"/api/v1/reports/{draft.pk}/"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = api("reporter")
    client.raise_request_exception = False
    raw = b'{"version": 1, "junk": "' + b"x" * (2 * 1024 * 1024) + b'"}'

    response = client.generic(method, path, raw, content_type="application/json")

    body = _error_body(response, 413)
    assert body == {"detail": "The request body is larger than 1.0\xa0MB: send less data in one request.",
                    "code": "request_too_large"}


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing/", "/api/v1/reports/abc/"])
def test_an_unknown_api_address_is_a_json_404(client, path):
    assert _error_body(client.get(path, HTTP_ACCEPT_LANGUAGE="en"), 404) == {"detail": "Not found.", "code": "not_found"}


def test_a_server_error_under_the_api_is_json_and_pages_keep_html(client, monkeypatch):
    from provinces.api.views import RegionViewSet
    from smartcity_portal.views import AboutView

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(RegionViewSet, "list", broken)
    monkeypatch.setattr(AboutView, "get", broken)
    client.raise_request_exception = False

    api_response = client.get("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")

    assert _error_body(api_response, 500)["code"] == "server_error"
    assert "unexpected error" in api_response.json()["detail"]
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_bad_request_django_answers_itself_is_json_under_the_api_and_html_elsewhere(client, monkeypatch):
    from provinces.api.views import RegionViewSet
    from smartcity_portal.views import AboutView

    def suspicious(*args, **kwargs):
        raise SuspiciousOperation("a hostile request")

    monkeypatch.setattr(RegionViewSet, "list", suspicious)
    monkeypatch.setattr(AboutView, "get", suspicious)
    client.raise_request_exception = False

    api_response = client.get("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")

    assert _error_body(api_response, 400) == {
        "non_field_errors": [{"code": "bad_request", "message": "Malformed request."}]
    }
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_body_above_the_limit_read_outside_drf_is_a_json_413_under_the_api(client, settings, monkeypatch):
    from provinces.api.views import RegionViewSet

    def reads_the_body(self, request, *args, **kwargs):
        return request._request.body

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    monkeypatch.setattr(RegionViewSet, "list", reads_the_body)
    client.raise_request_exception = False

    response = client.generic("GET", "/api/v1/regions/", b"x" * 2048, content_type="text/plain",
                              HTTP_ACCEPT_LANGUAGE="en")

    assert _error_body(response, 413)["code"] == "request_too_large"
