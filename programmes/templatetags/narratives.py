from django import template

from smartcity_portal.markup import render_narrative

register = template.Library()


@register.filter(name="narrative")
def narrative(text):
    """``{{ progress.narrative|narrative }}``: sanitised narrative HTML."""
    return render_narrative(text)
