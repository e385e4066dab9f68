"""Bodies of the programme and report endpoints.

Write serializers only check the shape of a request (types, which keys, no
duplicates) and turn it into the ``data`` dict of ``programmes.services``; the
rules on the values themselves (ranges, required answers, links) are the
services' and come back from them keyed by the same API paths (see
``programmes.api.keys``).
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from indicators.models import IndicatorValue, NodeKind
from programmes import paths, validation
from programmes.api import keys
from programmes.models import (
    Programme,
    ProgressStatus,
    ProjectStatus,
    PublishedProject,
    Report,
    ReportRevision,
    WebhookSubscription,
)
from programmes.webhooks import EVENT_TYPES
from provinces.models import AdministrativeUnit
from provinces.quarters import FIRST_REPORTING_YEAR
from smartcity_portal.api.schema import AnswerOnly
from smartcity_portal.api.strict import RefuseUnknownFields

# --- reference data ---------------------------------------------------------------


class PillarSerializer(serializers.Serializer):
    """A group of the digital-transformation framework (API v1's pillars)."""

    code = serializers.CharField()
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    name_vi = serializers.CharField()
    name_en = serializers.CharField()


class TaskGroupSerializer(serializers.Serializer):
    """An item of Decision 950 (API v1's task groups)."""

    number = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    indicators = serializers.SerializerMethodField(help_text="Codes of the task group's indicators.")

    def get_number(self, node) -> int:
        return int(node.code)

    def get_indicators(self, node) -> list[str]:
        return sorted(m.indicator.code for m in node.mappings.all())


class ProgrammeSerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", "province", "title", "decision_number", "decision_date", "start_year", "end_year",
            "budget_billion_vnd", "status", "lead_agency", "summary",
        ]


class PublishedProjectSerializer(AnswerOnly, serializers.ModelSerializer):
    """A project as an approved report published it (new in issue 16)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    nodes = serializers.SerializerMethodField(help_text="Framework nodes it is meant to move, as framework:code.")
    indicators = serializers.SerializerMethodField(help_text="Codes of the indicators it is meant to move.")
    asean_city = serializers.SerializerMethodField(help_text="The ASEAN Smart Cities Network city where it applies.")
    as_of = serializers.CharField(source="period_label", read_only=True,
                                  help_text="The quarter of the latest approved report giving its progress, e.g. 2025-Q3.")
    url = serializers.SerializerMethodField(help_text="Its public page.")

    class Meta:
        model = PublishedProject
        fields = [
            "id", "code", "province", "name", "name_vi", "name_en", "lead_agency", "funding_source",
            "total_investment", "start_date", "planned_end_date", "status", "percent_complete", "spending_to_date",
            "as_of", "nodes", "indicators", "asean_city", "url",
        ]

    def get_nodes(self, project) -> list[str]:
        return [node.key for node in project.nodes.all()]

    def get_indicators(self, project) -> list[str]:
        return [indicator.code for indicator in project.indicators.all()]

    def get_asean_city(self, project) -> str | None:
        return project.asean_city.city if project.asean_city else None

    def get_url(self, project) -> str:
        return project.get_absolute_url()


class ProjectQuarterSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="report.year")
    quarter = serializers.IntegerField(source="report.quarter")
    status = serializers.ChoiceField(choices=[("", ""), *ProjectStatus.choices])
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    spending_to_date = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True)


class PublishedProjectDetailSerializer(PublishedProjectSerializer):
    history = serializers.SerializerMethodField(help_text="Its progress in every approved report, oldest first.")

    class Meta(PublishedProjectSerializer.Meta):
        fields = [*PublishedProjectSerializer.Meta.fields, "history"]

    @extend_schema_field(ProjectQuarterSerializer(many=True))
    def get_history(self, project):
        from programmes.projects import project_history

        return ProjectQuarterSerializer(project_history(project.project), many=True).data


# --- reports: what the API returns --------------------------------------------------


class EvidenceFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")


def _evidence_links(answer):
    return [e.url for e in answer.evidence.all() if e.url]


def _public_links(answer):
    return [e.url for e in answer.evidence.all() if e.url and e.is_public]


def _evidence_files(answer):
    return [{"id": e.pk, "name": e.original_name, "size": e.size} for e in answer.evidence.all() if e.file]


PUBLIC_LINKS_HELP = (
    "The evidence links the unit marked public: shown on the report's public page once it is approved. "
    "Each is one of evidence_links."
)


class ProjectProgressSerializer(serializers.Serializer):
    """A project of the unit's register, as a report gives its progress."""

    project = serializers.IntegerField(source="project_id", help_text="The project's id (GET /api/v1/projects/).")
    code = serializers.CharField(source="project.code", help_text="The unit's code of the project.")
    status = serializers.ChoiceField(choices=[("", ""), *ProjectStatus.choices])
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    spending_to_date = serializers.DecimalField(
        max_digits=16, decimal_places=3, allow_null=True, help_text="Billion VND spent so far."
    )
    note = serializers.CharField()


