from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
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
    # The same page for those whom "/" sends to their own page (a province reporter: /reports/mine/).
    path("overview/", indicator_views.NationalOverviewView.as_view(), name="overview"),
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
    # The language switcher is in every page, which must stay the same for every signed-out visitor to
    # be cached whole (smartcity_portal.pagecache): it carries no CSRF token. Forging it could only
    # switch a visitor's display language; ``next`` is still checked to be on this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
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
    from smartcity_portal import benchmarking

    urlpatterns += [
        path("_benchmark/baseline", benchmarking.baseline),
        path("_benchmark/bare", benchmarking.baseline),
        path("_benchmark/change", benchmarking.change),
    ]
