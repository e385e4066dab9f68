from rest_framework.routers import SimpleRouter

from provinces.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("asean-cities", views.AseanCityViewSet, basename="asean-city")

urlpatterns = router.urls
