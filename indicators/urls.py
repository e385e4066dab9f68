from django.urls import path

from indicators import views

app_name = "indicators"

# The national overview is the home page ("/", smartcity_portal/urls.py).
urlpatterns = [
    path("task-groups/<int:number>/", views.NodeDetailView.as_view(), name="task_group_detail"),
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/<slug:code>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path(
        "frameworks/<slug:framework>/<slug:version>/<str:code>/", views.NodeDetailView.as_view(), name="node_detail"
    ),
    path("crosswalk/", views.CrosswalkView.as_view(), name="crosswalk"),
    path("standards/", views.StandardsView.as_view(), name="standards"),
    path("standards/<slug:framework>/<slug:version>/", views.VersionStandardsView.as_view(), name="version_standards"),
    path("indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("method/", views.MethodView.as_view(), name="method"),
    path("units/<slug:slug>/export/", views.UnitResultsExportView.as_view(), name="unit_export"),
    path("asean/export/", views.AseanExportView.as_view(), name="asean_export"),
]

# --- maturity levels (indicators/maturity_views.py) ---
from indicators import maturity_views

urlpatterns += [
    path("maturity/", maturity_views.MaturityView.as_view(), name="maturity"),
    path("maturity/method/", maturity_views.MaturityMethodView.as_view(), name="maturity_method"),
]

# --- bulk import, full export and background jobs (indicators/import_views.py) ---
from indicators import import_views

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
