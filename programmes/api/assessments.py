"""``/api/v1/assessments/``: maturity self-assessments and their verification.

The same roles, scopes, 404 rules, optimistic locking and error bodies as
``/api/v1/reports/`` (``programmes.api.views``): every change goes through
``programmes.assessments``, every permission question through
``programmes.policies``. Criteria are named by their code in the framework
version; error bodies nest field paths (``{"criteria": {"A1": {"met": […]}}}``).
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from indicators.models import Framework, FrameworkVersion, IndicatorMapping
from indicators.results.maturity import summary_of
from programmes import assessment_selectors, assessments, paths, policies, validation
from programmes.api import keys
from programmes.api.serializers import (
    MAX_VERSION,
    ApproveSerializer,
    ChangeSerializer,
    ConflictSerializer,
    EvidenceFileSerializer,
    ReopenSerializer,
    ReturnSerializer,
    _ContentListField,
)
from programmes.api.views import api_error
from programmes.filtersets import AssessmentFilterSet
from programmes.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentRevision,
    CriterionAnswer,
)
from programmes.services import ReportError
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR
from smartcity_portal.accounts.services import acting_as
from smartcity_portal.api.exceptions import PortalError
from smartcity_portal.api.mixins import FilterListOnly, LastModified, SparseFields
from smartcity_portal.api.parsers import JSONParser
from smartcity_portal.api.schema import AnswerOnly, errors
from smartcity_portal.api.strict import RefuseUnknownFields, check_query_parameters

VERSION_HELP = "The assessment's version you read and edited; a stale version gets 409 Conflict."


# --- what the API returns ----------------------------------------------------------------------------


class MeasuredSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Indicator code.")
    value = serializers.CharField(allow_null=True, help_text="The unit's latest approved value of the year.")
    quarter = serializers.CharField(allow_null=True, help_text="The quarter of that value, e.g. 2026-Q3.")
    threshold = serializers.CharField(help_text="e.g. \">= 50\".")
    met = serializers.BooleanField()


class CriterionSerializer(serializers.Serializer):
    """An assessment's answer for one criterion of its version, with the reviewer's decision."""

    code = serializers.CharField(source="node.code")
    name = serializers.CharField(source="node.name", help_text="In the language of Accept-Language.")
    name_vi = serializers.CharField(source="node.name_vi")
    name_en = serializers.CharField(source="node.name_en")
    level = serializers.IntegerField(source="node.level", allow_null=True)
    basic = serializers.BooleanField(source="node.basic", help_text="Basic criteria are always assessed.")
    assessed = serializers.SerializerMethodField(help_text="Basic, or chosen by the unit.")
    met = serializers.BooleanField(allow_null=True)
    explanation = serializers.CharField()
    evidence_links = serializers.SerializerMethodField()
    evidence_files = serializers.SerializerMethodField(help_text="Uploaded on the assessment page.")
    measured = serializers.SerializerMethodField(
        help_text="For a criterion measured by indicator thresholds: the approved values that decide `met` "
                  "(which the unit cannot change); null otherwise."
    )
    accepted = serializers.BooleanField(allow_null=True, help_text="The reviewer's decision; null: not decided.")
    comment = serializers.CharField(help_text="The reviewer's comment on the decision.")

    def get_assessed(self, answer) -> bool:
        return assessment_selectors.is_assessed(answer)

    def get_evidence_links(self, answer) -> list[str]:
        return [e.url for e in answer.evidence.all() if e.url]

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_evidence_files(self, answer):
        return [{"id": e.pk, "name": e.original_name, "size": e.size} for e in answer.evidence.all() if e.file]

    @extend_schema_field(MeasuredSerializer(many=True, allow_null=True))
    def get_measured(self, answer):
        if not assessment_selectors.is_measured(answer.node):
            return None
        return answer.measured or []


class LevelCountSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    met = serializers.IntegerField(help_text="Criteria of this level verified met (answered met and accepted).")
    assessed = serializers.IntegerField(help_text="Criteria of this level assessed.")


class AssessmentSerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    framework = serializers.CharField(source="framework_version.framework.code")
    framework_version = serializers.CharField(source="framework_version.code")
    illustrative = serializers.BooleanField(
        source="framework_version.is_illustrative", help_text="An illustrative version is not official content."
    )
    field_comments = serializers.SerializerMethodField(
        help_text="The reviewer's comments on single fields, by API path (e.g. criteria.A1)."
    )
    chosen = serializers.SerializerMethodField(help_text="Codes of the optional criteria the unit assesses.")
    level_reached = serializers.SerializerMethodField(
        help_text="Of an approved assessment, the level its verified criteria reach (0: none); null otherwise."
    )
    levels = serializers.SerializerMethodField(help_text="The version's levels, with the criteria verified met.")
    criteria = serializers.SerializerMethodField(help_text="Every criterion of the version, assessed or not.")

    class Meta:
        model = Assessment
        fields = [
            "id", "province", "framework", "framework_version", "illustrative", "year", "status", "version",
            "created_at", "updated_at", "submitted_at", "approved_at", "review_comment", "field_comments",
            "chosen", "level_reached", "levels", "criteria",
        ]

    def _summary(self, assessment):
        if not hasattr(assessment, "_level_summary"):
            assessment._level_summary = summary_of(
                assessment.answers.all(), assessment.framework_version.levels.all()
            )
        return assessment._level_summary

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_field_comments(self, assessment):
        return keys.comments_to_api(assessment.field_comments)

    def get_chosen(self, assessment) -> list[str]:
        return [a.node.code for a in assessment.answers.all() if a.chosen and not a.node.basic]

    def get_level_reached(self, assessment) -> int | None:
        if assessment.status != "approved":
            return None
        return self._summary(assessment).level

    @extend_schema_field(LevelCountSerializer(many=True))
    def get_levels(self, assessment):
        counts = {row["level"]: row for row in self._summary(assessment).per_level}
        return [
            {"number": lv.number, "name": lv.name, "name_vi": lv.name_vi, "name_en": lv.name_en,
             "met": counts.get(lv.number, {}).get("met", 0), "assessed": counts.get(lv.number, {}).get("assessed", 0)}
            for lv in assessment.framework_version.levels.all()
        ]

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, assessment):
        return CriterionSerializer(assessment.answers.all(), many=True).data


class AssessmentRevisionSerializer(AnswerOnly, serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="User name of who did it (null: the system)."
    )
    field_comments = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(
        help_text="What this entry changed, field by field, from the entry before it in this list."
    )

    class Meta:
        model = AssessmentRevision
        fields = [
            "number", "version", "action", "status", "actor", "created_at", "comment", "field_comments", "changes",
        ]

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, revision):
        return keys.changes_to_api(getattr(revision, "changes", []))

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_field_comments(self, revision):
        return keys.comments_to_api(revision.field_comments)


# --- what clients send ---------------------------------------------------------------------------------


class AssessmentCreateSerializer(RefuseUnknownFields, serializers.Serializer):
    tolerated = AssessmentSerializer

    province = serializers.SlugRelatedField(
        slug_field="slug", queryset=AdministrativeUnit.objects.all(), help_text="Slug of the unit assessed.",
    )
    framework = serializers.SlugField(max_length=64, help_text="Framework code.")
    framework_version = serializers.SlugField(
        max_length=64, required=False,
        help_text="Version code; by default the latest version of the framework in force in the year.",
    )
    year = serializers.IntegerField(min_value=FIRST_REPORTING_YEAR, max_value=2100)
    chosen = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=500,
        help_text="Codes of the optional criteria the unit assesses.",
    )

    def validate(self, attrs):
        framework = Framework.objects.filter(code=attrs["framework"]).first()
        if framework is None:
            raise serializers.ValidationError(
                {"framework": [_("There is no framework %(code)s.") % {"code": attrs["framework"]}]}
            )
        code = attrs.get("framework_version")
        if code:
            version = FrameworkVersion.objects.select_related("framework").filter(framework=framework, code=code).first()
            if version is None:
                raise serializers.ValidationError({"framework_version": [
                    _("%(framework)s has no version %(code)s.") % {"framework": framework.code, "code": code}
                ]})
        else:
            version = assessment_selectors.version_for_year(framework.code, attrs["year"])
            if version is None:
                raise serializers.ValidationError({"framework_version": [
                    _("No version of %(framework)s is assessed by maturity level in %(year)s.")
                    % {"framework": framework.code, "year": attrs["year"]}
                ]})
        attrs["version"] = version
        return attrs


class CriterionInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="The criterion's code in the framework version.")
    met = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="Not for a criterion measured by indicator thresholds (its answer comes from approved values).",
    )
    explanation = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False,
        max_length=validation.MAX_EXPLANATION_LENGTH,
    )
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=validation.MAX_LINK_LENGTH), required=False, allow_empty=True,
        max_length=validation.MAX_EVIDENCE_LINKS,
        help_text=f"http(s) links, at most {validation.MAX_EVIDENCE_LINKS}; the list replaces the stored links.",
    )

    # Keys a client may echo back from an assessment it read; they are not written.
    READ_ONLY = {"name", "name_vi", "name_en", "level", "basic", "assessed", "evidence_files", "measured",
                 "accepted", "comment"}


@extend_schema_field(CriterionInputSerializer(many=True))
class CriteriaField(_ContentListField):
    item_serializer = CriterionInputSerializer
    key_field = "code"

    def _raw_key(self, item):
        code = item.get("code")
        return code if isinstance(code, str) and 0 < len(code) <= 32 else None


class DecisionInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    accepted = serializers.BooleanField(help_text="true: accepted; false: rejected (a comment is required).")
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=validation.MAX_FIELD_COMMENT_LENGTH, trim_whitespace=False,
    )

    READ_ONLY = set()


@extend_schema_field(DecisionInputSerializer(many=True))
class DecisionsField(CriteriaField):
    item_serializer = DecisionInputSerializer


class AssessmentUpdateSerializer(RefuseUnknownFields, serializers.Serializer):
    tolerated = AssessmentSerializer

    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    chosen = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=500,
        help_text="Codes of the optional criteria the unit assesses; the list replaces the stored one.",
    )
    criteria = CriteriaField(help_text="Answers by criterion code; only what is named changes.")

    def to_service_data(self):
        data = {}
        if "chosen" in self.validated_data:
            data[paths.CHOSEN] = self.validated_data["chosen"]
        if "criteria" in self.validated_data:
            data[paths.CRITERIA] = self.validated_data["criteria"]
        return data


class AssessmentSubmitSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)


class VerifySerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    decisions = DecisionsField(required=True, help_text="One decision per criterion decided now.")

    def to_service_data(self):
        return [{"code": code, **entry} for code, entry in self.validated_data["decisions"].items()]


# --- the endpoint ----------------------------------------------------------------------------------------


def assessment_queryset():
    """Assessments with everything their body shows, in a fixed number of queries."""
    return Assessment.objects.select_related("unit", "framework_version__framework").prefetch_related(
        "framework_version__levels",
        Prefetch(
            "answers",
            queryset=CriterionAnswer.objects.select_related("node").order_by("node__order").prefetch_related(
                Prefetch("evidence", queryset=AssessmentEvidence.objects.order_by("id")),
                Prefetch("node__mappings", queryset=IndicatorMapping.objects.exclude(threshold_operator="")),
            ),
        ),
    )


WRITE_ERRORS = {
    400: OpenApiResponse(
        errors(400)[400].response,
        description=(
            "Invalid contents: per field, a list of `{code, message}` by API path, e.g. `{\"criteria\": "
            "{\"A1\": {\"met\": [{\"code\": \"no_evidence\", \"message\": \"A criterion without evidence is not "
            "met…\"}]}}}`; an assessment that cannot be made is an entry under `non_field_errors` "
            "(`year_not_begun`, `unit_not_in_force`, `version_not_in_force`, `not_assessable`). Nothing was saved."
        ),
    ),
    **errors(401, 403, 404),
    409: OpenApiResponse(
        ConflictSerializer,
        description=(
            "`code` conflict: someone saved the assessment after the `version` you sent (`current_version`, "
            "`changes`); `invalid_state`: its status does not allow this action (e.g. verifying a draft); "
            "`exists`: the unit already has an assessment for that year and version (`assessment`: its id)."
        ),
    ),
    **errors(429),
}
DESCRIPTION = (
    "Ministry staff read every assessment; a unit's reporter or integrator reads its unit's (and those of the "
    "units merged into it) and the approved assessments of others; anonymous requests get 401. An assessment "
    "you may not read answers 404."
)


@extend_schema_view(
    list=extend_schema(summary="List the maturity assessments you may read", description=DESCRIPTION,
                       responses={200: AssessmentSerializer(many=True), **errors(400, 401, 404, 429)}),
    retrieve=extend_schema(summary="One maturity assessment",
                           description=(
                               "Every criterion of the version with the unit's answer and the reviewer's decision, "
                               "the levels and, once approved, the level reached. An assessment you may not read "
                               "answers 404."
                           ),
                           responses={200: AssessmentSerializer, **errors(401, 404, 429)}),
    create=extend_schema(
        summary="Start the self-assessment of a unit for a year",
        description=(
            "For a unit in force at the end of the year, a year that has begun, and a framework version "
            "assessed by maturity level in force that year; one per unit, year and version."
        ),
        request=AssessmentCreateSerializer, responses={201: AssessmentSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Choose optional criteria and answer criteria of a draft or returned assessment",
        description="Only what the body names changes. \"met\" needs evidence (a link, or a file uploaded on the page).",
        request=AssessmentUpdateSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    ),
)
class AssessmentViewSet(
    SparseFields,
    LastModified,
    FilterListOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    brief_fields = ["id", "province", "framework", "year", "status", "version", "updated_at"]
    serializer_class = AssessmentSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    filterset_class = AssessmentFilterSet
    # PATCH only: an assessment is changed by what a request names.
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "year", "status", "submitted_at", "approved_at", "updated_at"]

    def get_queryset(self):
        queryset = assessment_queryset().order_by("-year", "unit__name_vi", "pk")
        if self.action == "list":
            return policies.listed_assessments(self.request.user, queryset)
        return policies.visible_assessments(self.request.user, queryset)

    def dispatch(self, request, *args, **kwargs):
        with acting_as(None, request):
            return super().dispatch(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if not request.successful_authenticator and not request.user.is_authenticated:
            raise NotAuthenticated(
                _("Assessments are only available to signed-in users: send your API token in the header "
                  "“Authorization: Token <key>”.")
            )
        super().permission_denied(request, message=message, code=code)

    def handle_exception(self, exc):
        if isinstance(exc, ReportError):
            exc = api_error(exc)
        return super().handle_exception(exc)

    def _body(self, assessment, status_code=status.HTTP_200_OK, headers=None):
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code, headers=headers)

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer

    def _check_may_write(self, assessment):
        # Readers who can never write this unit's assessments get 403 before the state is looked at (409).
        if not policies.can_file_assessment(self.request.user, assessment.unit):
            raise PermissionDenied(_("You may not change this assessment."))

    def create(self, request, *args, **kwargs):
        data = self._valid(AssessmentCreateSerializer).validated_data
        try:
            assessment = assessments.start_assessment(
                user=request.user, unit=data["province"], framework_version=data["version"], year=data["year"],
                chosen=data.get("chosen", ()),
            )
        except ReportError as error:
            if error.code == "exists":
                existing = self.get_queryset().filter(
                    unit=data["province"], framework_version=data["version"], year=data["year"]
                ).values_list("pk", flat=True).first()
                if existing is not None:
                    raise PortalError(error.message, code=error.code, status_code=status.HTTP_409_CONFLICT,
                                      extra={"assessment": existing}) from None
            raise
        location = reverse("api:assessment-detail", kwargs={"pk": assessment.pk})
        return self._body(assessment, status.HTTP_201_CREATED, {"Location": location})

    def update(self, request, *args, **kwargs):
        assessment = self.get_object()
        self._check_may_write(assessment)
        serializer = self._valid(AssessmentUpdateSerializer)
        assessment = assessments.save_assessment(
            user=request.user, assessment=assessment, version=serializer.validated_data["version"],
            data=serializer.to_service_data(),
        )
        return self._body(assessment)

    @extend_schema(
        summary="Submit a draft or returned assessment for verification",
        description="Every assessed criterion needs an answer, and \"met\" needs evidence.",
        request=AssessmentSubmitSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=AssessmentSubmitSerializer)
    def submit(self, request, pk=None):
        assessment = self.get_object()
        self._check_may_write(assessment)
        data = self._valid(AssessmentSubmitSerializer).validated_data
        assessment = assessments.submit_assessment(user=request.user, assessment=assessment, version=data["version"])
        return self._body(assessment)

    @extend_schema(
        summary="Accept or reject criteria of a submitted assessment (ministry reviewers)",
        description="A rejection needs a `comment`. Criteria not named keep their decision.",
        request=VerifySerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=VerifySerializer)
    def verify(self, request, pk=None):
        assessment = self.get_object()
        serializer = self._valid(VerifySerializer)
        assessment = assessments.verify_assessment(
            user=request.user, assessment=assessment, version=serializer.validated_data["version"],
            decisions=serializer.to_service_data(),
        )
        return self._body(assessment)

    @extend_schema(
        summary="Return a submitted assessment to its unit (ministry reviewers)",
        description="It goes back to its unit as `returned` with your `comment` and optional `field_comments`.",
        request=ReturnSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        assessment = self.get_object()
        data = self._valid(ReturnSerializer).validated_data
        assessment = assessments.return_assessment(
            user=request.user, assessment=assessment, version=data["version"], comment=data["comment"],
            field_comments=data.get("field_comments"),
        )
        return self._body(assessment)

    @extend_schema(
        summary="Approve a submitted assessment whose every criterion was decided (ministry reviewers)",
        description="Its level is then computed and published on /api/v1/maturity/.",
        request=ApproveSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ApproveSerializer)
    def approve(self, request, pk=None):
        assessment = self.get_object()
        data = self._valid(ApproveSerializer).validated_data
        assessment = assessments.approve_assessment(
            user=request.user, assessment=assessment, version=data["version"], comment=data.get("comment", ""),
        )
        return self._body(assessment)

    @extend_schema(
        summary="Reopen an approved assessment for correction (ministry reviewers)",
        description="It becomes `returned` with your `reason`; its level leaves `maturity/` until it is approved again.",
        request=ReopenSerializer, responses={200: AssessmentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        assessment = self.get_object()
        data = self._valid(ReopenSerializer).validated_data
        assessment = assessments.reopen_assessment(
            user=request.user, assessment=assessment, version=data["version"], reason=data["reason"],
        )
        return self._body(assessment)

    @extend_schema(
        summary="The assessment's history: one entry per save, decision and transition, oldest first",
        description=(
            "Ministry staff and the assessment's own unit read every entry; others, who read it because it is "
            "approved, its approved entries only, with `actor` null and no comments."
        ),
        request=None, responses={200: AssessmentRevisionSerializer(many=True), **errors(400, 401, 404, 429)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=AssessmentRevisionSerializer)
    def history(self, request, pk=None):
        from programmes.selectors import revisions_with_changes

        # A history has no filters: only the paging parameters.
        check_query_parameters(request, {"page", "page_size", "format"})
        assessment = self.get_object()
        page = self.paginate_queryset(revisions_with_changes(request.user, assessment))
        return self.get_paginated_response(AssessmentRevisionSerializer(page, many=True).data)

