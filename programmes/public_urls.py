"""``/published-reports/``: the public pages of approved reports."""
from django.urls import path

from programmes import public_views as views

app_name = "published"

urlpatterns = [
    path("", views.PublishedReportListView.as_view(), name="list"),
    path("<slug:slug>/<quarter:period>/", views.PublishedReportView.as_view(), name="report"),
]
