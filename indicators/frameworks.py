"""Framework documents: checking one completely, then loading it all or nothing.

A framework version travels as one JSON (or YAML) document (``docs/frameworks.md``)::

    {"framework": {"code", "name_vi", "name_en", "issuer"},
     "version": {"code", "source": {"number", "date", "title", "url"},
                 "valid_from", "valid_until", "cycle", "status", "illustrative",
                 "levels": [{"number", "name_vi", "name_en"}]},
     "nodes": [{"code", "name_vi", "name_en", "kind", "level", "basic",
                "children": [...], "indicators": [{"code", "relation", "threshold"}]}]}

``check_document`` finds every problem at once, each with where it is
(``nodes[2].children[0].indicators[1].code``); ``load_document`` writes only a
document without problems, in one transaction, and writing the same document
twice changes nothing. A version that is active or retired is frozen: its
nodes, levels and mappings never change (a change is a new version); it may
only be retired.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from indicators.models import (
    NODE_CODE_PATTERN,
    Cycle,
    Framework,
    FrameworkLevel,
    FrameworkNode,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorMapping,
    NodeKind,
    Relation,
)
from smartcity_portal.text import normalise

MAX_NODES = 2000
MAX_DEPTH = 6
_THRESHOLD = re.compile(r"^\s*(>=|>|<=|<|==|=|≥|≤)\s*([+-]?\d+(?:[.,]\d+)?)\s*$")
_OPERATOR_SPELLINGS = {"=": "==", "≥": ">=", "≤": "<="}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FrameworkDocumentError(Exception):
    """A document that cannot be loaded; ``problems`` lists ``(where, message)``."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(f"{where}: {message}" if where else message for where, message in self.problems))


@dataclass
class LoadResult:
    framework: Framework
    version: FrameworkVersion
    created: bool = False
    changed: list = field(default_factory=list)

    @property
    def changed_anything(self):
        return self.created or bool(self.changed)


