"""The project's URLs, plus placeholders for the names base.html links to that are not built yet.

base.html is shared by every page; while other parts of the portal are being built, some of
its links (e.g. ``indicators:completeness``) may not exist. A placeholder is added only for a
name that is missing, so this module becomes the real URLconf once they all exist.
"""
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from smartcity_portal import urls as real

NAMES_IN_BASE_HTML = {
    "programmes": ["report_list"],
    "indicators": ["completeness"],
}


def placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


def _missing(namespace, name):
    try:
        reverse(f"{namespace}:{name}", urlconf=real)
    except NoReverseMatch:
        return True
    return False


urlpatterns = []
for pattern in real.urlpatterns:
    namespace = getattr(pattern, "namespace", None)
    missing = [n for n in NAMES_IN_BASE_HTML.get(namespace, []) if _missing(namespace, n)]
    if missing:
        extra = [path(f"__placeholder__/{n}/", placeholder, name=n) for n in missing]
        pattern = path(
            str(pattern.pattern),
            include((list(pattern.url_patterns) + extra, pattern.app_name), namespace=namespace),
        )
    urlpatterns.append(pattern)
