from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, IndicatorResult, IndicatorValue, Job, Target, TaskGroupResult
from programmes.admin import ViewOnlyAdmin


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code", "name_vi", "task_group", "pillar", "value_type", "rollup", "cumulative", "is_active",
    ]
    list_display_links = ["code", "name_vi"]
    list_filter = ["is_active", "pillar", "task_group", "value_type", "rollup", "cumulative"]
    list_select_related = ["task_group", "pillar"]
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
    list_filter = [TargetScopeListFilter, "year", "indicator__pillar"]
    list_select_related = ["indicator", "unit"]
    search_fields = ["indicator__code", "indicator__name_vi", "unit__name_vi", "unit__name_en"]
    autocomplete_fields = ["indicator", "unit"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ViewOnlyAdmin):
    """A report's values change only through the report workflow."""

    list_display = ["report", "indicator", "value"]
    list_filter = ["indicator__pillar", "report__year", "report__quarter", "report__status"]
    list_select_related = ["report__unit", "indicator"]
    search_fields = ["indicator__code", "report__unit__name_vi", "report__unit__name_en"]
    raw_id_fields = ["report"]


class ResultAdmin(ViewOnlyAdmin):
    """Results are recomputed from approved reports; they are never edited."""

    list_filter = ["boundaries", "year", "quarter"]
    search_fields = ["unit__name_vi", "unit__name_en", "unit__code"]


@admin.register(TaskGroupResult)
class TaskGroupResultAdmin(ResultAdmin):
    list_display = ["unit", "year", "quarter", "boundaries", "task_group", "percent_complete", "units_reporting"]
    list_filter = [*ResultAdmin.list_filter, "task_group"]
    list_select_related = ["unit", "task_group"]


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ResultAdmin):
    list_display = ["unit", "year", "quarter", "boundaries", "indicator", "value", "units_reporting"]
    list_filter = [*ResultAdmin.list_filter, "indicator__pillar"]
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
