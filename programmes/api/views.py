"""Task groups, pillars, programmes, and the quarterly reports with their workflow.

API v1's task groups and pillars are the items of Decision 950 and the groups
of the digital-transformation framework (``indicators.selectors``).

Every change to a report goes through ``programmes.services``; who may see what
is ``programmes.policies``. This module only translates between HTTP and them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators.models import (
    FrameworkNode,
    FrameworkStatus,
    IndicatorMapping,
    IndicatorValue,
    NodeKind,
)
from indicators.selectors import DEFAULT_FRAMEWORK, PILLARS_FRAMEWORK
from programmes import policies, selectors, services, validation, webhooks
from programmes.api import keys
from programmes.api.filtersets import ProgrammeFilterSet, ReportApiFilterSet
from programmes.api.serializers import (
    ApproveSerializer,
    ConflictSerializer,
    PillarSerializer,
    ProgrammeSerializer,
    PublishedProjectDetailSerializer,
    PublishedProjectSerializer,
    RemoveEvidenceSerializer,
    ReopenSerializer,
    ReportCreateSerializer,
    ReportingStatusQuerySerializer,
    ReportingStatusSerializer,
    ReportReplaceSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    ReturnSerializer,
    RevisionSerializer,
    SubmitSerializer,
    TaskGroupSerializer,
    WebhookCreatedSerializer,
    WebhookSerializer,
    WebhookWriteSerializer,
)
from programmes.filtersets import ProjectFilterSet
from programmes.models import (
    Evidence,
    NodeAnswer,
    Programme,
    ProjectProgress,
    Report,
    WebhookSubscription,
)
from programmes.projects import published_projects
from provinces.quarters import Quarter
from smartcity_portal.accounts.services import acting_as
from smartcity_portal.api.exceptions import FieldErrors, PortalError
from smartcity_portal.api.mixins import FilterListOnly, LastModified, SparseFields
from smartcity_portal.api.parsers import JSONParser
from smartcity_portal.api.schema import errors
from smartcity_portal.api.strict import StrictQueryParameters, check_query_parameters

LIST_ERRORS = errors(400, 401, 404, 429)
DETAIL_ERRORS = errors(401, 404, 429)

# --- reference data ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the nine task groups of Decision 950/QĐ-TTg",
        description="The items of the framework `decision-950`, in their order, with the codes of their indicators.",
        responses={200: TaskGroupSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One task group, by number",
        description="A task group of Decision 950 by its number (1 to 9), with the codes of its indicators.",
        responses={200: TaskGroupSerializer, **DETAIL_ERRORS}),
)
class TaskGroupViewSet(SparseFields, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["number", "name"]
    queryset = FrameworkNode.objects.filter(
        version__framework__code=DEFAULT_FRAMEWORK, version__status=FrameworkStatus.ACTIVE,
        kind=NodeKind.PROGRESS, code__regex=r"^\d+$",
    ).prefetch_related(Prefetch("mappings", queryset=IndicatorMapping.objects.select_related("indicator")))
    serializer_class = TaskGroupSerializer
    lookup_field = "code"
    lookup_url_kwarg = "number"
    lookup_value_regex = r"\d+"
    ordering_fields = ["order"]

    def get_queryset(self):
        # The numbers' order, not the text's ("10" after "9").
        return super().get_queryset().order_by("order")


@extend_schema_view(
    list=extend_schema(
        summary="List the digital-transformation pillars",
        description="The groups of the framework `digital-transformation-2020`, in their order.",
        responses={200: PillarSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One pillar, by code",
        description="A digital-transformation pillar by its code (e.g. `digital-government`).",
        responses={200: PillarSerializer, **DETAIL_ERRORS}),
)
class PillarViewSet(SparseFields, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["code", "name"]
    queryset = FrameworkNode.objects.filter(
        version__framework__code=PILLARS_FRAMEWORK, version__status=FrameworkStatus.ACTIVE, depth=0,
    ).order_by("order")
    serializer_class = PillarSerializer
    lookup_field = "code"
    ordering_fields = ["order", "code"]


@extend_schema_view(
    list=extend_schema(
        summary="List smart-city programmes of the units",
        description="Each unit's smart-city programmes: decision, years, budget and status.",
        responses={200: ProgrammeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="One programme",
        description="A unit's smart-city programme by its `id`.",
        responses={200: ProgrammeSerializer, **DETAIL_ERRORS}),
)
class ProgrammeViewSet(SparseFields, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "province", "title", "status"]
    queryset = Programme.objects.select_related("unit")
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "start_year", "end_year", "title", "decision_date"]


@extend_schema_view(
    list=extend_schema(
        summary="List the published smart-city projects",
        description=(
            "Projects of the units' registers as approved reports published them, with their latest approved "
            "progress. The filters are those of the page /projects/: `province`, `status`, `funding`, `node` "
            "(framework:code). A project no approved report gives the progress of is not listed."
        ),
        responses={200: PublishedProjectSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One published project, with its progress in every approved report",
        description=(
            "A published project by its `id`, with `history`: its status, percent complete and spending in every "
            "approved report. A project no approved report published answers 404."
        ),
        responses={200: PublishedProjectDetailSerializer, **DETAIL_ERRORS},
    ),
)
class ProjectViewSet(SparseFields, FilterListOnly, viewsets.ReadOnlyModelViewSet):
    brief_fields = ["id", "code", "province", "name", "status", "percent_complete"]
    serializer_class = PublishedProjectSerializer
    filterset_class = ProjectFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "code", "total_investment", "start_date", "planned_end_date", "percent_complete"]

    def get_queryset(self):
        # "id" is the API's name of the primary key (the project), which ordering=id sorts by.
        return published_projects().annotate(id=F("pk")).order_by("unit__name_vi", "code", "pk")

    def get_serializer_class(self):
        return PublishedProjectDetailSerializer if self.action == "retrieve" else PublishedProjectSerializer


# --- reports ------------------------------------------------------------------------


# What a report body holds beyond its own columns: read only when asked for.
CONTENT_FIELDS = {"task_groups", "nodes", "indicator_values", "projects"}


def report_queryset():
    """Reports with everything their body shows, in a fixed number of queries."""
    return Report.objects.select_related("unit").prefetch_related(
        Prefetch(
            "answers",
            queryset=NodeAnswer.objects.select_related("node__version__framework")
            .order_by("node__version__framework__code", "node__order")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id"))),
        ),
        Prefetch(
            "indicator_values",
            queryset=IndicatorValue.objects.select_related("indicator").order_by("indicator__code"),
        ),
        Prefetch("project_progress", queryset=ProjectProgress.objects.select_related("project").order_by(
            "project__code", "project_id")),
    )


def api_error(error):
    """The API exception for an exception of ``programmes.services``."""
    if isinstance(error, services.ReportConflict):
        changes = keys.changes_to_api(error.changes)
        # A program has no tabs or windows: the API says who saved in the changes' revisions, not "you".
        message = error.describe(error.edited_version, error.current_version)
        return PortalError(
            message, code=error.code, status_code=status.HTTP_409_CONFLICT,
            extra={
                "edited_version": error.edited_version,
                "current_version": error.current_version,
                "changes": changes,
            },
        )
    if isinstance(error, services.ReportInvalid):
        return FieldErrors(keys.nest_errors(report_problems(error)))
    if isinstance(error, services.ReportStateError):
        return PortalError(error.message, code=error.code, status_code=status.HTTP_409_CONFLICT)
    if error.code == "exists":
        return PortalError(error.message, code=error.code, status_code=status.HTTP_409_CONFLICT)
    return PortalError(error.message, code=error.code)


def report_problems(error):
    """The errors of a ``ReportInvalid`` and, under their own fields, the values it asks to confirm
    (code ``needs_confirmation``); with nothing else wrong, a ``non_field_errors`` entry says so."""
    problems = {key: list(messages) for key, messages in error.errors.items()}
    if error.warnings and not error.errors:
        problems.setdefault("non_field_errors", []).append(validation.Message(error.message, "needs_confirmation"))
    for warning in error.warnings:
        problems.setdefault(warning.key, []).append(validation.Message(warning.message, "needs_confirmation"))
    return problems


WRITE_ERRORS = {
    400: OpenApiResponse(
        errors(400)[400].response,
        description=(
            "Invalid contents, or an action that is not possible: per field, a list of `{code, message}` "
            "by API path, e.g. `{\"task_groups\": {\"3\": {\"percent_complete\": [{\"code\": \"percent_range\", "
            "…}]}}}`; values to confirm are entries with code `needs_confirmation` under their fields. "
            "Nothing was saved."
        ),
    ),
    401: errors(401)[401],
    403: errors(403)[403],
    404: errors(404)[404],
    409: OpenApiResponse(
        ConflictSerializer,
        description=(
            "`code` conflict: someone saved the report after the `version` you sent; read it again "
            "(`current_version`, `changes`) and repeat your edit. `code` invalid_state: the report's "
            "status does not allow this action. `code` exists: the quarter already has a report."
        ),
    ),
    429: errors(429)[429],
}

REPORT_BODY = (
    "Task groups are identified by `number`, the items of every framework in `nodes` by `framework` "
    "and `code`, indicator values by `code`; decimal numbers are returned as strings with their "
    "stored precision."
)


@extend_schema_view(
    list=extend_schema(
        summary="List the reports you may read",
        description=(
            "Ministry staff read every report; a unit's reporter or integrator reads its unit's reports "
            "(and those of the units merged into it) and the approved reports of others. Anonymous "
            "requests get 401. " + REPORT_BODY
        ),
        responses={200: ReportSerializer(many=True), **errors(400, 401, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One report",
        description="A report you may not read answers 404. " + REPORT_BODY,
        responses={200: ReportSerializer, **errors(401, 404, 429)},
    ),
    create=extend_schema(
        summary="Start the draft report of a unit for a quarter",
        description=(
            "Creates the draft (prefilled from the unit's previous report) and, if the body has "
            "`task_groups` or `indicator_values`, saves them in the same request; if they are invalid "
            "nothing is created."
        ),
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a draft or returned report's contents",
        description="Both lists are required: a task group left out is emptied, an indicator left out is removed.",
        request=ReportReplaceSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change part of a draft or returned report",
        description="Only what the body names changes, down to single fields of a task group or indicator.",
        request=ReportUpdateSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    ),
)
class ReportViewSet(
    SparseFields,
    LastModified,
    FilterListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    brief_fields = ["id", "province", "year", "quarter", "status", "version", "is_late", "updated_at"]
    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    # Contents are nested lists, which only JSON expresses.
    parser_classes = [JSONParser]
    filterset_class = ReportApiFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "status", "submitted_at", "approved_at", "updated_at"]

    def get_queryset(self):
        wanted = self.wanted_fields() if self.action == "list" else None
        if wanted is not None and not set(wanted) & CONTENT_FIELDS:
            # A brief list reads no answers, values or projects.
            return policies.listed_reports(self.request.user, Report.objects.select_related("unit"))
        if self.action == "list":
            return policies.listed_reports(self.request.user, report_queryset())
        return policies.visible_reports(self.request.user, report_queryset())

    def dispatch(self, request, *args, **kwargs):
        # The audit entries the services write (approvals, returns) record the client's address.
        with acting_as(None, request):
            return super().dispatch(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if not request.successful_authenticator and not request.user.is_authenticated:
            raise NotAuthenticated(
                _("Reports are only available to signed-in users: send your API token in the header "
                  "“Authorization: Token <key>”.")
            )
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc):
        if isinstance(exc, services.ReportError):
            exc = api_error(exc)
        return super().handle_exception(exc)

    def _body(self, report, status_code=status.HTTP_200_OK, headers=None):
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(ReportSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code, headers=headers)

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer

    def _check_may_write(self, report):
        # Readers who can never write this unit's reports are refused before the
        # services look at the report's state, so they get 403 rather than 409.
        if not policies.can_file_for_unit(self.request.user, report.unit):
            raise PermissionDenied(_("You may not change this report."))

    def create(self, request, *args, **kwargs):
        serializer = self._valid(ReportCreateSerializer)
        data = serializer.validated_data
        try:
            with transaction.atomic():
                report = services.start_report(
                    user=request.user, unit=data["province"], year=data["year"], quarter=data["quarter"]
                )
                if {"task_groups", "nodes", "indicator_values", "projects"} & set(data):
                    report = services.save_report(
                        user=request.user, report=report, version=report.version,
                        data=serializer.to_service_data(selectors.report_content(report)),
                    )
        except services.ReportError as error:
            if error.code == "exists":
                existing = self.get_queryset().filter(
                    unit=data["province"], year=data["year"], quarter=data["quarter"]
                ).values_list("pk", flat=True).first()
                if existing is not None:
                    raise PortalError(
                        error.message, code=error.code, status_code=status.HTTP_409_CONFLICT,
                        extra={"report": existing},
                    ) from None
            raise
        location = reverse("api:report-detail", kwargs={"pk": report.pk})
        return self._body(report, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, **kwargs):
        report = self.get_object()
        self._check_may_write(report)
        partial = kwargs.get("partial", False)
        serializer = self._valid(ReportUpdateSerializer if partial else ReportReplaceSerializer)
        data = serializer.to_service_data(selectors.report_content(report), replace=not partial)
        report = services.save_report(
            user=request.user, report=report, version=serializer.validated_data["version"], data=data
        )
        return self._body(report)

    @extend_schema(
        summary="Submit a draft or returned report for review",
        description=(
            "Every task group needs a status and a percent complete. Values that changed a lot since "
            "last quarter answer 400 with an entry of code `needs_confirmation` under each such value "
            "(and one under `non_field_errors`): send again with `confirm_warnings: true` to submit "
            "them as they are."
        ),
        request=SubmitSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=SubmitSerializer)
    def submit(self, request, pk=None):
        report = self.get_object()
        self._check_may_write(report)
        data = self._valid(SubmitSerializer).validated_data
        report = services.submit_report(
            user=request.user, report=report, version=data["version"],
            confirm_warnings=data["confirm_warnings"],
        )
        return self._body(report)

    @extend_schema(
        summary="Remove an evidence file from a draft or returned report",
        description=(
            "Files are uploaded on the report page; the unit's reporter or integrator may take one off "
            "through the API. The stored file is deleted and the report gets a new version and revision. "
            "An `evidence_file` that is not one of the report's files answers 400."
        ),
        request=RemoveEvidenceSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="remove-evidence", serializer_class=RemoveEvidenceSerializer)
    def remove_evidence(self, request, pk=None):
        report = self.get_object()
        self._check_may_write(report)
        data = self._valid(RemoveEvidenceSerializer).validated_data
        report = services.remove_evidence(
            user=request.user, report=report, version=data["version"], evidence_ids=[data["evidence_file"]]
        )
        return self._body(report)

    @extend_schema(
        summary="Approve a submitted report (ministry reviewers)",
        description="Its values then reach the results endpoints and the dashboards.",
        request=ApproveSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ApproveSerializer)
    def approve(self, request, pk=None):
        report = self.get_object()
        data = self._valid(ApproveSerializer).validated_data
        report = services.approve_report(
            user=request.user, report=report, version=data["version"], comment=data.get("comment", "")
        )
        return self._body(report)

    @extend_schema(
        summary="Return a submitted report to its unit (ministry reviewers)",
        description=(
            "The report goes back to its unit as `returned`, with your `comment` and optional comments on single "
            "fields (`field_comments`, by API path); the unit corrects and submits it again."
        ),
        request=ReturnSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        report = self.get_object()
        data = self._valid(ReturnSerializer).validated_data
        report = services.return_report(
            user=request.user, report=report, version=data["version"], comment=data["comment"],
            field_comments=data.get("field_comments"),
        )
        return self._body(report)

    @extend_schema(
        summary="Reopen an approved report for correction (ministry reviewers)",
        description=(
            "The report becomes `returned` with your `reason`; its values leave the results and the dashboards "
            "until it is approved again."
        ),
        request=ReopenSerializer,
        responses={200: ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        report = self.get_object()
        data = self._valid(ReopenSerializer).validated_data
        report = services.reopen_report(
            user=request.user, report=report, version=data["version"], reason=data["reason"]
        )
        return self._body(report)

    @extend_schema(
        summary="The report's history: one entry per save or transition, oldest first",
        description=(
            "Ministry staff and the report's own unit read every entry. Others, who read the report because "
            "it is approved, get its approved (published) entries only, with `actor` null and no comments."
        ),
        request=None,
        responses={200: RevisionSerializer(many=True), **errors(400, 401, 404, 429)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=RevisionSerializer)
    def history(self, request, pk=None):
        # A history has no filters: only the paging parameters.
        check_query_parameters(request, {"page", "page_size", "format"})
        report = self.get_object()
        page = self.paginate_queryset(selectors.revisions_with_changes(request.user, report))
        return self.get_paginated_response(RevisionSerializer(page, many=True).data)



# --- reporting status -----------------------------------------------------------------


class ReportingStatusView(APIView):
    """``GET reporting-status/?year=&quarter=``: the reporting status page's table, for ministry staff.

    One object (the quarter, its counts and a row per unit), not a paginated list.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who has reported on a quarter: each unit's expected report and whether it came",
        description=(
            "One row per unit in force throughout the quarter (the units expected to report), in name order, "
            "with its report's id and status if there is one. For ministry staff (viewers, reviewers, "
            "administrators); a unit's reporters get 403. Without `year` and `quarter`: the last complete quarter."
        ),
        parameters=[ReportingStatusQuerySerializer],
        responses={200: ReportingStatusSerializer, **errors(400, 401, 403, 429)},
    )
    def get(self, request):
        if not policies.can_view_reporting_status(request.user):
            raise PermissionDenied(_("The reporting status page is for ministry staff."))
        check_query_parameters(request, {"year", "quarter", "format"})
        query = ReportingStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        default = Quarter.last_complete(today)
        year = query.validated_data.get("year", default.year)
        quarter = Quarter(year, query.validated_data.get("quarter", default.quarter if year == default.year else 4))
        rows = selectors.reporting_status(quarter, today)
        counts = {name: 0 for name in ("on_time", "late", "missing", "not_due")}
        for row in rows:
            counts[row["status"].replace("-", "_")] += 1
        body = {
            "year": quarter.year, "quarter": quarter.quarter, "due_date": quarter.due_date,
            "counts": {"expected": len(rows), "submitted": counts["on_time"] + counts["late"], **counts},
            "results": rows,
        }
        return Response(ReportingStatusSerializer(body).data)


