"""``/api/v1/``: each app registers its endpoints in its own ``api/urls.py``."""
from django.urls import include, path

from smartcity_portal.api import schema  # noqa: F401 - registers the token scheme with drf-spectacular
from smartcity_portal.api.views import ApiRootView

app_name = "api"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("provinces.api.urls")),
    path("", include("programmes.api.urls")),
    path("", include("indicators.api.urls")),
    path("", include("smartcity_portal.accounts.api.urls")),
]
