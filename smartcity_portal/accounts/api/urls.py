from rest_framework.routers import SimpleRouter

from smartcity_portal.accounts.api import views

router = SimpleRouter()
router.register("tokens", views.TokenViewSet, basename="token")

urlpatterns = router.urls
