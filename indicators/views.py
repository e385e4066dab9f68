from django.views.generic import TemplateView


class NationalOverviewView(TemplateView):
    """``/``: the national picture (built in the dashboards issue)."""

    template_name = "indicators/national_overview.html"
