from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from indicators import views as indicator_views
from provinces.quarters import QuarterConverter
from smartcity_portal import sitemaps
from smartcity_portal import views as portal_views
from smartcity_portal.accounts.forms import AdminLoginForm

# ``<quarter:period>``: 2025-Q3 in addresses (published reports, releases).
register_converter(QuarterConverter, "quarter")

admin.site.site_header = _("Smart-city progress portal: administration")
admin.site.site_title = _("Smart-city portal admin")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", indicator_views.NationalOverviewView.as_view(), name="home"),
    path("provinces/", include("provinces.urls")),
    path("reports/", include("programmes.urls")),
    path("assessments/", include("programmes.assessment_urls")),
    path("results/", include("indicators.urls")),
    path("data/", include("indicators.opendata_urls")),
    path("projects/", include("programmes.project_urls")),
    path("published-reports/", include("programmes.public_urls")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("accounts/", include("smartcity_portal.accounts.urls")),
    path("api/v1/", include("smartcity_portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("about/", portal_views.AboutView.as_view(), name="about"),
    path("admin/", admin.site.urls),
]

# Under /api/ each of these answers JSON in the API's error shape; elsewhere the usual page.
handler400 = portal_views.bad_request
handler403 = portal_views.permission_denied
handler404 = portal_views.page_not_found
handler500 = portal_views.server_error

if settings.BENCHMARK:
    urlpatterns.append(path("_benchmark/baseline", portal_views.benchmark_baseline))