# --- webhook subscriptions --------------------------------------------------------------


class CanManageWebhooks(BasePermission):
    """The page's rule (``policies.can_manage_webhooks``): integrators and superusers."""

    message = _lazy("Only integrators may manage webhooks.")

    def has_permission(self, request, view):
        return policies.can_manage_webhooks(request.user)


def webhook_error(error):
    """The API exception for a ``ValidationError`` of ``programmes.webhooks``."""
    if error.code == "url":
        return FieldErrors({"url": error.messages})
    if error.code == "events":
        return FieldErrors({"topics": error.messages})
    return PortalError(error.messages[0], code=error.code or "invalid")


WEBHOOK_WRITE_ERRORS = {
    400: OpenApiResponse(
        errors(400)[400].response,
        description=(
            "Nothing was saved. A URL the portal will not post to (not http(s), ambiguous, or a host on a "
            "loopback, private or reserved address) is a field error on `url`, e.g. "
            "`{\"url\": [{\"code\": \"invalid\", \"message\": \"The URL contains a backslash.\"}]}`; an unknown "
            "event type one on `topics`; too many webhooks an entry of code `too_many` under `non_field_errors`."
        ),
    ),
    **errors(401, 403),
}
WEBHOOK_DESCRIPTION = (
    "Webhook subscriptions of integrators (and superusers), with the same rules as the page "
    "/reports/webhooks/. Another user's subscription answers 404."
)


