"""``/projects/``: the published project register, and the pages where units keep theirs."""
from django.urls import path

from programmes import project_views as views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("manage/", views.RegisterView.as_view(), name="manage"),
    path("manage/new/", views.ProjectEditView.as_view(), name="create"),
    path("manage/<int:pk>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("manage/import/", views.RegisterImportView.as_view(), name="import"),
    path("manage/template.csv", views.RegisterFileView.as_view(template=True), name="template"),
    path("manage/register.csv", views.RegisterFileView.as_view(), name="register_csv"),
]
