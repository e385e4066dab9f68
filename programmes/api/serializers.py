"""Bodies of the programme and report endpoints.

Write serializers only check the shape of a request (types, which keys, no
duplicates) and turn it into the ``data`` dict of ``programmes.services``; the
rules on the values themselves (ranges, required answers, links) are the
services' and come back from them keyed by the same API paths (see
``programmes.api.keys``).
"""
from drf_spectacular.utils import extend_schema_field
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from indicators.models import IndicatorValue
from programmes.api import keys
from programmes.models import (
    Pillar,
    Programme,
    ProgressStatus,
    Report,
    ReportRevision,
    TaskGroup,
    TaskGroupProgress,
)
from provinces.models import AdministrativeUnit

# --- reference data ---------------------------------------------------------------


class PillarSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")

    class Meta:
        model = Pillar
        fields = ["code", "name", "name_vi", "name_en"]


class TaskGroupSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    indicators = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Codes of the task group's indicators."
    )

    class Meta:
        model = TaskGroup
        fields = ["number", "name", "name_vi", "name_en", "indicators"]


class ProgrammeSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", "province", "title", "decision_number", "decision_date", "start_year", "end_year",
            "budget_billion_vnd", "status", "lead_agency", "summary",
        ]


# --- reports: what the API returns --------------------------------------------------


class EvidenceFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")


class TaskGroupProgressSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="task_group.number")
    evidence_links = serializers.SerializerMethodField()
    evidence_files = serializers.SerializerMethodField(
        help_text="Files uploaded on the report page; the API removes them (`remove-evidence/`) but does not upload."
    )

    class Meta:
        model = TaskGroupProgress
        fields = ["number", "status", "percent_complete", "narrative", "evidence_links", "evidence_files"]

    def get_evidence_links(self, progress) -> list[str]:
        return [e.url for e in progress.evidence.all() if e.url]

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_evidence_files(self, progress):
        return [
            {"id": e.pk, "name": e.original_name, "size": e.size} for e in progress.evidence.all() if e.file
        ]


class IndicatorValueSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code")

    class Meta:
        model = IndicatorValue
        fields = ["code", "value", "note"]


class ReportSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    field_comments = serializers.SerializerMethodField(
        help_text="The reviewer's comments on single fields, by API path (e.g. task_groups.3.narrative)."
    )
    task_groups = TaskGroupProgressSerializer(source="progress", many=True, read_only=True)
    indicator_values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "province", "year", "quarter", "status", "version", "is_late",
            "created_at", "updated_at", "submitted_at", "approved_at",
            "review_comment", "field_comments", "task_groups", "indicator_values",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_field_comments(self, report):
        return keys.comments_to_api(report.field_comments)


class RevisionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="User name of who did it (null: the system)."
    )
    field_comments = serializers.SerializerMethodField()
    confirmed_warnings = serializers.SerializerMethodField(
        help_text="Warnings the reporter confirmed with this submission."
    )

    class Meta:
        model = ReportRevision
        fields = [
            "number", "version", "action", "status", "actor", "created_at", "comment",
            "field_comments", "confirmed_warnings",
        ]

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


class TaskGroupProgressInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=9)
    status = serializers.ChoiceField(
        choices=ProgressStatus.choices, required=False, allow_blank=True, allow_null=True
    )
    percent_complete = NumberField(help_text="0 to 100.")
    narrative = _text()
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, allow_empty=True,
        help_text="http(s) links, at most 20; the list replaces the stored links.",
    )

    # Keys a client may echo back from a report it read; they are not written.
    READ_ONLY = {"evidence_files"}


class IndicatorValueInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    value = IndicatorValueField()
    note = _text()

    READ_ONLY = set()


class _ContentListField(serializers.Field):
    """A list of items keyed by ``key_field``, checked item by item.

    Errors are keyed by the item's number or code (as the services' errors are),
    never by list position: ``{"3": {"percent_complete": ["…"]}}``.
    """

    item_serializer = None
    key_field = None
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
                general.append(self.error_messages["not_an_object"] % {"index": index})
                continue
            serializer = self.item_serializer(data=item)
            valid = serializer.is_valid()
            key = serializer.validated_data.get(self.key_field) if valid else None
            if key is None:
                key = self._raw_key(item)
            if key is None:
                general.append(self.error_messages["no_key"] % {"index": index, "key": self.key_field})
                continue
            key = str(key)
            item_errors = dict(serializer.errors) if not valid else {}
            allowed = set(self.item_serializer().fields) | self.item_serializer.READ_ONLY
            for name in sorted(set(item) - allowed):
                item_errors[name] = [self.error_messages["unknown_field"]]
            if key in items or key in errors:
                item_errors.setdefault(self.key_field, []).append(self.error_messages["duplicate"])
            if item_errors:
                errors[key] = item_errors
                continue
            items[key] = {
                name: value for name, value in serializer.validated_data.items() if name != self.key_field
            }
        if general:
            errors["non_field_errors"] = general
        if errors:
            raise serializers.ValidationError(errors)
        return items

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
        if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 9:
            return number
        return None


