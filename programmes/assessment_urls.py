"""``/assessments/``: the maturity self-assessment pages (programmes/assessment_views.py)."""
from django.urls import path

from programmes import assessment_views as views

app_name = "assessments"

urlpatterns = [
    path("", views.AssessmentListView.as_view(), name="list"),
    path("new/", views.AssessmentStartView.as_view(), name="start"),
    path("evidence/<int:pk>/", views.AssessmentEvidenceDownloadView.as_view(), name="evidence_download"),
    path("<int:pk>/", views.AssessmentDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AssessmentEditView.as_view(), name="edit"),
    path("<int:pk>/verify/", views.AssessmentVerifyView.as_view(), name="verify"),
    path("<int:pk>/return/", views.AssessmentReturnView.as_view(), name="return"),
    path("<int:pk>/reopen/", views.AssessmentReopenView.as_view(), name="reopen"),
    path("<int:pk>/history/", views.AssessmentHistoryView.as_view(), name="history"),
    path("<int:pk>/diff/", views.AssessmentDiffView.as_view(), name="diff"),
]
