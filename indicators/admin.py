from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators import frameworks
from indicators.models import (
    DataRelease,
    DataReleaseFile,
    Framework,
    FrameworkLevel,
    FrameworkNode,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    IndicatorResult,
    IndicatorValue,
    Job,
    MaturityResult,
    NodeResult,
    StandardDocument,
    Target,
)
from programmes.admin import ViewOnlyAdmin, ViewOnlyTabularInline


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_vi", "value_type", "rollup", "cumulative", "is_active"]
    list_display_links = ["code", "name_vi"]
    list_filter = ["is_active", "value_type", "rollup", "cumulative", "mappings__node__version__framework"]
    search_fields = ["code", "name_vi", "name_en"]


class TargetScopeListFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("national", _("national")), ("unit", _("one unit"))]

    def queryset(self, request, queryset):
        if self.value() == "national":
            return queryset.filter(unit__isnull=True)
        if self.value() == "unit":
            return queryset.filter(unit__isnull=False)
        return queryset


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "year", "unit", "value"]
    list_filter = [TargetScopeListFilter, "year"]
    list_select_related = ["indicator", "unit"]
    search_fields = ["indicator__code", "indicator__name_vi", "unit__name_vi", "unit__name_en"]
    autocomplete_fields = ["indicator", "unit"]


# --- frameworks -------------------------------------------------------------------------------


class FrozenVersionMixin:
    """Levels, nodes and mappings of an active or retired version are read-only: a change is a new version."""

    def _version_of(self, obj):
        raise NotImplementedError

    def _frozen(self, obj):
        version = self._version_of(obj) if obj is not None else None
        return version is not None and version.is_frozen

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)

    def has_add_permission(self, request, *args):
        # ModelAdmin passes the request alone; an inline passes the parent object too.
        obj = args[0] if args else None
        return super().has_add_permission(request, *args) and not self._frozen(obj)


class MappingInline(FrozenVersionMixin, admin.TabularInline):
    model = IndicatorMapping
    extra = 0
    fields = ["indicator", "relation", "threshold_operator", "threshold_value"]
    autocomplete_fields = ["indicator"]

    def _version_of(self, obj):
        return obj.version


class LevelInline(FrozenVersionMixin, admin.TabularInline):
    model = FrameworkLevel
    extra = 0

    def _version_of(self, obj):
        return obj


class NodeInline(FrozenVersionMixin, admin.TabularInline):
    model = FrameworkNode
    extra = 0
    fields = ["order", "code", "name_vi", "name_en", "kind", "parent", "level", "basic"]
    show_change_link = True
    fk_name = "version"

    def _version_of(self, obj):
        return obj

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and "parent" in formset.form.base_fields:
            formset.form.base_fields["parent"].queryset = FrameworkNode.objects.filter(version=obj)
        return formset