class TaskGroupProgressSerializer(serializers.Serializer):
    """A report's answer for a Decision 950 task group."""

    number = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=[("", ""), *ProgressStatus.choices])
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    narrative = serializers.CharField()
    evidence_links = serializers.SerializerMethodField()
    public_links = serializers.SerializerMethodField(help_text=PUBLIC_LINKS_HELP)
    evidence_files = serializers.SerializerMethodField(
        help_text="Files uploaded on the report page; the API removes them (`remove-evidence/`) but does not upload."
    )

    def get_number(self, answer) -> int:
        return int(answer.node.code)

    def get_evidence_links(self, answer) -> list[str]:
        return _evidence_links(answer)

    def get_public_links(self, answer) -> list[str]:
        return _public_links(answer)

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_evidence_files(self, answer):
        return _evidence_files(answer)


class NodeAnswerSerializer(serializers.Serializer):
    """A report's answer for an item of any framework version in force for its quarter."""

    framework = serializers.CharField(source="node.version.framework.code", help_text="Framework code.")
    version = serializers.CharField(source="node.version.code", help_text="Framework version code.")
    code = serializers.CharField(source="node.code", help_text="The item's code in its version.")
    kind = serializers.ChoiceField(
        source="node.kind", choices=[NodeKind.PROGRESS, NodeKind.CRITERION],
        help_text="progress: status, percent_complete and narrative; criterion: met and narrative.",
    )
    status = serializers.ChoiceField(choices=[("", ""), *ProgressStatus.choices], help_text="Progress items.")
    percent_complete = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Progress items."
    )
    met = serializers.BooleanField(allow_null=True, help_text="Criteria: true (met), false (not met) or null.")
    narrative = serializers.CharField()
    evidence_links = serializers.SerializerMethodField()
    public_links = serializers.SerializerMethodField(help_text=PUBLIC_LINKS_HELP)
    evidence_files = serializers.SerializerMethodField(
        help_text="Files uploaded on the report page (read-only in the API)."
    )

    def get_evidence_links(self, answer) -> list[str]:
        return _evidence_links(answer)

    def get_public_links(self, answer) -> list[str]:
        return _public_links(answer)

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_evidence_files(self, answer):
        return _evidence_files(answer)


