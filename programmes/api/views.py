"""Task groups, pillars, programmes, and the quarterly reports with their workflow.

Every change to a report goes through ``programmes.services``; who may see what
is ``programmes.policies``. This module only translates between HTTP and them.
"""
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from indicators.models import Indicator, IndicatorValue
from programmes import policies, selectors, services
from programmes.api import keys
from programmes.api.filtersets import ProgrammeFilterSet
from programmes.api.serializers import (
    ApproveSerializer,
    ConflictSerializer,
    PillarSerializer,
    ProgrammeSerializer,
    ReopenSerializer,
    ReportCreateSerializer,
    ReportReplaceSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    ReturnSerializer,
    RevisionSerializer,
    SubmitSerializer,
    TaskGroupSerializer,
)
from programmes.filtersets import ReportFilterSet
from programmes.models import Evidence, Pillar, Programme, Report, TaskGroup, TaskGroupProgress
from smartcity_portal.accounts.services import acting_as
from smartcity_portal.api.exceptions import FieldErrors, PortalError
from smartcity_portal.api.mixins import FilterListOnly
from smartcity_portal.api.parsers import JSONParser
from smartcity_portal.api.schema import errors

LIST_ERRORS = errors(400, 401, 404, 429)
DETAIL_ERRORS = errors(401, 404, 429)

# --- reference data ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the nine task groups of Decision 950/QĐ-TTg", responses={200: TaskGroupSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One task group, by number", responses={200: TaskGroupSerializer, **DETAIL_ERRORS}),
)
class TaskGroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TaskGroup.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("code").only("pk", "code", "task_group_id"))
    )
    serializer_class = TaskGroupSerializer
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    ordering_fields = ["number"]


@extend_schema_view(
    list=extend_schema(summary="List the digital-transformation pillars", responses={200: PillarSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One pillar, by code", responses={200: PillarSerializer, **DETAIL_ERRORS}),
)
class PillarViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Pillar.objects.all()
    serializer_class = PillarSerializer
    lookup_field = "code"
    ordering_fields = ["id", "code"]


@extend_schema_view(
    list=extend_schema(summary="List smart-city programmes of the units", responses={200: ProgrammeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One programme", responses={200: ProgrammeSerializer, **DETAIL_ERRORS}),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Programme.objects.select_related("unit")
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "start_year", "end_year", "title", "decision_date"]


# --- reports ------------------------------------------------------------------------


def report_queryset():
    """Reports with everything their body shows, in a fixed number of queries."""
    return Report.objects.select_related("unit").prefetch_related(
        Prefetch(
            "progress",
            queryset=TaskGroupProgress.objects.select_related("task_group")
            .order_by("task_group__number")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id"))),
        ),
        Prefetch(
            "indicator_values",
            queryset=IndicatorValue.objects.select_related("indicator").order_by("indicator__code"),
        ),
    )


def _plain(number):
    return None if number is None else f"{Decimal(number):f}"


def api_error(error):
    """The API exception for an exception of ``programmes.services``."""
    if isinstance(error, services.ReportConflict):
        changes = []
        for change in error.changes:
            change = dict(change)
            change["path"] = keys.to_dotted(change.pop("key"))
            if change["field"] == "value":
                # The diff normalises numbers ("5E+1"); clients expect plain decimals.
                change["old"], change["new"] = _plain(change["old"]), _plain(change["new"])
            changes.append(change)
        return PortalError(
            error.message, code=error.code, status_code=status.HTTP_409_CONFLICT,
            extra={
                "edited_version": error.edited_version,
                "current_version": error.current_version,
                "changes": changes,
            },
        )
    if isinstance(error, services.ReportInvalid):
        if error.errors:
            return FieldErrors(keys.nest_errors(error.errors))
        return PortalError(
            error.message, code=error.code,
            extra={"warnings": [{"field": keys.to_dotted(w.key), "message": w.message} for w in error.warnings]},
        )
    if isinstance(error, services.ReportStateError):
        return PortalError(error.message, code=error.code, status_code=status.HTTP_409_CONFLICT)
    if error.code == "exists":
        return PortalError(error.message, code=error.code, status_code=status.HTTP_409_CONFLICT)
    return PortalError(error.message, code=error.code)


WRITE_ERRORS = {
    400: OpenApiResponse(
        errors(400)[400].response,
        description=(
            "Invalid contents: field errors by API path, e.g. `{\"task_groups\": {\"3\": {\"percent_complete\": "
            "[…]}}, \"indicator_values\": {\"TG5-01\": {\"value\": […]}}}`; or `{detail, code}` for an "
            "action that is not possible (code `needs_confirmation` comes with `warnings`). Nothing was saved."
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
    "Task groups are identified by `number`, indicator values by `code`; decimal numbers are "
    "returned as strings with their stored precision."
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
    FilterListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    # Contents are nested lists, which only JSON expresses.
    parser_classes = [JSONParser]
    filterset_class = ReportFilterSet
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "quarter", "status", "submitted_at", "approved_at", "updated_at"]

    def get_queryset(self):
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
                if "task_groups" in data or "indicator_values" in data:
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
            "last quarter answer 400 with `code` needs_confirmation and the `warnings`: send again with "
            "`confirm_warnings: true` to submit them as they are."
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
        request=None,
        responses={200: RevisionSerializer(many=True), **errors(401, 404, 429)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=RevisionSerializer)
    def history(self, request, pk=None):
        report = self.get_object()
        page = self.paginate_queryset(selectors.revisions(report))
        return self.get_paginated_response(RevisionSerializer(page, many=True).data)

