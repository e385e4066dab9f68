"""The small safe subset of formatting that narratives may use."""
import nh3
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_narrative(text):
    """HTML for a narrative: line breaks kept, the allowed tags kept, everything else escaped away.

    Links may only be http(s) or mailto and always open safely; scripts, event
    handlers, styles and any other markup are removed.
    """
    if not text:
        return ""
    return mark_safe(
        nh3.clean(
            linebreaks(text, autoescape=False),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