class IndicatorValueSerializer(AnswerOnly, serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code")

    class Meta:
        model = IndicatorValue
        fields = ["code", "value", "note"]


class ReportSerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    field_comments = serializers.SerializerMethodField(
        help_text="The reviewer's comments on single fields, by API path (e.g. task_groups.3.narrative)."
    )
    task_groups = serializers.SerializerMethodField(help_text="The answers for Decision 950's task groups.")
    nodes = serializers.SerializerMethodField(
        help_text="Every answer of the report, for each framework version in force for its quarter "
                  "(Decision 950's task groups included)."
    )
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)
    projects = ProjectProgressSerializer(
        source="project_progress", many=True, read_only=True,
        help_text="The progress of the projects of the unit's register that the report gives (new in issue 16).",
    )

    class Meta:
        model = Report
        fields = [
            "id", "province", "year", "quarter", "status", "version", "is_late",
            "created_at", "updated_at", "submitted_at", "approved_at",
            "review_comment", "field_comments", "task_groups", "nodes", "indicator_values", "projects",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_field_comments(self, report):
        return keys.comments_to_api(report.field_comments)

    @extend_schema_field(TaskGroupProgressSerializer(many=True))
    def get_task_groups(self, report):
        answers = [a for a in report.answers.all() if keys.task_group_number(_key(a)) is not None]
        answers.sort(key=lambda a: int(a.node.code))
        return TaskGroupProgressSerializer(answers, many=True).data

    @extend_schema_field(NodeAnswerSerializer(many=True))
    def get_nodes(self, report):
        return NodeAnswerSerializer(report.answers.all(), many=True).data


def _key(answer):
    return paths.node_key(answer.node.version.framework.code, answer.node.code)


class ChangeSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="API path of the changed field, e.g. indicator_values.TG5-01.value.")
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    task_group = serializers.IntegerField(required=False)
    node = serializers.CharField(required=False, help_text="An item of another framework: <framework>:<code>.")
    indicator = serializers.CharField(required=False)
    project = serializers.CharField(required=False, help_text="A project of the unit's register: its id.")
    criterion = serializers.CharField(required=False, help_text="A criterion of an assessment: its code.")


class RevisionSerializer(AnswerOnly, serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="User name of who did it (null: the system)."
    )
    field_comments = serializers.SerializerMethodField()
    confirmed_warnings = serializers.SerializerMethodField(
        help_text="Warnings the reporter confirmed with this submission."
    )
    changes = serializers.SerializerMethodField(
        help_text=(
            "What this entry changed, field by field, from the entry before it in this list "
            "(the first one: from an empty report); the same paths as the 409 conflict's `changes`."
        )
    )

    class Meta:
        model = ReportRevision
        fields = [
            "number", "version", "action", "status", "actor", "created_at", "comment",
            "field_comments", "confirmed_warnings", "changes",
        ]

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, revision):
        return keys.changes_to_api(getattr(revision, "changes", []))

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_field_comments(self, revision):
        return keys.comments_to_api(revision.field_comments)

    @extend_schema_field(
        {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}}
    )
    def get_confirmed_warnings(self, revision):
        return [
            {"field": keys.to_dotted(w.get("field", "")), "message": w.get("message", "")}
            for w in revision.confirmed_warnings or []
        ]


# --- reports: what clients send -------------------------------------------------------


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 40}], "nullable": True,
     "description": "A number, or a string such as \"45.5\" or \"45,5\"; null or \"\" to clear."}
)
class NumberField(serializers.Field):
    """A number as JSON number or text; parsing and ranges are the services' rules."""

    default_error_messages = {"invalid": _("Enter a number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 40:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 40}, {"type": "boolean"}], "nullable": True,
     "description": "A number (text such as \"1,5\" is accepted); for yes/no indicators true/false, "
                    "1/0 or \"có\"/\"không\"; null or \"\" to clear."}
)
class IndicatorValueField(NumberField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        return super().to_internal_value(data)


def _text(**kwargs):
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False, **kwargs
    )


def _links():
    return serializers.ListField(
        child=serializers.CharField(max_length=validation.MAX_LINK_LENGTH), required=False, allow_empty=True,
        max_length=validation.MAX_EVIDENCE_LINKS,
        help_text=f"http(s) links, at most {validation.MAX_EVIDENCE_LINKS}; the list replaces the stored links.",
    )


