from rest_framework.routers import SimpleRouter

from indicators.api import views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("progress", views.ProgressViewSet, basename="progress")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")

urlpatterns = router.urls
