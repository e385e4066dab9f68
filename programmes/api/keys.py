"""How the services' field keys and the API's field paths correspond.

The report services and forms name fields ``tg-3-percent_complete`` and
``indicator-TG5-01-value``; the API body has ``task_groups`` and
``indicator_values`` lists. Errors and reviewers' field comments are given to
API clients by path:

- ``tg-3-percent_complete`` ↔ ``task_groups.3.percent_complete``
- ``tg-3`` ↔ ``task_groups.3`` (a comment on the whole task group)
- ``indicator-TG5-01-value`` ↔ ``indicator_values.TG5-01.value``
- ``indicator-TG5-01`` ↔ ``indicator_values.TG5-01``
- ``indicators`` ↔ ``indicator_values``; anything else keeps its name.

Error bodies nest the same path: ``{"task_groups": {"3": {"percent_complete": [...]}}}``;
a message about a whole list goes under its ``non_field_errors``.
"""
import re

_TG = re.compile(r"^tg-(\d+)(?:-([a-z_]+))?$")
_INDICATOR = re.compile(r"^indicator-(.+?)(?:-(value|note))?$")
_TG_PATH = re.compile(r"^task_groups\.(\d+)(?:\.([a-z_]+))?$")
_INDICATOR_PATH = re.compile(r"^indicator_values\.(.+?)(?:\.(value|note))?$")


def to_path(key):
    """``tg-3-status`` → ``("task_groups", "3", "status")``."""
    if match := _TG.match(key):
        return tuple(part for part in ("task_groups", *match.groups()) if part)
    if match := _INDICATOR.match(key):
        return tuple(part for part in ("indicator_values", *match.groups()) if part)
    if key == "indicators":
        return ("indicator_values",)
    return (key,)


def to_dotted(key):
    return ".".join(to_path(key))


def from_dotted(path):
    """``task_groups.3.status`` → ``tg-3-status``; form keys are returned as they are."""
    if match := _TG_PATH.match(path):
        number, name = match.groups()
        return f"tg-{number}-{name}" if name else f"tg-{number}"
    if match := _INDICATOR_PATH.match(path):
        code, name = match.groups()
        return f"indicator-{code}-{name}" if name else f"indicator-{code}"
    return path


def nest_errors(errors):
    """``{"tg-3-status": [...], "comment": [...]}`` → the nested error body of the API."""
    body = {}
    for key, messages in errors.items():
        path = to_path(key)
        if len(path) == 1 and path[0] in ("task_groups", "indicator_values"):
            path = (path[0], "non_field_errors")
        node = body
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a list of messages already sits here
                child = node[part] = {"non_field_errors": child}
            node = child
        leaf = node.get(path[-1])
        if isinstance(leaf, dict):
            leaf.setdefault("non_field_errors", []).extend(messages)
        else:
            node[path[-1]] = [*(leaf or []), *messages]
    return body


def comments_to_api(field_comments):
    return {to_dotted(key): text for key, text in (field_comments or {}).items()}


def comments_from_api(field_comments):
    return {from_dotted(str(path)): text for path, text in (field_comments or {}).items()}