def _public_links_field():
    return serializers.ListField(
        child=serializers.CharField(max_length=validation.MAX_LINK_LENGTH), required=False, allow_empty=True,
        max_length=validation.MAX_EVIDENCE_LINKS,
        help_text=(
            "Optional: the evidence links to show on the report's public page once it is approved, each one of "
            "the item's evidence_links. Left out, a link kept keeps its flag and a new link is not public."
        ),
    )


class TaskGroupProgressInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, help_text="The task group's number in Decision 950.")
    status = serializers.ChoiceField(
        choices=ProgressStatus.choices, required=False, allow_blank=True, allow_null=True
    )
    percent_complete = NumberField(help_text="0 to 100.")
    narrative = _text(max_length=validation.MAX_NARRATIVE_LENGTH)
    evidence_links = _links()
    public_links = _public_links_field()

    # Keys a client may echo back from a report it read; they are not written.
    READ_ONLY = {"evidence_files"}


class NodeAnswerInputSerializer(serializers.Serializer):
    framework = serializers.SlugField(max_length=64, help_text="Framework code, e.g. decision-950.")
    code = serializers.CharField(max_length=32, help_text="The item's code in the version in force.")
    status = serializers.ChoiceField(
        choices=ProgressStatus.choices, required=False, allow_blank=True, allow_null=True,
        help_text="Progress items only.",
    )
    percent_complete = NumberField(help_text="Progress items only: 0 to 100.")
    met = serializers.BooleanField(required=False, allow_null=True, help_text="Criteria only.")
    narrative = _text(max_length=validation.MAX_NARRATIVE_LENGTH)
    evidence_links = _links()
    public_links = _public_links_field()

    READ_ONLY = {"evidence_files", "version", "kind"}


class IndicatorValueInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    value = IndicatorValueField()
    note = _text(max_length=validation.MAX_NOTE_LENGTH)

    READ_ONLY = set()


class ProjectProgressInputSerializer(serializers.Serializer):
    project = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The project's id.")
    status = serializers.ChoiceField(
        choices=ProjectStatus.choices, required=False, allow_blank=True, allow_null=True
    )
    percent_complete = NumberField(help_text="0 to 100.")
    spending_to_date = NumberField(help_text="Billion VND spent so far, at most three decimals.")
    note = _text(max_length=validation.MAX_NOTE_LENGTH)

    READ_ONLY = {"code"}


