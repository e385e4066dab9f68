from rest_framework.routers import SimpleRouter

from indicators.api import maturity, value_sets, views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("progress", views.ProgressViewSet, basename="progress")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")
router.register("maturity", maturity.MaturityViewSet, basename="maturity")
router.register("data-value-sets", value_sets.DataValueSetViewSet, basename="data-value-set")
router.register("jobs", value_sets.JobViewSet, basename="job")

urlpatterns = router.urls
