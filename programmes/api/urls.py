from django.urls import path
from rest_framework.routers import SimpleRouter

from programmes.api import assessments, views

router = SimpleRouter()
router.register("task-groups", views.TaskGroupViewSet, basename="task-group")
router.register("pillars", views.PillarViewSet, basename="pillar")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("reports", views.ReportViewSet, basename="report")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("assessments", assessments.AssessmentViewSet, basename="assessment")

urlpatterns = [
    *router.urls,
    # One object, not a collection: named like the lists for the API root.
    path("reporting-status/", views.ReportingStatusView.as_view(), name="reporting-status-list"),
]
