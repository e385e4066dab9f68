from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators import selectors as reference
from indicators.models import (
    Cycle,
    FrameworkStatus,
    Indicator,
    IndicatorResult,
    NodeKind,
    NodeResult,
)
from smartcity_portal.api.schema import AnswerOnly


class IndicatorNodeSerializer(serializers.Serializer):
    """A framework node an indicator counts toward."""

    framework = serializers.CharField(source="node.version.framework.code")
    version = serializers.CharField(source="node.version.code")
    code = serializers.CharField(source="node.code")
    name = serializers.CharField(source="node.name", help_text="The node's name in the language of Accept-Language.")
    relation = serializers.CharField(help_text="exact, partial or proxy.")
    threshold = serializers.CharField(help_text="For a criterion: the value that meets it, e.g. \">= 10\"; or \"\".")


class IndicatorSerializer(AnswerOnly, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of Accept-Language.")
    task_group = serializers.SerializerMethodField(
        help_text="Decision 950 task group number; null for an indicator counted toward no task group."
    )
    pillar = serializers.SerializerMethodField(help_text="Code of the digital-transformation pillar, or null.")
    nodes = serializers.SerializerMethodField(help_text="Every framework node the indicator counts toward.")

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "name_vi", "name_en", "task_group", "pillar", "unit", "value_type",
            "direction", "rollup", "cumulative", "is_active", "nodes",
        ]

    def get_task_group(self, indicator) -> int | None:
        node = reference.home_node(indicator.mappings.all(), reference.DEFAULT_FRAMEWORK)
        return int(node.code) if node is not None and node.code.isdigit() else None

    def get_pillar(self, indicator) -> str | None:
        node = reference.home_node(indicator.mappings.all(), reference.PILLARS_FRAMEWORK)
        return None if node is None else node.code

    @extend_schema_field(IndicatorNodeSerializer(many=True))
    def get_nodes(self, indicator):
        return IndicatorNodeSerializer(indicator.mappings.all(), many=True).data


class ResultSerializer(AnswerOnly, serializers.ModelSerializer):
    province = serializers.SlugRelatedField(source="unit", slug_field="slug", read_only=True)
    units_reporting = serializers.IntegerField(
        read_only=True, help_text="How many units' approved reports make up the figure."
    )
    updated_at = serializers.DateTimeField(
        source="computed_at", read_only=True,
        help_text="When the row was last written (the filter updated_after compares with it); same as computed_at.",
    )


class ProgressResultSerializer(ResultSerializer):
    task_group = serializers.SerializerMethodField(help_text="Decision 950 task group number; null for other frameworks.")
    framework = serializers.CharField(source="node.version.framework.code", read_only=True)
    version = serializers.CharField(source="node.version.code", read_only=True)
    node = serializers.CharField(source="node.code", read_only=True, help_text="The item's code in its version.")

    class Meta:
        model = NodeResult
        fields = [
            "id", "boundaries", "province", "year", "quarter", "task_group", "percent_complete",
            "units_reporting", "computed_at", "framework", "version", "node", "met", "updated_at",
        ]

    def get_task_group(self, result) -> int | None:
        node = result.node
        if node.version.framework.code == reference.DEFAULT_FRAMEWORK and node.code.isdigit():
            return int(node.code)
        return None


class IndicatorResultSerializer(ResultSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IndicatorResult
        fields = [
            "id", "boundaries", "province", "year", "quarter", "indicator", "value",
            "units_reporting", "computed_at", "updated_at",
        ]


class FrameworkVersionSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    source_number = serializers.CharField(help_text="Number of the issuing document, e.g. 950/QĐ-TTg.")
    source_date = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=FrameworkStatus.choices)
    cycle = serializers.ChoiceField(choices=Cycle.choices)
    item_kind = serializers.ChoiceField(choices=NodeKind.choices, help_text="What a report says about each item.")
    is_illustrative = serializers.BooleanField(help_text="Not official content.")
    node_count = serializers.IntegerField()


class FrameworkSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField(help_text="The name in the language of Accept-Language.")
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    issuer = serializers.CharField()
    versions = FrameworkVersionSummarySerializer(many=True, help_text="Newest first.")


class MappedIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code")
    relation = serializers.CharField()
    threshold = serializers.CharField(help_text="For a criterion: the value that meets it, e.g. \">= 10\"; or \"\".")


class LevelSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()


class FrameworkNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="The name in the language of Accept-Language.")
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=NodeKind.choices)
    level = serializers.IntegerField(allow_null=True)
    basic = serializers.BooleanField()
    indicators = MappedIndicatorSerializer(source="mappings.all", many=True)
    children = serializers.SerializerMethodField(help_text="The nodes under this one (groups only).")

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/FrameworkNode"}})
    def get_children(self, node):
        return FrameworkNodeSerializer(getattr(node, "tree_children", []), many=True, context=self.context).data


class VersionNodesSerializer(serializers.Serializer):
    framework = serializers.CharField(source="version.framework.code")
    version = serializers.CharField(source="version.code")
    status = serializers.CharField(source="version.status")
    levels = LevelSerializer(many=True)
    nodes = FrameworkNodeSerializer(many=True, help_text="The top-level nodes, each with its children.")
