from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("new/", views.ReportStartView.as_view(), name="report_start"),
    path("mine/", views.MyUnitView.as_view(), name="my_unit"),
    path("status/", views.ReportingStatusView.as_view(), name="reporting_status"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("<int:pk>/edit/", views.ReportEditView.as_view(), name="report_edit"),
    path("<int:pk>/approve/", views.ReportApproveView.as_view(), name="report_approve"),
    path("<int:pk>/return/", views.ReportReturnView.as_view(), name="report_return"),
    path("<int:pk>/reopen/", views.ReportReopenView.as_view(), name="report_reopen"),
    path("<int:pk>/history/", views.ReportHistoryView.as_view(), name="report_history"),
    path("<int:pk>/diff/", views.ReportDiffView.as_view(), name="report_diff"),
]

# --- Webhook subscriptions of integrators (programmes/webhook_views.py) ---------------
from programmes import webhook_views

urlpatterns += [
    path("webhooks/", webhook_views.WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/new/", webhook_views.WebhookCreateView.as_view(), name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_views.WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:pk>/delete/", webhook_views.WebhookDeleteView.as_view(), name="webhook_delete"),
]