class _ContentListField(serializers.Field):
    """A list of items keyed by ``key_field``, checked item by item.

    Errors are keyed by the item's number or code (as the services' errors are),
    never by list position: ``{"3": {"percent_complete": ["…"]}}``.
    """

    item_serializer = None
    key_field = None
    key_fields = ()
    default_error_messages = {
        "not_a_list": _("Expected a list of objects."),
        "not_an_object": _("Item %(index)s is not an object."),
        "no_key": _("Item %(index)s has no valid “%(key)s”."),
        "duplicate": _("Given more than once."),
        "unknown_field": _("Unknown field."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        items, errors, general = {}, {}, []
        for index, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                general.append(self._message("not_an_object", index=index))
                continue
            serializer = self.item_serializer(data=item)
            valid = serializer.is_valid()
            key = self._key(serializer.validated_data) if valid else None
            if key is None:
                key = self._raw_key(item)
            if key is None:
                general.append(self._message("no_key", index=index, key=self.key_field))
                continue
            key = str(key)
            item_errors = dict(serializer.errors) if not valid else {}
            allowed = set(self.item_serializer().fields) | self.item_serializer.READ_ONLY
            for name in sorted(set(item) - allowed):
                item_errors[name] = [self._message("unknown_field")]
            if key in items or key in errors:
                item_errors.setdefault(self.key_field, []).append(self._message("duplicate"))
            if item_errors:
                errors[key] = item_errors
                continue
            items[key] = {
                name: value for name, value in serializer.validated_data.items()
                if name != self.key_field and name not in self.key_fields
            }
        if general:
            errors["non_field_errors"] = general
        if errors:
            raise serializers.ValidationError(errors)
        return items

    def _message(self, code, **params):
        text = self.error_messages[code]
        return ErrorDetail(text % params if params else text, code=code)

    def _key(self, validated):
        return validated.get(self.key_field)

    def _raw_key(self, item):
        raise NotImplementedError

    def to_representation(self, value):
        return value


@extend_schema_field(TaskGroupProgressInputSerializer(many=True))
class TaskGroupsField(_ContentListField):
    item_serializer = TaskGroupProgressInputSerializer
    key_field = "number"

    def _raw_key(self, item):
        number = item.get("number")
        if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
            return number
        return None


@extend_schema_field(NodeAnswerInputSerializer(many=True))
class NodesField(_ContentListField):
    """Answers by framework and code; errors keyed ``<framework>:<code>``."""

    item_serializer = NodeAnswerInputSerializer
    key_field = "code"
    key_fields = ("framework",)

    def _key(self, validated):
        return paths.node_key(validated["framework"], validated["code"])

    def _raw_key(self, item):
        framework, code = item.get("framework"), item.get("code")
        if isinstance(framework, str) and isinstance(code, str) and 0 < len(framework) <= 64 and 0 < len(code) <= 32:
            return paths.node_key(framework, code)
        return None


@extend_schema_field(IndicatorValueInputSerializer(many=True))
class IndicatorValuesField(_ContentListField):
    item_serializer = IndicatorValueInputSerializer
    key_field = "code"

    def _raw_key(self, item):
        code = item.get("code")
        return code if isinstance(code, str) and 0 < len(code) <= 16 else None


@extend_schema_field(ProjectProgressInputSerializer(many=True))
class ProjectsField(_ContentListField):
    item_serializer = ProjectProgressInputSerializer
    key_field = "project"

    def _raw_key(self, item):
        project = item.get("project")
        if isinstance(project, int) and not isinstance(project, bool) and project >= 1:
            return project
        return None


VERSION_HELP = "The report's version you read and edited; a stale version gets 409 Conflict."
MAX_VERSION = 2_147_483_647


PROGRESS_EMPTY = {"status": "", "percent_complete": None, "narrative": "", "evidence_links": []}
CRITERION_EMPTY = {"met": None, "narrative": "", "evidence_links": []}
VALUE_EMPTY = {"value": None, "note": ""}
PROJECT_EMPTY = {"status": "", "percent_complete": None, "spending_to_date": None, "note": ""}
# Stored keys a base entry never carries over: public_links is written only when given.
NOT_CARRIED = {"evidence_files", "public_links"}


class ReportContentSerializer(serializers.Serializer):
    task_groups = TaskGroupsField(help_text="Progress per Decision 950 task group, by number.")
    nodes = NodesField(help_text="Answers per item of any framework in force, by framework and code.")
    indicator_values = IndicatorValuesField(help_text="Values per indicator, by code.")
    projects = ProjectsField(
        help_text="Optional: the progress of projects of the unit's register, by project id. With PUT, given "
                  "projects replace all (one left out is emptied); left out, the projects stay as they are."
    )

    def validate(self, attrs):
        given = {keys.task_group_key(number) for number in attrs.get("task_groups", {})}
        twice = sorted(given & set(attrs.get("nodes", {})))
        if twice:
            raise serializers.ValidationError({"nodes": {key: {"code": [
                _("This item is also in task_groups: give it once.")]} for key in twice}})
        return attrs

    def given_nodes(self):
        """``{node key: given fields}`` from ``task_groups`` and ``nodes``."""
        given = {keys.task_group_key(number): entry for number, entry in self.validated_data.get("task_groups", {}).items()}
        given.update(self.validated_data.get("nodes", {}))
        return given

    def to_service_data(self, current=None, *, replace=False):
        """The services' ``data`` dict.

        ``replace`` (PUT) empties everything the request leaves out; otherwise
        (PATCH, create) what is left out keeps ``current`` (the report's
        ``report_content``), down to single fields of an item or indicator.
        """
        current = current or {paths.NODES: {}, paths.INDICATORS: {}}
        stored_nodes, stored_values = current[paths.NODES], current[paths.INDICATORS]
        nodes, values = {}, {}

        def empty(key):
            return dict(CRITERION_EMPTY if "met" in stored_nodes.get(key, {}) else PROGRESS_EMPTY)

        for key, entry in self.given_nodes().items():
            base = empty(key) if replace else {**empty(key), **stored_nodes.get(key, {})}
            names = [name for name in base if name not in NOT_CARRIED]
            names += [name for name in entry if name not in names]
            nodes[key] = {name: entry.get(name, base.get(name)) for name in names}
        for code, entry in self.validated_data.get("indicator_values", {}).items():
            base = VALUE_EMPTY if replace else stored_values.get(code, VALUE_EMPTY)
            values[code] = {name: entry.get(name, base.get(name)) for name in VALUE_EMPTY}
        if replace:
            for key in stored_nodes:
                nodes.setdefault(key, empty(key))
            for code in stored_values:
                values.setdefault(code, dict(VALUE_EMPTY))
        projects = {}
        if "projects" in self.validated_data:
            stored_projects = current.get(paths.PROJECTS, {})
            for project_id, entry in self.validated_data["projects"].items():
                base = PROJECT_EMPTY if replace else stored_projects.get(project_id, PROJECT_EMPTY)
                projects[project_id] = {name: entry.get(name, base.get(name)) for name in PROJECT_EMPTY}
            if replace:
                for project_id in stored_projects:
                    projects.setdefault(project_id, dict(PROJECT_EMPTY))
        return {paths.NODES: nodes, paths.INDICATORS: values, paths.PROJECTS: projects}


class ReportCreateSerializer(RefuseUnknownFields, ReportContentSerializer):
    # A report read and sent back (id, status, …) is not refused for its read-only fields.
    tolerated = ReportSerializer
    province = serializers.SlugRelatedField(
        slug_field="slug", queryset=AdministrativeUnit.objects.all(),
        help_text="Slug of the unit the report is for (a unit merged into yours, for quarters before July 2025).",
    )
    year = serializers.IntegerField(min_value=FIRST_REPORTING_YEAR, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class ReportUpdateSerializer(RefuseUnknownFields, ReportContentSerializer):
    tolerated = ReportSerializer
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)


class ReportReplaceSerializer(ReportUpdateSerializer):
    task_groups = TaskGroupsField(required=True, help_text="Every task group; one left out is emptied.")
    nodes = NodesField(help_text="Answers of the other frameworks' items; one left out is emptied.")
    indicator_values = IndicatorValuesField(required=True, help_text="Every value; one left out is removed.")


class SubmitSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    confirm_warnings = serializers.BooleanField(
        default=False, help_text="Confirm the large changes from last quarter the previous attempt reported."
    )


class ApproveSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=validation.MAX_COMMENT_LENGTH)


class ReturnSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    comment = serializers.CharField(
        allow_blank=True, max_length=validation.MAX_COMMENT_LENGTH, help_text="What the unit should change."
    )
    field_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=validation.MAX_FIELD_COMMENT_LENGTH), required=False,
        help_text="Comments on single fields by API path, e.g. {\"task_groups.3.narrative\": \"Too short\"}.",
    )

    def validate_field_comments(self, value):
        if len(value) > validation.MAX_FIELD_COMMENTS:
            raise serializers.ValidationError(
                _("Give at most %(max)d field comments.") % {"max": validation.MAX_FIELD_COMMENTS}
            )
        if any(len(path) > 100 for path in value):
            raise serializers.ValidationError(_("A field path has at most 100 characters."))
        return keys.comments_from_api(value)


class ReopenSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    reason = serializers.CharField(
        allow_blank=True, max_length=validation.MAX_COMMENT_LENGTH, help_text="Why the report is reopened."
    )


class RemoveEvidenceSerializer(RefuseUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    evidence_file = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1,
        help_text="The `id` of one of the report's `task_groups[].evidence_files`.",
    )


class ReportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="conflict, invalid_state or exists.")


class ConflictSerializer(ReportErrorSerializer):
    """409: ``conflict`` carries the versions and changes; ``exists`` the report's id."""

    edited_version = serializers.IntegerField(required=False, help_text="conflict: the version the request named.")
    current_version = serializers.IntegerField(
        required=False, help_text="conflict: the report's version now; read it again."
    )
    changes = ChangeSerializer(
        many=True, required=False, help_text="conflict: what changed since the version the request named."
    )
    report = serializers.IntegerField(required=False, help_text="exists: the id of the quarter's report.")


# --- reporting status ---------------------------------------------------------------------


class ReportingStatusQuerySerializer(serializers.Serializer):
    """``?year=&quarter=`` of ``reporting-status/``: the last complete quarter by default."""

    year = serializers.IntegerField(
        required=False, min_value=FIRST_REPORTING_YEAR, max_value=2100, help_text="Year of the quarter."
    )
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4, help_text="Quarter, 1 to 4.")