@extend_schema_view(
    list=extend_schema(
        summary="List your webhook subscriptions", description=WEBHOOK_DESCRIPTION,
        responses={200: WebhookSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    ),
    retrieve=extend_schema(
        summary="One webhook subscription",
        description="One of your subscriptions by its `id` (without its secret). Another user's subscription answers 404.",
        responses={200: WebhookSerializer, **errors(401, 403, 404, 429)},
    ),
    create=extend_schema(
        summary="Subscribe a URL to report events",
        description=(
            "The answer holds the signing `secret`, which no other answer shows: keep it. " + WEBHOOK_DESCRIPTION
        ),
        request=WebhookWriteSerializer,
        responses={201: WebhookCreatedSerializer, **WEBHOOK_WRITE_ERRORS, **errors(429)},
    ),
    partial_update=extend_schema(
        summary="Change a subscription's URL or topics",
        description="Checked as at creation; the secret stays the same. " + WEBHOOK_DESCRIPTION,
        request=WebhookWriteSerializer,
        responses={200: WebhookSerializer, **WEBHOOK_WRITE_ERRORS, **errors(404, 429)},
    ),
    destroy=extend_schema(
        summary="Delete a subscription and its delivery log",
        description="The portal stops posting to its URL at once. Another user's subscription answers 404.",
        responses={204: None, **errors(401, 403, 404, 429)},
    ),
)
class WebhookViewSet(
    SparseFields,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    brief_fields = ["id", "url", "is_active"]
    serializer_class = WebhookSerializer
    permission_classes = [IsAuthenticated, CanManageWebhooks]
    parser_classes = [JSONParser]
    # PATCH only: a subscription has nothing a full replacement would add.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [StrictQueryParameters, OrderingFilter]
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return policies.manageable_webhooks(self.request.user, WebhookSubscription.objects.order_by("id"))

    def permission_denied(self, request, message=None, code=None):
        if not request.successful_authenticator and not request.user.is_authenticated:
            raise NotAuthenticated(
                _("Webhooks are only available to signed-in integrators: send your API token in the header "
                  "“Authorization: Token <key>”.")
            )
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError):
            exc = webhook_error(exc)
        return super().handle_exception(exc)

    def _write_data(self, partial):
        serializer = WebhookWriteSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._write_data(partial=False)
        subscription = webhooks.create_subscription(
            user=request.user, url=data["url"], event_types=data.get("topics", ())
        )
        headers = {
            "Location": reverse("api:webhook-detail", kwargs={"pk": subscription.pk}),
            # The secret is in this answer only; no cache may keep it.
            "Cache-Control": "no-store",
        }
        return Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED, headers=headers)

    def update(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = self._write_data(partial=True)
        subscription = webhooks.update_subscription(
            user=request.user, subscription=subscription, url=data.get("url"), event_types=data.get("topics")
        )
        return Response(WebhookSerializer(subscription).data)

    def perform_destroy(self, instance):
        webhooks.delete_subscription(user=self.request.user, subscription=instance)
