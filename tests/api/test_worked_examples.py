"""The worked examples of docs/integrators.md, run against the API as written.

Each ```http block of the document is one exchange: a request (method and
address, headers, a JSON or CSV body) and, after the line ``HTTP/1.1 <status>``,
what the portal answers (headers, JSON). The blocks of one section run in order
on one database, so a section tells one story: create, then read what was made.

How an answer is compared (the document says it to its readers too):

- a JSON answer holds at least what the example shows: more keys may come, a list
  shown with fewer items is compared on those first items;
- ``"…"`` stands for any value, and a header shown as ``…`` must only be present;
- ``"{name}"`` takes the value found there, and ``{name}`` further down (in an
  address, a header or a body) is that value. ``{reporter}``, ``{reviewer}``,
  ``{integrator}`` and ``{viewer}`` are those users' tokens.
"""
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    ReportFactory,
    api_client,
    set_values,
    submit_and_approve,
    user_of,
)

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "integrators.md"
BLOCK = re.compile(r"^```http\n(.*?)^```", re.DOTALL | re.MULTILINE)
HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)
VARIABLE = re.compile(r"\{([a-z_]+)\}")
ANY = "…"


def sections():
    """``{heading: [block, …]}`` for each section of the document with worked examples."""
    text = DOCUMENT.read_text(encoding="utf-8")
    found = {}
    headings = [(m.start(), m.group(1).strip()) for m in HEADING.finditer(text)]
    for block in BLOCK.finditer(text):
        heading = [title for start, title in headings if start < block.start()][-1]
        found.setdefault(heading, []).append(block.group(1))
    return found


def parse(block):
    """A block as ``(method, path, headers, body, status, response_headers, response_body)``."""
    request, _, response = block.partition("\nHTTP/1.1 ")
    request_line, *lines = request.splitlines()
    method, path = request_line.split(maxsplit=1)
    headers, body = _head_and_body(lines)
    status_line, *lines = response.splitlines()
    response_headers, response_body = _head_and_body(lines)
    return method, path, headers, body, int(status_line.split()[0]), response_headers, response_body


def _head_and_body(lines):
    blank = lines.index("") if "" in lines else len(lines)
    headers = dict(line.split(": ", 1) for line in lines[:blank])
    return headers, "\n".join(lines[blank:]).strip()


class Exchange:
    def __init__(self, variables):
        self.variables = variables

    def fill(self, text):
        """``text`` with each ``{name}`` already known replaced (the others are still to be found)."""
        return VARIABLE.sub(lambda m: str(self.variables.get(m.group(1), m.group(0))), text)

    def matches(self, expected, actual, where="body"):
        if expected == ANY:
            return
        if isinstance(expected, str) and VARIABLE.fullmatch(expected):
            name = expected[1:-1]
            if name in self.variables:
                assert actual == self.variables[name], f"{where}: {actual!r} is not {name} ({self.variables[name]!r})"
            else:
                self.variables[name] = actual
            return
        if isinstance(expected, dict):
            assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
            for key, value in expected.items():
                assert key in actual, f"{where}: no {key!r} in {sorted(actual)}"
                self.matches(value, actual[key], f"{where}.{key}")
        elif isinstance(expected, list):
            assert isinstance(actual, list) and len(actual) >= len(expected), f"{where}: {actual!r}"
            for index, value in enumerate(expected):
                self.matches(value, actual[index], f"{where}.{index}")
        else:
            assert actual == expected, f"{where}: {actual!r} != {expected!r}"

    def run(self, block):
        method, path, headers, body, status, expected_headers, expected_body = parse(self.fill(block))
        token = headers.pop("Authorization", "").removeprefix("Token ").strip()
        client = api_client(language=headers.pop("Accept-Language", "en"))
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        content_type = headers.pop("Content-Type", "application/json")
        extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        response = client.generic(method, path, body.encode(), content_type=content_type, **extra)
        assert response.status_code == status, (block, response.content[:2000])
        for name, value in expected_headers.items():
            assert response.has_header(name), f"no {name} header"
            if value != ANY:
                self.matches(value if VARIABLE.fullmatch(value) else self.fill(value), response[name], name)
        if expected_body:
            self.matches(json.loads(expected_body), response.json())


@pytest.fixture
def variables(personas, django_capture_on_commit_callbacks):
    """The tokens of the personas, and the approved 2025-Q3 report of Bắc Ninh (their unit)."""
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3)
    set_values(report, {"TG5-01": 40, "TG1-02": 3})
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer,
                       run=django_capture_on_commit_callbacks)
    names = {"reporter": "reporter", "reviewer": "reviewer", "integrator": "integrator", "viewer": "viewer"}
    found = {"approved_report": report.pk}
    for name, role in names.items():
        client = api_client(user_of(personas, role))
        found[name] = client._credentials["HTTP_AUTHORIZATION"].removeprefix("Token ")
    return found


EXAMPLES = sections()


def test_the_document_has_worked_examples_for_each_capability():
    assert {"Syncing", "Authentication", "Bulk import (`data-value-sets/`)",
            "History", "Reporting status", "Errors", "The version and `409 Conflict`"} <= set(EXAMPLES)


@pytest.mark.django_db
@pytest.mark.parametrize("heading", sorted(EXAMPLES))
def test_each_worked_example_answers_as_the_document_says(variables, heading, django_capture_on_commit_callbacks):
    exchange = Exchange(variables)
    for block in EXAMPLES[heading]:
        # What a request leaves for after its commit (a job, results) is done before the next one.
        with django_capture_on_commit_callbacks(execute=True):
            exchange.run(block)