class ReportingStatusRowSerializer(serializers.Serializer):
    province = serializers.CharField(source="unit.slug", help_text="Slug of the unit expected to report.")
    code = serializers.CharField(source="unit.code", help_text="Statistics code of the unit.")
    name = serializers.CharField(source="unit.name", help_text="Name of the unit, in the language asked for.")
    region = serializers.CharField(source="unit.region.slug", allow_null=True)
    status = serializers.ChoiceField(
        choices=["on-time", "late", "missing", "not-due"],
        help_text=(
            "on-time / late: first submitted before / after the due date (whatever happened since); "
            "missing: the due date passed and nothing was submitted; not-due: not submitted, the due date is ahead."
        ),
    )
    report = serializers.IntegerField(source="report.pk", allow_null=True, help_text="Id of the quarter's report, if any.")
    report_status = serializers.CharField(
        source="report.status", allow_null=True, help_text="Workflow status of that report (draft, submitted, …)."
    )
    first_submitted_at = serializers.DateTimeField(source="report.first_submitted_at", allow_null=True)


class ReportingStatusCountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="on-time + late.")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    not_due = serializers.IntegerField()


class ReportingStatusSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    due_date = serializers.DateField(help_text="Reports on the quarter are due by this day.")
    counts = ReportingStatusCountsSerializer()
    results = ReportingStatusRowSerializer(many=True, help_text="One row per unit in force throughout the quarter.")


# --- webhook subscriptions --------------------------------------------------------------

TOPICS_HELP = f"Event types to receive ({', '.join(EVENT_TYPES)}); empty: all of them."


class WebhookSerializer(AnswerOnly, serializers.ModelSerializer):
    """A subscription as lists and reads show it: never its secret."""

    topics = serializers.ListField(
        source="events", child=serializers.ChoiceField(choices=EVENT_TYPES), read_only=True, help_text=TOPICS_HELP
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "topics", "is_active", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The key of X-Portal-Signature (HMAC-SHA256). Returned in this answer only: keep it now.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookWriteSerializer(RefuseUnknownFields, serializers.Serializer):
    """What a client sends; whether the portal will post to the URL is the service's rule."""

    tolerated = WebhookSerializer

    url = serializers.CharField(
        max_length=500,
        help_text="An http(s) URL whose host is, or resolves to, public addresses only; use https.",
    )
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), required=False, max_length=20,
        help_text=TOPICS_HELP,
    )
