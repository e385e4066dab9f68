import math

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def whole_minutes(delta):
    """A ``timedelta`` as whole minutes, rounded up (a lockout of 90 s is "2 minutes")."""
    if not delta:
        return 0
    return max(1, math.ceil(delta.total_seconds() / 60))


@register.simple_tag
def time_after(delta):
    """Now plus ``delta``: when a lockout that starts now ends."""
    return timezone.localtime(timezone.now() + delta) if delta else None
