"""The OpenAPI document: valid, complete, served with local assets, and true to the API."""
import contextlib
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from programmes.models import WebhookSubscription

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/v1/regions/", "/api/v1/regions/{slug}/",
    "/api/v1/provinces/", "/api/v1/provinces/{slug}/",
    "/api/v1/task-groups/", "/api/v1/task-groups/{number}/",
    "/api/v1/pillars/", "/api/v1/pillars/{code}/",
    "/api/v1/frameworks/", "/api/v1/frameworks/{code}/", "/api/v1/frameworks/{code}/versions/{version}/nodes/",
    "/api/v1/indicators/", "/api/v1/indicators/{code}/",
    "/api/v1/asean-cities/", "/api/v1/asean-cities/{id}/",
    "/api/v1/programmes/", "/api/v1/programmes/{id}/",
    "/api/v1/projects/", "/api/v1/projects/{id}/",
    "/api/v1/reports/", "/api/v1/reports/{id}/",
    "/api/v1/reports/{id}/submit/", "/api/v1/reports/{id}/approve/",
    "/api/v1/reports/{id}/return/", "/api/v1/reports/{id}/reopen/",
    "/api/v1/reports/{id}/history/", "/api/v1/reports/{id}/remove-evidence/",
    "/api/v1/progress/", "/api/v1/progress/{id}/",
    "/api/v1/indicator-values/", "/api/v1/indicator-values/{id}/",
    "/api/v1/webhooks/", "/api/v1/webhooks/{id}/",
    "/api/v1/assessments/", "/api/v1/assessments/{id}/",
    "/api/v1/assessments/{id}/submit/", "/api/v1/assessments/{id}/verify/",
    "/api/v1/assessments/{id}/return/", "/api/v1/assessments/{id}/approve/",
    "/api/v1/assessments/{id}/reopen/", "/api/v1/assessments/{id}/history/",
    "/api/v1/maturity/", "/api/v1/maturity/{id}/",
    "/api/v1/reporting-status/", "/api/v1/data-value-sets/", "/api/v1/jobs/{id}/",
    "/api/v1/tokens/", "/api/v1/tokens/{token_key}/",
}


def test_schema_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning of drf-spectacular into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


