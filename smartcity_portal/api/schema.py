"""What the OpenAPI document says about authentication and errors, shared by every endpoint."""
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiFilterExtension,
)
from drf_spectacular.plumbing import (
    build_bearer_security_scheme_object,
    build_parameter_type,
)
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from provinces.quarters import FIRST_REPORTING_YEAR


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (knox's own extension matches only knox's exact class)."""

    target_class = "smartcity_portal.accounts.api.authentication.PortalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
        definition["description"] = (
            "A personal API token, sent in the `Authorization` header as the word `Token`, a space and the "
            "key: `Authorization: Token 4c1e0c6f8a…` (not `Bearer`). Create one on your profile page, with "
            "`POST /api/v1/tokens/` or with `python manage.py create_api_token USERNAME`."
        )
        return definition


class AnswerOnly:
    # A mixin for serializers the API only answers with, never reads a body with: every field is
    # set by the server, so the document marks each one ``readOnly`` and (always present) ``required``.
    # A client that sends such an object back (a report, an assessment) is not refused for them.
    # (Comments, not a docstring: drf-spectacular would describe every answer's schema with it.)

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
            field.required = False
        return fields


class FilterParameters(DjangoFilterExtension):
    """A list's filters as drf-spectacular documents them, each with ``allowEmptyValue``: an empty
    filter (``funding=``, as the filter bar of a list page sends it) filters nothing, so that a
    page's query string works on its endpoint (docs/integrators.md)."""

    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
        return parameters


class OrderingParameter(OpenApiFilterExtension):
    """``ordering`` with the terms the list sorts by as an enum (DRF documents a bare string)."""

    target_class = "rest_framework.filters.OrderingFilter"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        names = [name if isinstance(name, str) else name[0] for name in getattr(auto_schema.view, "ordering_fields", None) or []]
        if not names:
            return []
        return [build_parameter_type(
            name="ordering", location=OpenApiParameter.QUERY,
            schema={
                "type": "string", "enum": [term for name in names for term in (name, f"-{name}")],
                # Names for generated enums (openapi-python-client): YEAR_DESC, not VALUE_3.
                "x-enum-varnames": [term for name in names for term in (name.upper(), f"{name.upper()}_DESC")],
            },
            description=(
                "Sort by this field, `-` before it for descending. Several terms separated by commas "
                "(`year,-quarter`) are accepted too."
            ),
        )]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the language of Accept-Language.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found, permission_denied.")


class ThrottledSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait before the next request.")


FIELD_ERRORS_SCHEMA = "FieldErrors"
# Each field's problems, nested for nested fields; drf-spectacular has no recursive
# schema of its own, so ``portal_postprocessing`` adds these two to the components.
FIELD_ERROR_COMPONENTS = {
    "FieldError": {
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "description": "A stable machine-readable code, e.g. required, invalid, max_value, "
                               "unknown_parameter, needs_confirmation, parse_error.",
            },
            "message": {"type": "string", "description": "What is wrong, in the language of Accept-Language."},
        },
        "required": ["code", "message"],
    },
    FIELD_ERRORS_SCHEMA: {
        "type": "object",
        "description": (
            "Per field, a list of `{code, message}`; a nested field's problems sit under its "
            "parent, e.g. `{\"task_groups\": {\"3\": {\"percent_complete\": [{\"code\": "
            "\"percent_range\", \"message\": \"…\"}]}}}`. What is about no one field sits "
            "under `non_field_errors`."
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                {"$ref": f"#/components/schemas/{FIELD_ERRORS_SCHEMA}"},
            ],
        },
        "example": {"year": [{"code": "invalid", "message": "A valid integer is required."}]},
    },
}

FIELD_ERRORS = OpenApiResponse(
    response={"$ref": f"#/components/schemas/{FIELD_ERRORS_SCHEMA}"},
    description=(
        "Invalid input; nothing was changed. Per field, a list of `{code, message}`, nested for "
        "nested fields; what is about no one field (a body that is not JSON, values to confirm) "
        "under `non_field_errors`."
    ),
)

