"""The REST API fuzzed from its own OpenAPI document with schemathesis.

Every operation of ``/api/schema/`` gets generated requests, valid and
invalid ones (negative mode: wrong types, missing fields, strings where
numbers belong, NUL bytes, huge values…), as three clients: anonymous, a
reporter and a ministry reviewer, each with a personal API token. Every answer
must be:

- not a server error (no 5xx);
- a status code the document lists for the operation, with its content type;
- a body that matches the document's schema for that status;
- for writes, a 4xx for data that breaks the schema (it must not be accepted).

The requests run in-process through Django's WSGI handler, inside the test's
transaction, against the real PostgreSQL of the suite. Generation is
deterministic, so that a failure reproduces; ``FUZZ_EXAMPLES`` raises the
number of examples per operation for a longer local run.
"""
import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
MINIMUM_REQUESTS = 1000
CLIENTS = ("anonymous", "reporter", "reviewer")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Writes must refuse what breaks the schema. Query strings follow the web's
# conventions instead (an empty ``?kind=`` or an unknown ``ordering`` field
# means "not given", as django-filter and DRF treat them), so reads are held to
# the checks above only.
WRITE_CHECKS = [*CHECKS, negative_data_rejection]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
REQUESTS = Counter()
STATUSES = Counter()
# The fixtures (personas, sample objects, tokens) are meant to be shared by all
# the examples of an operation; each example's request runs in the test's transaction.
FUZZ_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
    deadline=None,
)


class InTransactionWSGIHandler(WSGIHandler):
    """Django's WSGI handler that leaves the test's database connection open.

    A real request ends with ``close_old_connections``, which would close the
    connection holding the test's transaction; Django's test client avoids it
    the same way, by disconnecting it while the request (and its closing) runs.
    """

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = super().__call__(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


@pytest.fixture
def fuzz_tokens(personas):
    return {
        "reporter": AuthToken.objects.create(personas.reporter)[1],
        "reviewer": AuthToken.objects.create(personas.reviewer)[1],
    }


def _openapi_document():
    """The document ``/api/schema/`` serves, built the same way (no request, no database)."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as a client receives it (lazy translations become text).
    return json.loads(JSONRenderer().render(document))


schema = schemathesis.openapi.from_dict(_openapi_document())
schema.app = InTransactionWSGIHandler()
schema.config.generation.update(
    modes=["positive", "negative"], max_examples=EXAMPLES, deterministic=True, database="none",
)


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # The fuzzer sends far more than 120 requests a minute; 429s would hide the real answers.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute", "user": "1000000/minute"})


# Ids of existing objects, by the collection their URLs start with (filled by ``fuzz_world``).
KNOWN_IDS = {}


@pytest.fixture
def fuzz_world(samples):
    """The sample objects (reports in every status, results…) give the fuzzer something to find."""
    KNOWN_IDS.clear()
    KNOWN_IDS.update({
        "reports": [samples[name] for name in ("draft", "submitted", "approved", "returned", "other_draft")],
        "programmes": [samples["programme"]],
        "progress": [samples["progress"]],
        "indicator-values": [samples["indicator_value"]],
        "asean-cities": [samples["asean_city"]],
    })
    yield samples
    KNOWN_IDS.clear()


@schema.hook
def map_path_parameters(context, path_parameters):
    """Point most generated integer ids at objects that exist, so that the happy paths are fuzzed too."""
    collection = context.operation.path.removeprefix("/api/v1/").split("/")[0] if context.operation else ""
    known = KNOWN_IDS.get(collection)
    value = str((path_parameters or {}).get("id", ""))
    if known and value.isascii() and value.isdigit() and int(value) % 4 != 3:
        path_parameters["id"] = known[int(value) % len(known)]
    return path_parameters


@schema.hook
def map_case(context, case):
    """Most writes to an existing report name its current version, so that some of them succeed.

    Without it nearly every generated write would stop at 404 or 409 and the
    answers of successful writes (200 and 201 bodies) would never be checked.
    """
    from programmes.models import Report

    if not KNOWN_IDS:  # collecting, not running: no database yet
        return case
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    if mode is None or str(getattr(mode, "value", mode)) != "positive":
        return case  # a negative case must stay invalid
    report_id = str((case.path_parameters or {}).get("id", ""))
    if (
        case.method.upper() in WRITE_METHODS
        and isinstance(case.body, dict)
        and "version" in case.body
        and report_id.isascii() and report_id.isdigit()
        and hash(repr(case.body)) % 3
    ):
        version = Report.objects.filter(pk=int(report_id)).values_list("version", flat=True).first()
        if version is not None:
            case.body["version"] = version
    return case


def call_and_validate(case, who, tokens):
    headers = {"Accept-Language": "en"}
    if who != "anonymous":
        headers["Authorization"] = f"Token {tokens[who]}"
    REQUESTS[who] += 1
    checks = WRITE_CHECKS if case.method.upper() in WRITE_METHODS else CHECKS
    response = case.call_and_validate(headers=headers, checks=checks)
    STATUSES[f"{case.method.upper()} {response.status_code}"] += 1


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_are_answered_as_the_schema_says(case, fuzz_tokens, fuzz_world):
    call_and_validate(case, "anonymous", fuzz_tokens)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_a_reporters_requests_are_answered_as_the_schema_says(case, fuzz_tokens, fuzz_world):
    call_and_validate(case, "reporter", fuzz_tokens)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_a_reviewers_requests_are_answered_as_the_schema_says(case, fuzz_tokens, fuzz_world):
    call_and_validate(case, "reviewer", fuzz_tokens)


def test_the_fuzzer_sent_at_least_a_thousand_requests():
    if not REQUESTS:
        pytest.skip("the fuzz test did not run in this session (run the whole module)")
    print(f"fuzzed requests: {sum(REQUESTS.values())} {dict(REQUESTS)}; answers: {sorted(STATUSES.items())}")
    assert sum(REQUESTS.values()) >= MINIMUM_REQUESTS, REQUESTS
    assert set(REQUESTS) == set(CLIENTS)