def read_document(path):
    """The document in the file ``path`` (``.json``, ``.yaml`` or ``.yml``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise FrameworkDocumentError(
            [("", _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error})]
        ) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
        return json.loads(text)
    except Exception as error:  # noqa: BLE001 - any parser's complaint becomes the document's problem
        raise FrameworkDocumentError([("", _("%(file)s is not valid JSON or YAML: %(error)s") % {
            "file": path.name, "error": str(error)[:300]})]) from None


def parse_threshold(text):
    """``(operator, Decimal)`` from ``">= 10"``; ``ValueError`` if it is not one."""
    match = _THRESHOLD.match(str(text))
    if not match:
        raise ValueError(text)
    operator, number = match.groups()
    return _OPERATOR_SPELLINGS.get(operator, operator), Decimal(number.replace(",", "."))


# --- checking ---------------------------------------------------------------------------


@dataclass
class _Node:
    code: str
    name_vi: str
    name_en: str
    kind: str
    level: int | None
    basic: bool
    parent: str | None
    depth: int
    indicators: list  # [(code, relation, operator, value)]


@dataclass
class _Checked:
    framework: dict
    version: dict
    levels: list
    nodes: list  # _Node, depth first


class _Checker:
    def __init__(self, document, indicator_codes):
        self.document = document
        self.indicator_codes = indicator_codes
        self.problems = []

    def problem(self, where, message):
        self.problems.append((where, str(message)))

    def text(self, data, name, where, *, required=True, max_length=255):
        value = data.get(name) if isinstance(data, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{where}.{name}", _("This field is required."))
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(f"{where}.{name}", _("Give a text."))
            return ""
        value = normalise(str(value)).strip()
        if len(value) > max_length:
            self.problem(f"{where}.{name}", _("Use at most %(max)d characters.") % {"max": max_length})
        return value

    def day(self, data, name, where, *, required=True):
        value = data.get(name) if isinstance(data, dict) else None
        if value in (None, ""):
            if required:
                self.problem(f"{where}.{name}", _("This field is required."))
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(f"{where}.{name}", _("Give a date as YYYY-MM-DD."))
            return None

    def choice(self, data, name, where, choices, *, default=None):
        value = data.get(name, default) if isinstance(data, dict) else default
        if value not in choices:
            self.problem(f"{where}.{name}", _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
            return default
        return value

    def run(self):
        document = self.document
        if not isinstance(document, dict):
            self.problem("", _("The document must be an object with framework, version and nodes."))
            return None
        for name in sorted(set(document) - {"framework", "version", "nodes"}):
            self.problem(name, _("Unknown field."))
        framework = document.get("framework")
        version = document.get("version")
        if not isinstance(framework, dict):
            self.problem("framework", _("Give the framework as an object."))
            framework = {}
        if not isinstance(version, dict):
            self.problem("version", _("Give the version as an object."))
            version = {}
        checked_framework = {
            "code": self.text(framework, "code", "framework", max_length=64),
            "name_vi": self.text(framework, "name_vi", "framework"),
            "name_en": self.text(framework, "name_en", "framework"),
            "issuer": self.text(framework, "issuer", "framework", required=False),
        }
        if checked_framework["code"] and not _SLUG.match(checked_framework["code"]):
            self.problem("framework.code", _("Use lower-case letters, digits and single hyphens."))
        for name in sorted(set(framework) - {"code", "name_vi", "name_en", "issuer"}):
            self.problem(f"framework.{name}", _("Unknown field."))

        source = version.get("source") or {}
        if isinstance(source, str):
            source = {"number": source}
        if not isinstance(source, dict):
            self.problem("version.source", _("Give the issuing document as an object with number and date."))
            source = {}
        checked_version = {
            "code": self.text(version, "code", "version", max_length=64),
            "source_number": self.text(source, "number", "version.source", required=False, max_length=64),
            "source_date": self.day(source, "date", "version.source", required=False),
            "source_title": self.text(source, "title", "version.source", required=False, max_length=500),
            "source_url": self.text(source, "url", "version.source", required=False, max_length=500),
            "valid_from": self.day(version, "valid_from", "version"),
            "valid_until": self.day(version, "valid_until", "version", required=False),
            "cycle": self.choice(version, "cycle", "version", Cycle.values),
            "status": self.choice(version, "status", "version", FrameworkStatus.values, default=FrameworkStatus.DRAFT),
            "is_illustrative": bool(version.get("illustrative", False)),
        }
        if checked_version["code"] and not _SLUG.match(checked_version["code"]):
            self.problem("version.code", _("Use lower-case letters, digits and single hyphens."))
        if checked_version["source_url"] and not re.match(r"^https?://", checked_version["source_url"]):
            self.problem("version.source.url", _("Give a web address starting with http:// or https://."))
        start, end = checked_version["valid_from"], checked_version["valid_until"]
        if start and end and end < start:
            self.problem("version.valid_until", _("A version cannot end before it starts."))
        known_version = {"code", "source", "valid_from", "valid_until", "cycle", "status", "levels", "illustrative"}
        for name in sorted(set(version) - known_version):
            self.problem(f"version.{name}", _("Unknown field."))

        levels = []
        raw_levels = version.get("levels") or []
        if not isinstance(raw_levels, list):
            self.problem("version.levels", _("Give the levels as a list."))
            raw_levels = []
        for index, raw in enumerate(raw_levels):
            where = f"version.levels[{index}]"
            number = raw.get("number") if isinstance(raw, dict) else None
            if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 20:
                self.problem(f"{where}.number", _("Give a whole number from 1 to 20."))
                continue
            levels.append({"number": number, "name_vi": self.text(raw, "name_vi", where),
                           "name_en": self.text(raw, "name_en", where)})
        numbers = [level["number"] for level in levels]
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            self.problem("version.levels", _("Number the levels 1, 2, 3… in order."))

        nodes = []
        raw_nodes = document.get("nodes")
        if not isinstance(raw_nodes, list) or not raw_nodes:
            self.problem("nodes", _("Give the version's nodes as a non-empty list."))
        else:
            self.walk(raw_nodes, "nodes", None, 0, nodes, set(numbers))
        kinds = {n.kind for n in nodes if n.kind != NodeKind.GROUP}
        if len(kinds) > 1:
            self.problem("nodes", _("Every item of a version is of one kind: progress or criterion, not both."))
        if self.problems:
            return None
        checked_version["item_kind"] = kinds.pop() if kinds else NodeKind.GROUP
        return _Checked(checked_framework, checked_version, levels, nodes)

    def walk(self, raw_nodes, where, parent, depth, out, level_numbers):
        if depth >= MAX_DEPTH:
            self.problem(where, _("Nodes may be nested at most %(max)d deep.") % {"max": MAX_DEPTH})
            return
        seen = {n.code for n in out}
        for index, raw in enumerate(raw_nodes):
            here = f"{where}[{index}]"
            if not isinstance(raw, dict):
                self.problem(here, _("Give each node as an object."))
                continue
            if len(out) >= MAX_NODES:
                self.problem(here, _("A version has at most %(max)d nodes.") % {"max": MAX_NODES})
                return
            known = {"code", "name_vi", "name_en", "kind", "level", "basic", "children", "indicators"}
            for name in sorted(set(raw) - known):
                self.problem(f"{here}.{name}", _("Unknown field."))
            code = self.text(raw, "code", here, max_length=32)
            if code and not re.match(NODE_CODE_PATTERN, code):
                self.problem(f"{here}.code", _("Use letters, digits, “-” and “_” only."))
            if code in seen:
                self.problem(f"{here}.code", _("The code %(code)s is used twice.") % {"code": code})
            seen.add(code)
            kind = self.choice(raw, "kind", here, NodeKind.values)
            level = raw.get("level")
            if level is not None:
                if kind != NodeKind.CRITERION:
                    self.problem(f"{here}.level", _("Only criteria have a level."))
                elif not isinstance(level, int) or isinstance(level, bool) or level not in level_numbers:
                    self.problem(f"{here}.level", _("Give one of the levels the version declares."))
            basic = raw.get("basic", False)
            if not isinstance(basic, bool):
                self.problem(f"{here}.basic", _("Give true or false."))
            elif basic and kind != NodeKind.CRITERION:
                self.problem(f"{here}.basic", _("Only criteria can be basic."))
            children = raw.get("children") or []
            if not isinstance(children, list):
                self.problem(f"{here}.children", _("Give the children as a list."))
                children = []
            if children and kind != NodeKind.GROUP:
                self.problem(f"{here}.children", _("Only a group has children."))
            node = _Node(
                code=code, name_vi=self.text(raw, "name_vi", here, max_length=500),
                name_en=self.text(raw, "name_en", here, max_length=500), kind=kind,
                level=level if isinstance(level, int) else None, basic=basic is True,
                parent=parent, depth=depth, indicators=self.mappings(raw.get("indicators"), f"{here}.indicators", kind),
            )
            out.append(node)
            self.walk(children, f"{here}.children", code, depth + 1, out, level_numbers)
            seen = {n.code for n in out}

    def mappings(self, raw, where, kind):
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(where, _("Give the indicators as a list."))
            return []
        found, seen = [], set()
        for index, item in enumerate(raw):
            here = f"{where}[{index}]"
            if isinstance(item, str):
                item = {"code": item}
            if not isinstance(item, dict):
                self.problem(here, _("Give each indicator as an object with its code."))
                continue
            for name in sorted(set(item) - {"code", "relation", "threshold"}):
                self.problem(f"{here}.{name}", _("Unknown field."))
            code = self.text(item, "code", here, max_length=16)
            if code and code not in self.indicator_codes:
                self.problem(f"{here}.code", _("There is no indicator %(code)s.") % {"code": code})
            if code in seen:
                self.problem(f"{here}.code", _("The indicator %(code)s is mapped twice.") % {"code": code})
            seen.add(code)
            relation = self.choice(item, "relation", here, Relation.values, default=Relation.EXACT)
            operator = value = None
            threshold = item.get("threshold")
            if threshold not in (None, ""):
                if kind != NodeKind.CRITERION:
                    self.problem(f"{here}.threshold", _("Only a criterion's indicator has a threshold."))
                else:
                    try:
                        operator, value = parse_threshold(threshold)
                    except (ValueError, InvalidOperation):
                        self.problem(f"{here}.threshold", _("Write a threshold as an operator and a number, "
                                                            "for example “>= 10”."))
            found.append((code, relation, operator, value))
        return found


def check_document(document):
    """The document, checked: ``FrameworkDocumentError`` lists every problem found."""
    checker = _Checker(document, set(Indicator.objects.values_list("code", flat=True)))
    checked = checker.run()
    if checker.problems:
        raise FrameworkDocumentError(checker.problems)
    return checked


# --- loading -----------------------------------------------------------------------------


def _assign(obj, values):
    """Set ``values`` on ``obj``; return the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _content(version):
    """What a frozen version must keep exactly: its levels, nodes and mappings, comparable."""
    levels = [(lv.number, lv.name_vi, lv.name_en) for lv in version.levels.order_by("number")]
    nodes = [
        (n.code, n.name_vi, n.name_en, n.kind, n.level, n.basic, n.parent.code if n.parent_id else None, n.depth)
        for n in version.nodes.select_related("parent").order_by("order")
    ]
    mappings = sorted(
        (m.node.code, m.indicator.code, m.relation, m.threshold_operator, m.threshold_value)
        for m in IndicatorMapping.objects.filter(node__version=version).select_related("node", "indicator")
    )
    return levels, nodes, mappings