@extend_schema_field(IndicatorValueInputSerializer(many=True))
class IndicatorValuesField(_ContentListField):
    item_serializer = IndicatorValueInputSerializer
    key_field = "code"

    def _raw_key(self, item):
        code = item.get("code")
        return code if isinstance(code, str) and 0 < len(code) <= 16 else None


VERSION_HELP = "The report's version you read and edited; a stale version gets 409 Conflict."
MAX_VERSION = 2_147_483_647


class ReportContentSerializer(serializers.Serializer):
    task_groups = TaskGroupsField(help_text="Progress per task group, by number.")
    indicator_values = IndicatorValuesField(help_text="Values per indicator, by code.")

    def to_service_data(self, current=None, *, replace=False):
        """The services' ``data`` dict.

        ``replace`` (PUT) empties everything the request leaves out; otherwise
        (PATCH, create) what is left out keeps ``current`` (the report's
        ``report_content``), down to single fields of a task group or indicator.
        """
        current = current or {"task_groups": {}, "indicators": {}}
        given_groups = self.validated_data.get("task_groups", {})
        given_values = self.validated_data.get("indicator_values", {})
        empty_group = {"status": "", "percent_complete": None, "narrative": "", "evidence_links": []}
        empty_value = {"value": None, "note": ""}
        groups, values = {}, {}
        for number, entry in given_groups.items():
            base = empty_group if replace else current["task_groups"].get(number, empty_group)
            groups[int(number)] = {name: entry.get(name, base.get(name)) for name in empty_group}
        for code, entry in given_values.items():
            base = empty_value if replace else current["indicators"].get(code, empty_value)
            values[code] = {name: entry.get(name, base.get(name)) for name in empty_value}
        if replace:
            for number in current["task_groups"]:
                groups.setdefault(int(number), dict(empty_group))
            for code in current["indicators"]:
                values.setdefault(code, dict(empty_value))
        return {"task_groups": groups, "indicators": values}


class ReportCreateSerializer(ReportContentSerializer):
    province = serializers.SlugRelatedField(
        slug_field="slug", queryset=AdministrativeUnit.objects.all(),
        help_text="Slug of the unit the report is for (a unit merged into yours, for quarters before July 2025).",
    )
    year = serializers.IntegerField(min_value=2018, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class ReportUpdateSerializer(ReportContentSerializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)


class ReportReplaceSerializer(ReportUpdateSerializer):
    task_groups = TaskGroupsField(required=True, help_text="Every task group; one left out is emptied.")
    indicator_values = IndicatorValuesField(required=True, help_text="Every value; one left out is removed.")


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    confirm_warnings = serializers.BooleanField(
        default=False, help_text="Confirm the large changes from last quarter the previous attempt reported."
    )


class ApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class ReturnSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    comment = serializers.CharField(allow_blank=True, max_length=10_000, help_text="What the unit should change.")
    field_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2_000), required=False,
        help_text="Comments on single fields by API path, e.g. {\"task_groups.3.narrative\": \"Too short\"}.",
    )

    def validate_field_comments(self, value):
        if len(value) > 200:
            raise serializers.ValidationError(_("Give at most 200 field comments."))
        if any(len(path) > 100 for path in value):
            raise serializers.ValidationError(_("A field path has at most 100 characters."))
        return keys.comments_from_api(value)


class ReopenSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    reason = serializers.CharField(allow_blank=True, max_length=10_000, help_text="Why the report is reopened.")


class RemoveEvidenceSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text=VERSION_HELP)
    evidence_file = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1,
        help_text="The `id` of one of the report's `task_groups[].evidence_files`.",
    )


class ReportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="conflict, invalid_state or exists.")


class ChangeSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="API path of the changed field, e.g. indicator_values.TG5-01.value.")
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    task_group = serializers.IntegerField(required=False)
    indicator = serializers.CharField(required=False)


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
