"""``POST data-value-sets/``: many units' and quarters' values in one request, imported by a
background job; ``GET jobs/{id}/``: how that job went.

The rules are those of the web import (``indicators.imports``, run by ``indicators.jobs``):
every row is checked, then all are written or none; approvals made by the import send
the same events. This module only checks the body's shape, so that a malformed request
answers at once instead of becoming a failed job.
"""
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from indicators import imports, jobs
from indicators.models import Job
from programmes import policies
from smartcity_portal.api.exceptions import FieldErrors
from smartcity_portal.api.parsers import JSONParser
from smartcity_portal.api.schema import errors
from smartcity_portal.api.strict import check_query_parameters

VALUES = "dataValues"
# The JSON type of each key of a value, as the OpenAPI document declares it.
TYPES = {"province": "text", "indicator": "text", "note": "text", "year": "integer", "quarter": "integer",
         "value": "scalar"}
TYPE_MESSAGES = {
    "text": lambda: _("Give a text."),
    "integer": lambda: _("Give a whole number."),
    "scalar": lambda: _("Give a number, a text, true, false or null."),
}


def _fits(name, value):
    kind = TYPES[name]
    if kind == "text":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (str, int, float, bool, type(None)))


class CSVParser(parsers.BaseParser):
    """A ``text/csv`` body, handed over as bytes: the import reads it as it reads an uploaded file."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


def _yes(text, name):
    value = (text or "false").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise FieldErrors({name: [_("Give true or false.")]})


def _checked_values(body):
    """The rows of a JSON body, or ``FieldErrors`` saying where its shape is wrong."""
    if not isinstance(body, dict) or set(body) != {VALUES}:
        unknown = sorted(set(body) - {VALUES}) if isinstance(body, dict) else []
        if unknown:
            raise FieldErrors({name: [ErrorDetail(_("Unknown field."), code="unknown_field")] for name in unknown})
        raise FieldErrors({VALUES: [_("Send an object with a list of values: {\"dataValues\": [...]}.")]})
    values = body[VALUES]
    if not isinstance(values, list) or not values:
        raise FieldErrors({VALUES: [_("Give a non-empty list of values.")]})
    if len(values) > imports.MAX_ROWS:
        raise FieldErrors({VALUES: [
            _("At most %(count)s values can be imported at once.") % {"count": imports.MAX_ROWS}
        ]})
    problems = {}
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            problems[str(index)] = [_("Each value is an object with province, year, quarter, indicator, value.")]
            continue
        fields = {}
        for name in sorted(set(value) - set(imports.COLUMNS)):
            fields[name] = [ErrorDetail(_("Unknown field."), code="unknown_field")]
        for name in imports.REQUIRED_COLUMNS:
            if name not in value:
                fields[name] = [ErrorDetail(_("This field is required."), code="required")]
        for name in sorted(set(value) & set(imports.COLUMNS)):
            if not _fits(name, value[name]):
                fields[name] = [TYPE_MESSAGES[TYPES[name]]()]
        if fields:
            problems[str(index)] = fields
        if len(problems) >= 100:
            break
    if problems:
        raise FieldErrors({VALUES: problems})
    return values


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Job.Kind.choices)
    status = serializers.ChoiceField(
        choices=Job.Status.choices,
        help_text="pending, running, then succeeded (everything imported, or checked with dry_run) or failed "
                  "(nothing imported: see message, summary and problems).",
    )
    dry_run = serializers.BooleanField()
    processed = serializers.IntegerField(help_text="Steps done so far (checking, then writing).")
    total = serializers.IntegerField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField(help_text="The outcome in words, in the language of the request that made the job.")
    summary = serializers.JSONField(
        allow_null=True,
        help_text="Once finished: rows, values, reports_created, reports_updated, reports_unchanged, "
                  "rows_refused, applied, dry_run, errors (problems of the set as a whole).",
    )
    problems = serializers.JSONField(
        help_text="Refused rows: [{\"index\": 0, \"row\": 2, \"errors\": {\"value\": [\"…\"]}}]; index is the "
                  "position in dataValues (JSON), row the line of the CSV body (header = 1).",
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def job_body(job):
    state = jobs.job_status(job)
    from_json = job.parameters.get("source") == "json"
    problems = [
        {**({"index": entry["row"] - 2} if from_json else {}), "row": entry["row"], "errors": entry["errors"]}
        for entry in job.row_report or []
    ]
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "dry_run": bool(job.parameters.get("dry_run")),
        "processed": state["processed"], "total": state["total"], "percent": state["percent"],
        "message": job.message, "summary": job.parameters.get("summary"), "problems": problems,
        "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
    }


class DataValueSetViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, CSVParser]

    @extend_schema(
        summary="Import many indicator values at once (a background job)",
        description=(
            "Values of many units and quarters, as JSON `{\"dataValues\": [{\"province\", \"year\", \"quarter\", "
            "\"indicator\", \"value\", \"note\"}]}` or as a CSV body (`Content-Type: text/csv`, the columns of the "
            "web import). The shape is checked now (400); the values are checked and written by a job, all or "
            "nothing, by the rules of the web import: follow `Location` to `jobs/{id}/`. With `dry_run=true` "
            "nothing is written. For ministry reviewers."
        ),
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Only check: write nothing.")],
        request={
            "application/json": {"type": "object", "required": [VALUES], "additionalProperties": False,
                                 "properties": {VALUES: {"type": "array", "minItems": 1, "items": {
                                     "type": "object", "additionalProperties": False,
                                     "required": list(imports.REQUIRED_COLUMNS),
                                     "properties": {
                                         "province": {"type": "string"}, "year": {"type": "integer"},
                                         "quarter": {"type": "integer"}, "indicator": {"type": "string"},
                                         "value": {"oneOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}],
                                                   "nullable": True},
                                         "note": {"type": "string"},
                                     }}}}},
            "text/csv": {"type": "string"},
        },
        responses={202: OpenApiResponse(JobSerializer, description="The job, queued."), **errors(400, 401, 403, 429)},
        examples=[OpenApiExample("Two values", request_only=True, value={VALUES: [
            {"province": "bac-ninh", "year": 2025, "quarter": 3, "indicator": "TG5-01", "value": 55.5},
            {"province": "ha-noi", "year": 2025, "quarter": 3, "indicator": "TG1-01", "value": True, "note": ""},
        ]})],
    )
    def create(self, request):
        if not policies.can_import_values(request.user):
            raise PermissionDenied(_("Only ministry reviewers may import indicator values."))
        check_query_parameters(request, {"dry_run", "format"})
        dry_run = _yes(request.query_params.get("dry_run"), "dry_run")
        if isinstance(request.data, bytes):
            upload = _csv_upload(request.data)
            try:
                job = jobs.start_import_job(user=request.user, upload=upload, dry_run=dry_run, source="csv")
            except imports.ImportFileError as error:
                raise FieldErrors({"non_field_errors": [error.message]}) from None
        else:
            job = jobs.start_value_set_job(user=request.user, values=_checked_values(request.data), dry_run=dry_run)
        url = reverse("api:job-detail", kwargs={"pk": job.pk})
        return Response(JobSerializer(job_body(job)).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})



def _csv_upload(data):
    return ContentFile(data, name="data-value-set.csv")


class JobViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    @extend_schema(
        summary="A background job: its status, progress and outcome",
        description="Your own jobs (an administrator: every job). Read it again until `status` is succeeded or failed.",
        responses={200: JobSerializer, **errors(401, 404, 429)},
    )
    def retrieve(self, request, pk=None):
        job = jobs.visible_job(request.user, int(pk))
        if job is None:
            raise NotFound()
        return Response(JobSerializer(job_body(job)).data)