@pytest.fixture
def document(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_endpoint_of_the_contract(document):
    assert set(document["paths"]) == CONTRACT_PATHS
    report_ops = document["paths"]["/api/v1/reports/{id}/"]
    assert set(report_ops) >= {"get", "put", "patch"}
    assert "post" in document["paths"]["/api/v1/reports/"]


def test_schema_documents_filters_errors_and_token_auth(document):
    def parameters(path):
        return {p["name"] for p in document["paths"][path]["get"].get("parameters", [])}

    assert parameters("/api/v1/provinces/") >= {"status", "region", "kind", "code", "q", "page", "page_size", "ordering"}
    assert parameters("/api/v1/reports/") >= {"province", "year", "quarter", "status", "page_size"}
    assert parameters("/api/v1/progress/") >= {"year", "quarter", "province", "task_group", "boundaries"}
    assert parameters("/api/v1/indicator-values/") >= {"indicator", "province", "year", "quarter", "boundaries"}
    assert parameters("/api/v1/indicators/") >= {"task_group", "pillar"}
    patch = document["paths"]["/api/v1/reports/{id}/"]["patch"]
    assert set(patch["responses"]) >= {"200", "400", "401", "403", "404", "409", "429"}
    assert "application/json" in patch["requestBody"]["content"]
    for path, method in [("/api/v1/webhooks/", "post"), ("/api/v1/webhooks/{id}/", "patch")]:
        assert set(document["paths"][path][method]["responses"]) >= {"400", "401", "403", "429"}
    for method in ("get", "patch", "delete"):
        assert "404" in document["paths"]["/api/v1/webhooks/{id}/"][method]["responses"]
    assert "put" not in document["paths"]["/api/v1/webhooks/{id}/"]
    created = document["paths"]["/api/v1/webhooks/"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"].endswith("/WebhookCreated")
    scheme = document["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_api_docs_page_uses_only_assets_served_by_the_portal(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert not url.startswith(("http:", "https:", "//")), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file of the portal"
        else:
            assert client.get(url).status_code == 200, url
    # Swagger UI would otherwise load a badge from validator.swagger.io.
    assert '"validatorUrl": null' in client.get("/api/docs/", {"script": ""}).content.decode()


# --- property-based: the API against its own schema ---------------------------------------


@contextlib.contextmanager
def _keep_test_connection():
    # A WSGI request normally closes the database connection at its end, which
    # would end the test's transaction; Django's test client does the same.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _known_objects(world, webhook):
    """Path parameters of objects that exist, so that cases reach past 404."""
    pillar = "digital-government"
    by_prefix = {
        "/api/v1/regions/": {"slug": world.region},
        "/api/v1/provinces/": {"slug": "bac-ninh"},
        "/api/v1/task-groups/": {"number": "5"},
        "/api/v1/pillars/": {"code": pillar},
        "/api/v1/indicators/": {"code": "TG5-01"},
        "/api/v1/asean-cities/": {"id": str(world.asean_city)},
        "/api/v1/programmes/": {"id": str(world.programme)},
        "/api/v1/reports/": {"id": str(world.draft)},
        "/api/v1/progress/": {"id": str(world.progress)},
        "/api/v1/indicator-values/": {"id": str(world.indicator_value)},
        "/api/v1/webhooks/": {"id": str(webhook)},
    }
    return lambda path: next((v for k, v in by_prefix.items() if path.startswith(k)), None)


# No 5xx; every answer has a documented status, content type and body shape; and data that does
# not fit the schema (negative mode) is refused with a 4xx, never accepted.
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    negative_data_rejection,
]


def _fuzz(schema, key, known, mode, max_examples, unsatisfiable=None):
    """Every operation, anonymous and with the integrator's token, in ``mode``; the runs made.
    ``unsatisfiable`` collects the operations (negative mode) for which no invalid case exists."""
    runs = 0
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for headers, path_parameters in (
            ({}, None),
            ({"Authorization": f"Token {key}"}, known(operation.path) if "{" in operation.path else None),
        ):
            strategy = operation.as_strategy(mode, path_parameters=path_parameters)

            @hypothesis_settings(
                max_examples=max_examples, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                # Called at once, in this iteration: the loop variable is the one wanted.
                case.call_and_validate(headers=headers, checks=CHECKS)  # noqa: B023

            if mode == GenerationMode.NEGATIVE and not _negatable(operation, fixed=path_parameters is not None):
                continue  # Nothing left to make invalid: Hypothesis would find no case at all.
            try:
                run()
            except Unsatisfiable:
                if mode != GenerationMode.NEGATIVE:
                    raise
                # Every value of every part left is valid (a code or slug is any string): nothing to negate.
                unsatisfiable.add(f"{operation.label} ({'with a token' if headers else 'anonymous'})")
                continue
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure, then one report
                failures.append(f"{operation.label} ({'with a token' if headers else 'anonymous'}, {mode.value}): {error!r}")
            runs += 1
    assert not failures, "\n\n".join(failures)
    return runs


def _negatable(operation, fixed):
    """Whether a negative case can be made: a query parameter, a body, or a path id not fixed."""
    raw = operation.definition.raw
    locations = {parameter["in"] for parameter in raw.get("parameters", [])} - ({"path"} if fixed else set())
    return bool(locations or "requestBody" in raw)


@pytest.fixture
def fuzzing(personas, world, monkeypatch, fake_dns):
    """The schema read from the portal itself, a token, and objects that exist, for schemathesis."""
    from smartcity_portal.wsgi import application

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"})
    _, key = AuthToken.objects.create(personas.integrator)
    # Generated webhook URLs name hosts that fake_dns does not know: refused, never looked up for real.
    webhook = WebhookSubscription.objects.create(owner=personas.integrator, url="https://example.org/", secret="s" * 43)
    with _keep_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        yield schema, key, _known_objects(world, webhook.pk)


def _operation_count(schema):
    return sum(len([m for m in ops if m in {"get", "post", "put", "patch", "delete"}])
               for ops in schema.raw_schema["paths"].values())


def test_requests_that_fit_the_schema_get_no_server_error_and_documented_answers(fuzzing):
    schema, key, known = fuzzing
    assert _fuzz(schema, key, known, GenerationMode.POSITIVE, max_examples=20) == 2 * _operation_count(schema)


def test_requests_that_do_not_fit_the_schema_are_refused_with_documented_answers(fuzzing):
    schema, key, known = fuzzing
    unsatisfiable = set()
    runs = _fuzz(schema, key, known, GenerationMode.NEGATIVE, max_examples=10, unsatisfiable=unsatisfiable)
    # A slug or code is any string: these reads have nothing invalid to send.
    assert unsatisfiable == {
        f"GET /api/v1/{path} (anonymous)"
        for path in ("regions/{slug}/", "provinces/{slug}/", "indicators/{code}/", "pillars/{code}/")
    }
    assert runs >= 2 * _operation_count(schema) - 20


# A run of linked operations: each creation, then what its answer's links lead to.
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
QUARTERS = [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]


def test_links_lead_from_each_creation_to_what_it_created(document):
    links = document["paths"]["/api/v1/reports/"]["post"]["responses"]["201"]["links"]
    assert {"reports_retrieve", "reports_partial_update", "reports_update", "reports_submit_create",
            "reports_history_list"} <= set(links)
    assert links["reports_partial_update"]["parameters"] == {"id": "$response.body#/id"}
    webhook_links = document["paths"]["/api/v1/webhooks/"]["post"]["responses"]["201"]["links"]
    assert set(webhook_links) == {"webhooks_retrieve", "webhooks_partial_update", "webhooks_destroy"}
    token_links = document["paths"]["/api/v1/tokens/"]["post"]["responses"]["201"]["links"]
    assert token_links["tokens_destroy"]["parameters"] == {"token_key": "$response.body#/token_key"}
    job_links = document["paths"]["/api/v1/data-value-sets/"]["post"]["responses"]["202"]["links"]
    assert job_links["jobs_retrieve"]["operationId"] == "jobs_retrieve"


def test_linked_operations_in_sequence_get_documented_answers(fuzzing, personas, fake_dns):
    schema, key, _known = fuzzing
    fake_dns.answer("hooks.example.com", ["93.184.216.34"])
    calls = []

    # The creations and the operations their links lead to (the other operations are fuzzed one by one above).
    linked = schema.include(operation_id=[
        "reports_create", "reports_retrieve", "reports_update", "reports_partial_update", "reports_submit_create",
        "reports_history_list", "webhooks_create", "webhooks_retrieve", "webhooks_partial_update",
        "webhooks_destroy", "tokens_create", "tokens_destroy", "data_value_sets_create", "jobs_retrieve",
    ])

    class Workflow(linked.as_state_machine()):
        # Each scenario starts from the same data (a savepoint, rolled back at its end), so that
        # Hypothesis sees the same answers to the same steps: a deterministic run.
        def setup(self):
            self.savepoint = transaction.savepoint()
            self.quarters = iter(QUARTERS * 10)

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            # Creations that reach past 400 (the unit's quarters, a public webhook host); the
            # other steps keep what schemathesis generated, ids from the links.
            if case.operation.label == "POST /api/v1/reports/":
                year, quarter = next(self.quarters)
                case.body = {"province": personas.unit.slug, "year": year, "quarter": quarter}
            elif case.operation.label == "POST /api/v1/webhooks/":
                case.body = {"url": "https://hooks.example.com/portal", "topics": ["report.submitted"]}

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {key}"}}

        def after_call(self, response, case):
            super().after_call(response, case)
            calls.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
            )

    Workflow.run(settings=hypothesis_settings(
        max_examples=30, stateful_step_count=5, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate],
    ))
    made = set(calls)
    assert ("POST /api/v1/reports/", 201) in made
    assert ("POST /api/v1/webhooks/", 201) in made
    followed = {label for label, status in calls if "{" in label and 200 <= status < 300}
    assert {label for label in followed if label.startswith("GET /api/v1/reports/{id}")}, calls
    assert len(followed) >= 3, calls


def _without_descriptions(node):
    """The document without its words; ``allOf: [$ref]`` (how a described reference is written) as ``$ref``."""
    if isinstance(node, dict):
        node = {k: v for k, v in node.items() if k not in ("description", "summary")}
        if list(node) == ["allOf"] and len(node["allOf"]) == 1 and "$ref" in node["allOf"][0]:
            node = node["allOf"][0]
        return {k: _without_descriptions(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_descriptions(item) for item in node]
    return node


def test_the_document_is_the_same_in_every_language_but_for_its_descriptions(client):
    vietnamese = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="vi").json()
    english = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()

    assert _without_descriptions(vietnamese) == _without_descriptions(english)
    assert all(name.isascii() for name in vietnamese["components"]["schemas"])
    # Generators name types after titles, which came from translated labels.
    titles = []

    def collect(node):
        if isinstance(node, dict):
            titles.extend(v for k, v in node.items() if k == "title" and isinstance(v, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect([vietnamese["paths"], vietnamese["components"]])
    assert titles == []


def test_the_document_passes_openapi_spec_validator(document):
    from openapi_spec_validator import validate

    validate(document)


def test_parameters_and_fields_declare_what_the_answers_do(document):
    quarter = next(p for p in document["paths"]["/api/v1/reports/"]["get"]["parameters"] if p["name"] == "quarter")
    year = next(p for p in document["paths"]["/api/v1/reports/"]["get"]["parameters"] if p["name"] == "year")
    assert "maximum" not in quarter["schema"] and quarter["schema"]["enum"] == [1, 2, 3, 4]
    assert year["schema"]["minimum"] == 2018
    schemas = document["components"]["schemas"]
    assert schemas["Revision"]["properties"]["actor"].get("nullable") is True
    assert "version" in schemas["PatchedReportUpdateRequest"]["required"]
    assert document["servers"] and document["info"]["license"]["name"]


# --- what generated clients rely on (issue 18, item 2) ------------------------------------


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_server_set_fields_are_read_only_and_required_in_answers(document):
    schemas = document["components"]["schemas"]
    for name, fields in [
        ("Report", ("id", "status", "version", "is_late", "created_at", "updated_at", "submitted_at", "approved_at")),
        ("Assessment", ("id", "status", "version", "created_at", "updated_at")),
        ("Webhook", ("id", "created_at", "is_active")),
        ("Revision", ("number", "version", "status", "created_at", "comment")),
    ]:
        for field in fields:
            assert schemas[name]["properties"][field].get("readOnly") is True, (name, field)
            assert field in schemas[name]["required"], (name, field)
    # Every answer's field is always there (null perhaps), but for the kind-specific keys of a change
    # and of a 409; a page always has next and previous.
    optional = {"Change": {"task_group", "node", "indicator", "project", "criterion"},
                "Conflict": {"edited_version", "current_version", "changes", "report"}}
    for name, schema in schemas.items():
        if name.endswith("Request") or "properties" not in schema:
            continue
        missing = set(schema["properties"]) - set(schema.get("required", [])) - optional.get(name, set())
        assert not missing, (name, missing)
    assert set(schemas["PaginatedReportList"]["required"]) == {"count", "next", "previous", "results"}
    # Writes still take what they took: version is required, status is not a write field.
    assert "status" not in schemas["PatchedReportUpdateRequest"]["properties"]


def test_every_operation_documents_405_and_every_body_415_as_detail_and_code(document, api):
    responses = document["components"]["responses"]
    for name in ("MethodNotAllowed", "UnsupportedMediaType"):
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}
    for path, method, operation in _operations(document):
        assert operation["responses"]["405"] == {"$ref": "#/components/responses/MethodNotAllowed"}, (path, method)
        if "requestBody" in operation:
            assert operation["responses"]["415"] == {"$ref": "#/components/responses/UnsupportedMediaType"}, (path, method)
        else:
            assert "415" not in operation["responses"], (path, method)
    # And the API answers them so.
    client = api("integrator")
    answer = client.delete("/api/v1/regions/")
    assert answer.status_code == 405 and set(answer.json()) == {"detail", "code"} and answer["Allow"]
    assert answer.json()["code"] == "method_not_allowed"
    answer = client.post("/api/v1/reports/", "province=bac-ninh", content_type="text/plain")
    assert answer.status_code == 415 and answer.json()["code"] == "unsupported_media_type"


def test_numeric_path_ids_are_integers(document):
    seen = 0
    for path, method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] in {"id", "number"}:
                assert parameter["schema"] == {"type": "integer"}, (path, method)
                seen += 1
    assert seen >= 28
    key = next(p for p in document["paths"]["/api/v1/tokens/{token_key}/"]["delete"]["parameters"] if p["in"] == "path")
    assert key["schema"]["type"] == "string"


def test_every_operation_has_its_own_description_without_internals(document):
    descriptions = {}
    for _path, _method, operation in _operations(document):
        text = operation.get("description", "")
        assert text.strip(), operation["operationId"]
        # Mixins' developer notes (the list cache, ``?fields``) once leaked into operations.
        assert "cache" not in text.lower() and "``" not in text, operation["operationId"]
        descriptions[operation["operationId"]] = text
    for name, schema in document["components"]["schemas"].items():
        # Shared serializer mixins' docstrings once described every request and answer schema.
        assert "mixin" not in schema.get("description", "").lower(), name
    retrieves = [op for op in descriptions if op.endswith("_retrieve")]
    assert len(retrieves) > 15
    for operation_id in retrieves:
        listing = operation_id.removesuffix("_retrieve") + "_list"
        assert descriptions[operation_id] != descriptions.get(listing), operation_id


def test_ordering_parameters_list_their_values_and_the_api_takes_each(document, api):
    client = api("integrator")
    lists = 0
    for path, _method, operation in _operations(document):
        ordering = next((p for p in operation.get("parameters", []) if p["name"] == "ordering"), None)
        if ordering is None:
            continue
        lists += 1
        terms = ordering["schema"]["enum"]
        assert ordering["schema"]["type"] == "string" and terms, path
        assert {t.lstrip("-") for t in terms} == {t for t in terms if not t.startswith("-")}, path
        for term in terms:
            answer = client.get(path, {"ordering": term, "page_size": 1})
            assert answer.status_code == 200, (path, term, answer.content[:200])
    assert lists >= 14
    reports = next(p for p in document["paths"]["/api/v1/reports/"]["get"]["parameters"] if p["name"] == "ordering")
    assert {"updated_at", "-updated_at", "year"} <= set(reports["schema"]["enum"])
    names = dict(zip(reports["schema"]["enum"], reports["schema"]["x-enum-varnames"], strict=True))
    assert names["-updated_at"] == "UPDATED_AT_DESC" and names["year"] == "YEAR"


def test_operations_are_grouped_by_area_with_described_tags(document):
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    assert set(tags) == {
        "reference", "frameworks", "results", "reports", "projects", "assessments", "webhooks", "jobs", "tokens",
    }
    assert all(description.strip() for description in tags.values())
    used = set()
    for path, method, operation in _operations(document):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags, (path, method)
        used.add(operation["tags"][0])
    assert used == set(tags)
    assert document["paths"]["/api/v1/provinces/"]["get"]["tags"] == ["reference"]
    assert document["paths"]["/api/v1/indicator-values/"]["get"]["tags"] == ["results"]
    assert document["paths"]["/api/v1/data-value-sets/"]["post"]["tags"] == ["jobs"]


def test_the_token_scheme_says_token_not_bearer(document):
    scheme = document["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "`Authorization: Token " in scheme["description"] and "not `Bearer`" in scheme["description"]
    secured = [op for _p, _m, op in _operations(document) if {"tokenAuth": []} in op.get("security", [])]
    assert len(secured) == len(list(_operations(document)))


def test_nullable_is_said_beside_a_type_as_openapi_3_0_reads_it(document):
    # Redocly (nullable-type-sibling) and Spectral (oas3-valid-media-example) refused it alone;
    # OpenAPI 3.0 ignores a nullable without a type, so generated clients refused null.
    def walk(node, where):
        if isinstance(node, dict):
            if node.get("nullable") is True:
                assert "type" in node or "allOf" in node, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}/{index}")

    walk(document, "#")
    value = document["components"]["schemas"]["IndicatorValueInputRequest"]["properties"]["value"]
    assert [choice.get("nullable") for choice in value["oneOf"]] == [True, None, None]


def test_filters_declared_to_take_an_empty_value_take_it(document, api, world):
    # A list page's filter bar sends its empty filters (funding=&status=), and a page's query string
    # works on its endpoint: an empty filter filters nothing. Found by the negative run (funding=).
    client = api("integrator")
    checked = 0
    for path, _method, operation in _operations(document):
        for parameter in operation.get("parameters", []) if "{" not in path else ():
            if parameter.get("allowEmptyValue"):
                answer = client.get(path, {parameter["name"]: ""})
                assert answer.status_code == 200, (path, parameter["name"], answer.content[:200])
                checked += 1
    assert checked >= 40  # page= too: DRF reads it as the first page
    for name in ("ordering", "page_size"):
        parameter = next(p for p in document["paths"]["/api/v1/reports/"]["get"]["parameters"] if p["name"] == name)
        assert "allowEmptyValue" not in parameter, name
