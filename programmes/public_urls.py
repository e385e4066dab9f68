"""``/published-reports/``: the public pages of approved reports and approved maturity self-assessments."""
from django.urls import path

from programmes import public_views as views

app_name = "published"

urlpatterns = [
    path("", views.PublishedReportListView.as_view(), name="list"),
    path("assessments/", views.PublishedAssessmentListView.as_view(), name="assessment_list"),
    path(
        "assessments/<slug:slug>/<int:year>/<slug:framework>/<slug:version>/",
        views.PublishedAssessmentView.as_view(), name="assessment",
    ),
    path("<slug:slug>/<quarter:period>/", views.PublishedReportView.as_view(), name="report"),
]
