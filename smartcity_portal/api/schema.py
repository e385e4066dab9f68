"""What the OpenAPI document says about authentication and errors, shared by every endpoint."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from provinces.quarters import FIRST_REPORTING_YEAR


class PortalTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (knox's own extension matches only knox's exact class)."""

    target_class = "smartcity_portal.accounts.api.authentication.PortalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
        definition["description"] = (
            "A personal API token: `Authorization: Token <key>`. Create one on your profile page "
            "or with `python manage.py create_api_token USERNAME`."
        )
        return definition


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


def _tidy_parameter(parameter):
    schema = parameter.get("schema", {})
    if "enum" in schema:
        # A small integer field's 0–32767 says nothing next to its choices (a quarter is 1–4).
        schema.pop("minimum", None)
        schema.pop("maximum", None)
    if parameter.get("name") == "year" and schema.get("type") == "integer":
        schema.setdefault("minimum", FIRST_REPORTING_YEAR)
        schema.setdefault("maximum", 2100)


def portal_postprocessing(result, generator, request, public):
    """One document whatever ``Accept-Language`` says: names never come from translated labels
    (descriptions do follow the language); parameters say their real bounds; a ``PATCH`` that
    must name the version it edits declares it required."""
    for part in ("paths", "components"):
        if part in result:
            result[part] = _without_titles(result[part])
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    _tidy_parameter(parameter)
    result.setdefault("components", {}).setdefault("schemas", {}).update(FIELD_ERROR_COMPONENTS)
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.startswith("Patched") and "version" in schema.get("properties", {}):
            schema["required"] = sorted({*schema.get("required", []), "version"})
    return result