ERRORS = {
    400: FIELD_ERRORS,
    401: OpenApiResponse(ErrorSerializer, description="No or invalid credentials (`code`: not_authenticated, authentication_failed)."),
    403: OpenApiResponse(ErrorSerializer, description="Authenticated, but not allowed to do this (`code`: permission_denied)."),
    404: OpenApiResponse(ErrorSerializer, description="No such object, not one you may see, or a page past the last (`code`: not_found)."),
    409: OpenApiResponse(ErrorSerializer, description="Conflicts with the object's current state."),
    429: OpenApiResponse(ThrottledSerializer, description="Too many requests (`code`: throttled)."),
}


def errors(*codes):
    """The documented error responses for ``codes``, for ``extend_schema(responses=…)``."""
    return {code: ERRORS[code] for code in codes}



# --- the document, the same in every language ----------------------------------------------------


def _without_titles(node):
    """Drop the ``title`` of every schema: drf-spectacular takes it from a field's (translated)
    label, and client generators name types after it ("ReportsListTrạngThái")."""
    if isinstance(node, dict):
        return {
            key: _without_titles(value) for key, value in node.items()
            if not (key == "title" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_without_titles(item) for item in node]
    return node


def _nullable_with_type(node):
    """OpenAPI 3.0 reads ``nullable`` only beside a ``type`` (linters refuse it alone). A nullable
    ``oneOf`` says it on its first typed choice (null then matches exactly one), or not at all when a
    choice is ``NullEnum``; a nullable schema of any type (``{}``) needs no ``nullable``."""
    if isinstance(node, list):
        for item in node:
            _nullable_with_type(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _nullable_with_type(value)
    if node.get("nullable") is not True or "type" in node or "$ref" in node or "allOf" in node:
        return
    choices = node.get("oneOf") or node.get("anyOf")
    if choices is None:
        del node["nullable"]
        return
    if any(choice.get("$ref", "").endswith("/NullEnum") for choice in choices):
        del node["nullable"]
        return
    typed = next((choice for choice in choices if "type" in choice), None)
    if typed is not None:
        del node["nullable"]
        typed["nullable"] = True


def _tidy_parameter(parameter):
    schema = parameter.get("schema", {})
    if parameter.get("in") == "query" and parameter.get("name") == "page":
        parameter["allowEmptyValue"] = True  # DRF reads page= as the first page.
    if "enum" in schema:
        # A small integer field's 0–32767 says nothing next to its choices (a quarter is 1–4).
        schema.pop("minimum", None)
        schema.pop("maximum", None)
    if parameter.get("name") == "year" and schema.get("type") == "integer":
        schema.setdefault("minimum", FIRST_REPORTING_YEAR)
        schema.setdefault("maximum", 2100)


# Operations grouped by area, in this order, named by the first segment of their path.
TAGS = [
    ("reference", ("regions", "provinces", "asean-cities", "indicators", "task-groups", "pillars", "programmes"),
     ("Reference data: regions, provincial units (before and after 1 July 2025), indicators, Decision 950's "
      "task groups, the digital-transformation pillars, the ASEAN Smart Cities Network, the units' "
      "programmes. Public, no token needed.")),
    ("frameworks", ("frameworks",),
     "The frameworks units report against, their versions and each version's tree of items and criteria."),
    ("results", ("progress", "indicator-values", "maturity"),
     ("Figures from approved reports and assessments only: progress per item, indicator values (rolled up to "
      "today's units or as reported) and maturity levels. Public.")),
    ("reports", ("reports", "reporting-status"),
     ("Quarterly reports: create, fill and submit them; the review workflow; each report's history; who has "
      "reported on a quarter. A token is needed.")),
    ("projects", ("projects",), "The published smart-city projects of the units' registers. Public."),
    ("assessments", ("assessments",),
     "Yearly maturity self-assessments against a framework version with levels, and their verification."),
    ("webhooks", ("webhooks",), "Your webhook subscriptions: the portal posts report and assessment events to them."),
    ("jobs", ("data-value-sets", "jobs"),
     "Bulk import of indicator values (ministry reviewers), done by a background job you then follow."),
    ("tokens", ("tokens",), "Your API tokens: list them (never their secrets), create, revoke."),
]
TAG_OF = {segment: name for name, segments, _description in TAGS for segment in segments}

METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")

SHARED_RESPONSES = {
    "MethodNotAllowed": {
        "description": (
            "This address does not take the method used (`code`: method_not_allowed); the `Allow` header "
            "lists the methods it takes. Nothing was changed."
        ),
        "headers": {"Allow": {"schema": {"type": "string"}, "description": "The methods this address takes."}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "UnsupportedMediaType": {
        "description": (
            "The body's `Content-Type` is not one this operation takes (`code`: unsupported_media_type); "
            "send `application/json`. Nothing was changed."
        ),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}


def _tidy_path_parameters(operation):
    """A path id matched by ``\\d+`` is an integer, whatever the view's lookup regex says; a
    pattern that only says "no slash" says nothing of a path segment."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") != "path" or schema.get("type") != "string":
            continue
        if schema.get("pattern") == r"^\d+$":
            parameter["schema"] = {"type": "integer"}
        elif schema.get("pattern") == "^[^/]+$":
            del schema["pattern"]


# What a creation answers leads to: (path, method, status) → the path of the object it made and the
# property of the answer that names it, besides the creations that answer the object itself.
CREATED_ELSEWHERE = {("/api/v1/data-value-sets/", "post", "202"): ("/api/v1/jobs/{id}/", "id")}


def _schema_properties(result, response):
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = result["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[-1], {})
    return set(schema.get("properties", {}))


def _add_links(result):
    """OpenAPI links from each creation to the operations on what it created (``reports_create`` →
    ``reports_retrieve``, ``reports_partial_update``, ``reports_submit_create``… by ``$response.body#/id``),
    for clients and for schemathesis' stateful tests."""
    paths = result.get("paths", {})
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method != "post":
                continue
            for status, response in operation.get("responses", {}).items():
                if status not in ("201", "202") or "$ref" in response:
                    continue
                if (path, method, status) in CREATED_ELSEWHERE:
                    target, name = CREATED_ELSEWHERE[path, method, status]
                    targets = {target: name}
                else:
                    targets = {}
                    for other in paths:
                        rest = other.removeprefix(path)
                        if other != path and other.startswith(path) and rest.startswith("{"):
                            name = rest[1:rest.index("}")]
                            targets[other] = name
                properties = _schema_properties(result, response)
                links = {}
                for target, name in sorted(targets.items()):
                    if name not in properties:
                        continue
                    for target_method, target_operation in paths[target].items():
                        if target_method in METHODS and isinstance(target_operation, dict):
                            links[target_operation["operationId"]] = {
                                "operationId": target_operation["operationId"],
                                "parameters": {name: f"$response.body#/{name}"},
                                "description": f"The `{name}` in the answer is the `{name}` of {target}.",
                            }
                if links:
                    response["links"] = links


def portal_postprocessing(result, generator, request, public):
    """One document whatever ``Accept-Language`` says: names never come from translated labels
    (descriptions do follow the language); parameters say their real bounds; a ``PATCH`` that
    must name the version it edits declares it required. Operations are grouped by area;
    every operation documents 405 (and those with a body 415) in the portal's error shape;
    numeric path ids are integers; a page always has ``next`` and ``previous`` (maybe null);
    creations link to the operations on what they created."""
    for part in ("paths", "components"):
        if part in result:
            result[part] = _without_titles(result[part])
            _nullable_with_type(result[part])
    for path, operations in result.get("paths", {}).items():
        segment = path.removeprefix("/api/v1/").split("/", 1)[0]
        for method, operation in operations.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _tidy_parameter(parameter)
            _tidy_path_parameters(operation)
            if segment in TAG_OF:
                operation["tags"] = [TAG_OF[segment]]
            responses = operation.setdefault("responses", {})
            responses.setdefault("405", {"$ref": "#/components/responses/MethodNotAllowed"})
            if "requestBody" in operation:
                responses.setdefault("415", {"$ref": "#/components/responses/UnsupportedMediaType"})
            operation["responses"] = dict(sorted(responses.items()))
    components = result.setdefault("components", {})
    components.setdefault("responses", {}).update(SHARED_RESPONSES)
    components.setdefault("schemas", {}).update(FIELD_ERROR_COMPONENTS)
    for name, schema in components.get("schemas", {}).items():
        if name.startswith("Patched") and "version" in schema.get("properties", {}):
            schema["required"] = sorted({*schema.get("required", []), "version"})
        if name.startswith("Paginated") and {"count", "next", "previous", "results"} <= set(schema.get("properties", {})):
            schema["required"] = ["count", "next", "previous", "results"]
    result["tags"] = [{"name": name, "description": description} for name, _segments, description in TAGS]
    _add_links(result)
    return result
