"""``/api/v1/``: each app registers its endpoints in its own ``api/urls.py``."""
from django.urls import include, path

urlpatterns = [
    path("", include("provinces.api.urls")),
    path("", include("programmes.api.urls")),
    path("", include("indicators.api.urls")),
]
