from django.urls import path

app_name = "indicators"

urlpatterns = []

# --- bulk import, full export and background jobs (indicators/import_views.py) ---
from indicators import import_views  # noqa: E402

urlpatterns += [
    path("import/", import_views.ImportView.as_view(), name="import"),
    path("import/template.csv", import_views.template_csv, name="import_template_csv"),
    path("import/template.xlsx", import_views.template_xlsx, name="import_template_xlsx"),
    path("export/", import_views.ExportView.as_view(), name="export"),
    path("jobs/<int:pk>/", import_views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/status.json", import_views.job_status, name="job_status"),
    path("jobs/<int:pk>/problems.csv", import_views.job_problems_csv, name="job_problems_csv"),
    path("jobs/<int:pk>/download", import_views.job_download, name="job_download"),
]