def _checked_content(checked):
    levels = [(lv["number"], lv["name_vi"], lv["name_en"]) for lv in checked.levels]
    nodes = [(n.code, n.name_vi, n.name_en, n.kind, n.level, n.basic, n.parent, n.depth) for n in checked.nodes]
    mappings = sorted(
        (n.code, code, relation, operator or "", value)
        for n in checked.nodes for code, relation, operator, value in n.indicators
    )
    return levels, nodes, mappings


def _same_mappings(a, b):
    def norm(rows):
        return [(*row[:4], None if row[4] is None else Decimal(row[4]).normalize()) for row in rows]

    return norm(a) == norm(b)


def check_no_overlap(version):
    """Refuse a version that would be active over days another active version of its framework covers.

    A report answers at most one version of each framework, so two active
    versions of one framework never cover the same day.
    """
    if version.status != FrameworkStatus.ACTIVE:
        return
    others = FrameworkVersion.objects.filter(framework=version.framework, status=FrameworkStatus.ACTIVE).exclude(
        pk=version.pk
    )
    if version.valid_until is not None:
        others = others.filter(valid_from__lte=version.valid_until)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=version.valid_from))
    other = others.first()
    if other is not None:
        raise FrameworkDocumentError([("version.valid_from", _(
            "Version %(other)s of this framework is active over some of the same days: retire it "
            "or give it an end date first."
        ) % {"other": other.code})])


