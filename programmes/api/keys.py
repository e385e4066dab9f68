"""How the domain's field paths and the API's paths correspond.

The domain names a report's fields by field path (``programmes.paths``). API v1
spells some of them its own way, and keeps doing so:

- ``nodes.decision-950:3.percent_complete`` ↔ ``task_groups.3.percent_complete``
  (Decision 950's task groups, the ``task_groups`` list of the report body);
- ``nodes.<framework>:<code>.met`` ↔ the same path (the ``nodes`` list);
- ``indicators.TG5-01.value`` ↔ ``indicator_values.TG5-01.value``;
- ``indicators`` ↔ ``indicator_values``; anything else keeps its name;
- an assessment's ``criteria.A1.met`` ↔ the same path (its ``criteria`` list);
- ``projects.17.percent_complete`` ↔ the same path (the ``projects`` list, by project id).

Error bodies nest the same path: ``{"task_groups": {"3": {"percent_complete": [...]}}}``;
a message about a whole list goes under its ``non_field_errors``.
"""
from decimal import Decimal

from indicators.selectors import DEFAULT_FRAMEWORK
from programmes import paths

TASK_GROUPS = "task_groups"
NODES = "nodes"
INDICATOR_VALUES = "indicator_values"
CRITERIA = paths.CRITERIA
PROJECTS = paths.PROJECTS


def task_group_key(number):
    """The node key of Decision 950's task group ``number``."""
    return paths.node_key(DEFAULT_FRAMEWORK, str(number))


def task_group_number(key):
    """The task-group number of a Decision 950 node key, or ``None`` for any other node."""
    framework, code = paths.split_node_key(key)
    if framework == DEFAULT_FRAMEWORK and code.isdigit():
        return int(code)
    return None


def to_parts(text, *, section_name=TASK_GROUPS):
    """The API path of the domain path ``text``, as a tuple of parts.

    ``section_name`` is how a message on the whole ``nodes`` section is
    reported: under ``task_groups`` (the default) or ``nodes``.
    """
    if text == paths.NODES:
        return (section_name,)
    if text == paths.INDICATORS:
        return (INDICATOR_VALUES,)
    if text == paths.PROJECTS:
        return (PROJECTS,)
    path = paths.parse_or_none(text)
    if path is None:
        return (str(text),)
    if path.section == paths.INDICATORS:
        return tuple(part for part in (INDICATOR_VALUES, path.key, path.field) if part)
    if path.section == paths.CRITERIA:
        return tuple(part for part in (CRITERIA, path.key, path.field) if part)
    if path.section == paths.PROJECTS:
        return tuple(part for part in (PROJECTS, path.key, path.field) if part)
    if path.section == paths.NODES and not path.key:
        return (section_name,)
    if path.section == paths.NODES:
        number = task_group_number(path.key)
        if number is not None:
            return tuple(part for part in (TASK_GROUPS, str(number), path.field) if part)
        return tuple(part for part in (NODES, path.key, path.field) if part)
    return (path.section,)


def to_dotted(text):
    return ".".join(to_parts(text))


def from_dotted(text):
    """The domain path of the API path ``text`` (``task_groups.3.status`` → ``nodes.decision-950:3.status``)."""
    section, _, rest = str(text).partition(".")
    if section == TASK_GROUPS and rest:
        number, _, field = rest.partition(".")
        return str(paths.node_path(task_group_key(number), field))
    if section == INDICATOR_VALUES:
        code, _, field = rest.partition(".")
        return str(paths.indicator_path(code, field)) if code else paths.INDICATORS
    return str(text)


def nest_errors(errors, *, section_name=TASK_GROUPS):
    """``{"nodes.decision-950:3.status": [...], "comment": [...]}`` → the nested error body of the API."""
    body = {}
    for key, messages in errors.items():
        path = to_parts(key, section_name=section_name)
        if len(path) == 1 and path[0] in (TASK_GROUPS, NODES, INDICATOR_VALUES, CRITERIA, PROJECTS):
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


def changes_to_api(changes):
    """The field-level changes of ``programmes.selectors.diff_contents`` as the API names them.

    A Decision 950 node becomes its ``task_group`` number and every path its API path.
    """
    converted = []
    for change in changes:
        change = dict(change)
        change["path"] = to_dotted(change["path"])
        if "node" in change:
            number = task_group_number(change["node"])
            if number is not None:
                change["task_group"] = number
                del change["node"]
        if change["field"] == "value":
            # The diff normalises numbers ("5E+1"); clients expect plain decimals.
            change["old"], change["new"] = _plain(change["old"]), _plain(change["new"])
        converted.append(change)
    return converted


def _plain(number):
    return None if number is None else f"{Decimal(number):f}"