class VersionInline(admin.TabularInline):
    model = FrameworkVersion
    extra = 0
    fields = ["code", "status", "valid_from", "valid_until", "cycle"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_vi", "issuer"]
    search_fields = ["code", "name_vi", "name_en"]
    inlines = [VersionInline]


class FrameworkVersionForm(forms.ModelForm):
    class Meta:
        model = FrameworkVersion
        fields = [
            "framework", "code", "source_number", "source_date", "source_title", "source_url", "valid_from",
            "valid_until", "status", "cycle", "item_kind", "is_illustrative",
        ]

    def clean(self):
        cleaned = super().clean()
        stored = FrameworkVersion.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        if stored is not None and stored.is_frozen and cleaned.get("status") == FrameworkStatus.DRAFT:
            self.add_error("status", _("An active or retired version cannot become a draft again."))
        elif not self.errors:
            candidate = FrameworkVersion(pk=self.instance.pk, **{
                name: cleaned.get(name, getattr(self.instance, name))
                for name in ("framework", "status", "valid_from", "valid_until")
            })
            try:
                frameworks.check_no_overlap(candidate)
            except frameworks.FrameworkDocumentError as error:
                self.add_error("status", error.problems[0][1])
        return cleaned


class DocumentInline(admin.TabularInline):
    """The documents behind a version: kept up to date even once the version is active."""

    model = StandardDocument
    extra = 0
    fields = ["order", "kind", "number", "date", "issuer", "title_vi", "title_en", "url"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(SimpleHistoryAdmin):
    """A draft is edited freely; activating freezes it; an active version may only be retired."""

    list_display = ["framework", "code", "status", "valid_from", "valid_until", "cycle", "item_kind"]
    list_filter = ["status", "cycle", "framework"]
    list_select_related = ["framework"]
    search_fields = ["framework__code", "framework__name_vi", "code", "source_number"]
    form = FrameworkVersionForm
    inlines = [LevelInline, NodeInline, DocumentInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return [f.name for f in self.model._meta.fields if f.name not in ("status", "valid_until")]
        return []


@admin.register(FrameworkLevel)
class FrameworkLevelAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["number", "name_vi", "name_en", "version"]
    list_filter = ["version__framework"]
    list_select_related = ["version__framework"]

    def _version_of(self, obj):
        return obj.version


@admin.register(IndicatorMapping)
class IndicatorMappingAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["indicator", "node", "relation", "threshold_operator", "threshold_value"]
    list_filter = ["relation", "node__version__framework"]
    list_select_related = ["indicator", "node__version__framework"]
    search_fields = ["indicator__code", "node__code"]
    autocomplete_fields = ["indicator", "node"]

    def _version_of(self, obj):
        return obj.node.version


@admin.register(FrameworkNode)
class FrameworkNodeAdmin(FrozenVersionMixin, admin.ModelAdmin):
    list_display = ["code", "name_vi", "kind", "level", "basic", "version"]
    list_filter = ["version__framework", "kind", "basic"]
    list_select_related = ["version__framework"]
    search_fields = ["code", "name_vi", "name_en", "version__framework__code"]
    inlines = [MappingInline]

    def _version_of(self, obj):
        return obj.version


# --- values and results ---------------------------------------------------------------------


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ViewOnlyAdmin):
    """A report's values change only through the report workflow."""

    list_display = ["report", "indicator", "value"]
    list_filter = ["report__year", "report__quarter", "report__status"]
    list_select_related = ["report__unit", "indicator"]
    search_fields = ["indicator__code", "report__unit__name_vi", "report__unit__name_en"]
    raw_id_fields = ["report"]


class ResultAdmin(ViewOnlyAdmin):
    """Results are recomputed from approved reports; they are never edited."""

    list_filter = ["boundaries", "year", "quarter"]
    search_fields = ["unit__name_vi", "unit__name_en", "unit__code"]


@admin.register(NodeResult)
class NodeResultAdmin(ResultAdmin):
    list_display = ["unit", "year", "quarter", "boundaries", "node", "percent_complete", "met", "units_reporting"]
    list_filter = [*ResultAdmin.list_filter, "node__version__framework"]
    list_select_related = ["unit", "node"]


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ResultAdmin):
    list_display = ["unit", "year", "quarter", "boundaries", "indicator", "value", "units_reporting"]
    list_select_related = ["unit", "indicator"]
    search_fields = [*ResultAdmin.search_fields, "indicator__code"]


@admin.register(Job)
class JobAdmin(ViewOnlyAdmin):
    """Jobs are started from the import and export pages and run by workers."""

    list_display = ["__str__", "kind", "status", "owner", "processed", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["owner"]
    search_fields = ["owner__username", "message"]
    date_hierarchy = "created_at"


@admin.register(MaturityResult)
class MaturityResultAdmin(ViewOnlyAdmin):
    """Levels are computed from approved assessments (indicators.results.maturity); never edited."""

    list_display = ["unit", "year", "version", "level", "criteria_met", "computed_at"]
    list_filter = ["year", "level", "version__framework"]
    list_select_related = ["unit", "version__framework"]
    search_fields = ["unit__name_vi", "unit__name_en", "unit__code"]


@admin.register(StandardDocument)
class StandardDocumentAdmin(SimpleHistoryAdmin):
    """Legal documents and standards, shown on /results/standards/ with their framework version."""

    list_display = ["number", "title_vi", "kind", "date", "issuer", "version"]
    list_filter = ["kind", "version__framework"]
    list_select_related = ["version__framework"]
    search_fields = ["number", "title_vi", "title_en", "issuer"]


class ReleaseFileInline(ViewOnlyTabularInline):
    model = DataReleaseFile
    fields = ["name", "size", "sha256", "media_type"]
    readonly_fields = fields


@admin.register(DataRelease)
class DataReleaseAdmin(ViewOnlyAdmin):
    """Releases are written once by the release builder and never changed."""

    list_display = ["year", "quarter", "number", "kind", "created_at"]
    list_filter = ["kind", "year"]
    inlines = [ReleaseFileInline]


@admin.register(DataReleaseFile)
class DataReleaseFileAdmin(ViewOnlyAdmin):
    list_display = ["name", "release", "size", "sha256"]
    list_select_related = ["release"]