@transaction.atomic
def load_document(document):
    """Load a framework version from ``document``; ``FrameworkDocumentError`` changes nothing."""
    checked = check_document(document)
    framework = Framework.objects.filter(code=checked.framework["code"]).first()
    result_changes = []
    created = False
    if framework is None:
        framework = Framework.objects.create(**checked.framework)
        created = True
    else:
        changed = _assign(framework, checked.framework)
        if changed:
            framework.save()
            result_changes += [f"framework.{name}" for name in changed]

    values = {name: value for name, value in checked.version.items() if name != "code"}
    version = FrameworkVersion.objects.select_for_update().filter(
        framework=framework, code=checked.version["code"]
    ).first()
    if version is None:
        version = FrameworkVersion(framework=framework, code=checked.version["code"], **values)
        version.status = FrameworkStatus.DRAFT
        version.save()
        created = True
        _write_tree(version, checked)
        if values["status"] != FrameworkStatus.DRAFT:
            version.status = values["status"]
            check_no_overlap(version)
            version.save(update_fields=["status"])
        return LoadResult(framework, version, created=True, changed=result_changes)

    if version.is_frozen:
        if values["status"] == FrameworkStatus.DRAFT:
            raise FrameworkDocumentError([("version.status", _(
                "Version %(code)s is %(status)s: it cannot become a draft again."
            ) % {"code": version.code, "status": version.get_status_display()})])
        stored = _content(version)
        wanted = _checked_content(checked)
        same_tree = stored[0] == wanted[0] and stored[1] == wanted[1] and _same_mappings(stored[2], wanted[2])
        frozen_fields = {k: v for k, v in values.items() if k not in ("status", "valid_until")}
        differing = [name for name, value in frozen_fields.items() if getattr(version, name) != value]
        retiring = values["status"] == FrameworkStatus.RETIRED
        end_changes = values["valid_until"] != version.valid_until and not retiring
        if not same_tree or differing or end_changes or (
            version.status == FrameworkStatus.RETIRED and values["status"] == FrameworkStatus.ACTIVE
        ):
            raise FrameworkDocumentError([("version", _(
                "Version %(code)s is %(status)s and therefore frozen: load the changes as a new version."
            ) % {"code": version.code, "status": version.get_status_display()})])
        changed = _assign(version, {"status": values["status"], "valid_until": values["valid_until"]})
        if changed:
            version.save(update_fields=changed)
            result_changes += [f"version.{name}" for name in changed]
        return LoadResult(framework, version, created=created, changed=result_changes)

    # A draft follows its document: nothing is reported under a draft, so its tree may be rewritten.
    changed = _assign(version, {**values, "status": FrameworkStatus.DRAFT})
    stored, wanted = _content(version), _checked_content(checked)
    if stored[:2] != wanted[:2] or not _same_mappings(stored[2], wanted[2]):
        version.nodes.all().delete()
        version.levels.all().delete()
        _write_tree(version, checked)
        changed.append("nodes")
    if values["status"] != FrameworkStatus.DRAFT:
        version.status = values["status"]
        check_no_overlap(version)
    if changed or values["status"] != FrameworkStatus.DRAFT:
        version.save()
    result_changes += [f"version.{name}" for name in changed if name != "status"]
    if values["status"] != FrameworkStatus.DRAFT:
        result_changes.append("version.status")
    return LoadResult(framework, version, created=created, changed=result_changes)


def _write_tree(version, checked):
    FrameworkLevel.objects.bulk_create(FrameworkLevel(version=version, **level) for level in checked.levels)
    by_code = {}
    for order, node in enumerate(checked.nodes, start=1):
        by_code[node.code] = FrameworkNode.objects.create(
            version=version, parent=by_code.get(node.parent), code=node.code, name_vi=node.name_vi,
            name_en=node.name_en, order=order, depth=node.depth, kind=node.kind, level=node.level, basic=node.basic,
        )
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    IndicatorMapping.objects.bulk_create(
        IndicatorMapping(
            node=by_code[node.code], indicator_id=indicators[code], relation=relation,
            threshold_operator=operator or "", threshold_value=value,
        )
        for node in checked.nodes
        for code, relation, operator, value in node.indicators
    )


def load_file(path):
    """Load the framework document in the file ``path``."""
    return load_document(read_document(path))

