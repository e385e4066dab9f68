from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import IndicatorValue
from programmes.models import (
    DemoDataset,
    Evidence,
    NodeAnswer,
    OutboxMessage,
    Programme,
    Project,
    ProjectProgress,
    PublishedProject,
    Report,
    ReportRevision,
    SentNotification,
    WebhookDelivery,
    WebhookSubscription,
)


class ViewOnlyMixin:
    """Admin pages that show records but never add, change or delete them.

    Used for records that only the workflow services or background tasks may
    write (reports, revisions, events, results): an edit here would bypass
    their rules, revisions and recomputations.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    # Counting every row of the large event and result tables is slow.
    show_full_result_count = False


class ViewOnlyTabularInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "status", "start_year", "end_year", "budget_billion_vnd", "decision_number"]
    list_filter = ["status", "start_year", "unit__region"]
    list_select_related = ["unit"]
    search_fields = ["title", "decision_number", "lead_agency", "unit__name_vi", "unit__name_en"]
    autocomplete_fields = ["unit"]


class NodeAnswerInline(ViewOnlyTabularInline):
    model = NodeAnswer
    fields = ["node", "status", "percent_complete", "met", "narrative"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("node")


class IndicatorValueInline(ViewOnlyTabularInline):
    model = IndicatorValue
    fields = ["indicator", "value", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


@admin.register(Report)
class ReportAdmin(ViewOnlyAdmin):
    """Reports change only through the workflow (save, submit, approve…), never here."""

    list_display = [
        "unit", "period_label", "status", "version", "submitted_at", "is_late", "approved_at",
    ]
    list_filter = ["status", "year", "quarter", "is_late", "unit__region"]
    list_select_related = ["unit"]
    search_fields = ["unit__name_vi", "unit__name_en", "unit__code", "unit__slug"]
    date_hierarchy = "submitted_at"
    inlines = [NodeAnswerInline, IndicatorValueInline]

    @admin.display(description=_("period"), ordering="year")
    def period_label(self, obj):
        return obj.period_label


@admin.register(NodeAnswer)
class NodeAnswerAdmin(ViewOnlyAdmin):
    list_display = ["report", "node", "status", "percent_complete", "met"]
    list_filter = ["status", "met", "node__version__framework", "report__year", "report__quarter"]
    list_select_related = ["report__unit", "node"]
    search_fields = ["report__unit__name_vi", "report__unit__name_en", "node__code", "narrative"]


@admin.register(Evidence)
class EvidenceAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "answer", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["answer__report__unit", "answer__node", "uploaded_by"]
    search_fields = ["url", "original_name", "answer__report__unit__name_vi"]
    date_hierarchy = "uploaded_at"


@admin.register(ReportRevision)
class ReportRevisionAdmin(ViewOnlyAdmin):
    list_display = ["report", "number", "version", "action", "status", "actor", "created_at"]
    list_filter = ["action", "status"]
    list_select_related = ["report__unit", "actor"]
    search_fields = ["report__unit__name_vi", "report__unit__name_en", "actor__username", "comment"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ViewOnlyAdmin):
    list_display = ["topic", "created_at", "dispatched_at", "processed_at", "attempts", "has_error"]
    list_filter = ["topic", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "topic", "last_error"]
    date_hierarchy = "created_at"

    @admin.display(description=_("failed"), boolean=True)
    def has_error(self, obj):
        return bool(obj.last_error)


@admin.register(SentNotification)
class SentNotificationAdmin(ViewOnlyAdmin):
    list_display = ["kind", "key", "recipient", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["kind", "key", "recipient__username", "recipient__email"]
    date_hierarchy = "sent_at"


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    raw_id_fields = ["owner"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnlyAdmin):
    list_display = [
        "event_type", "subscription", "status", "attempts", "last_status_code", "created_at", "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["subscription"]
    search_fields = ["event_id", "event_type", "subscription__url"]
    date_hierarchy = "created_at"


@admin.register(DemoDataset)
class DemoDatasetAdmin(ViewOnlyAdmin):
    """Shown so that an administrator can see a database holds demo data; made by ``seed_demo``."""

    list_display = ["seed", "size", "created_at"]


# --- maturity self-assessments: they change only through programmes.assessments ---------------

from programmes.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentRevision,
    CriterionAnswer,
)


class CriterionAnswerInline(ViewOnlyTabularInline):
    model = CriterionAnswer
    fields = ["node", "chosen", "met", "explanation", "accepted", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("node")


@admin.register(Assessment)
class AssessmentAdmin(ViewOnlyAdmin):
    """Assessments change only through their workflow (save, submit, verify, approve…); levels are computed."""

    list_display = ["unit", "year", "framework_version", "status", "version", "submitted_at", "approved_at"]
    list_filter = ["status", "year", "framework_version__framework", "unit__region"]
    list_select_related = ["unit", "framework_version__framework"]
    search_fields = ["unit__name_vi", "unit__name_en", "unit__code", "unit__slug"]
    inlines = [CriterionAnswerInline]


@admin.register(CriterionAnswer)
class CriterionAnswerAdmin(ViewOnlyAdmin):
    list_display = ["assessment", "node", "chosen", "met", "accepted"]
    list_filter = ["met", "accepted", "chosen", "assessment__year"]
    list_select_related = ["assessment__unit", "assessment__framework_version__framework", "node"]
    search_fields = ["assessment__unit__name_vi", "assessment__unit__name_en", "node__code", "explanation"]


@admin.register(AssessmentEvidence)
class AssessmentEvidenceAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "answer", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["answer__assessment__unit", "answer__assessment__framework_version__framework",
                           "answer__node", "uploaded_by"]
    search_fields = ["url", "original_name", "answer__assessment__unit__name_vi"]


@admin.register(AssessmentRevision)
class AssessmentRevisionAdmin(ViewOnlyAdmin):
    list_display = ["assessment", "number", "version", "action", "status", "actor", "created_at"]
    list_filter = ["action", "status"]
    list_select_related = ["assessment__unit", "assessment__framework_version__framework", "actor"]
    search_fields = ["assessment__unit__name_vi", "assessment__unit__name_en", "actor__username", "comment"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    """The units' registers; the units keep them on /projects/manage/, an administrator may correct them here."""

    list_display = ["code", "name_vi", "unit", "funding_source", "status"]
    list_filter = ["funding_source", "status"]
    list_select_related = ["unit"]
    search_fields = ["code", "name_vi", "name_en", "unit__name_vi"]
    autocomplete_fields = ["nodes", "indicators"]
    readonly_fields = ["updated_by"]


@admin.register(ProjectProgress)
class ProjectProgressAdmin(ViewOnlyAdmin):
    """Written by the reports' services: a project's progress is part of its report."""

    list_display = ["project", "report", "status", "percent_complete", "spending_to_date"]
    list_select_related = ["project", "report__unit"]


@admin.register(PublishedProject)
class PublishedProjectAdmin(ViewOnlyAdmin):
    """Written by approvals (``programmes.projects.publish``): what the public sees of a project."""

    list_display = ["code", "name_vi", "unit", "status", "year", "quarter"]
    list_select_related = ["unit"]
