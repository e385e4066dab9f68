"""The rules a report's contents must satisfy, and the limits every edge reads.

One set of rules, called by the report form, the API and the bulk import
(through ``programmes.services``). Errors are keyed by field path
(``programmes.paths``: ``nodes.decision-950:3.percent_complete``,
``indicators.TG5-01.value``); the form shows each message next to its field
and the API nests it under its own path.
"""
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.models import NodeKind, ValueType
from indicators.rollup import combine
from programmes.models import ProgressStatus, ProjectStatus
from programmes.paths import (
    CHOSEN,
    CRITERIA,
    INDICATORS,
    NODES,
    PROJECTS,
    criterion_path,
    indicator_path,
    node_path,
    project_path,
)
from smartcity_portal.text import normalise

# The limits of a report's contents: the form, the API's serializers and these rules read them here.
MAX_NARRATIVE_LENGTH = 10_000
MAX_NOTE_LENGTH = 2_000
MAX_EVIDENCE_LINKS = 20
MAX_LINK_LENGTH = 500
MAX_COMMENT_LENGTH = 10_000
MAX_FIELD_COMMENT_LENGTH = 2_000
MAX_FIELD_COMMENTS = 200
# A criterion's explanation in a maturity assessment ("a short explanation").
MAX_EXPLANATION_LENGTH = 4_000
_TRUE_WORDS = {"1", "true", "yes", "y", "có", "co", "x"}
_FALSE_WORDS = {"0", "false", "no", "n", "không", "khong"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class Message(str):
    """A message with a machine-readable ``code`` (the API gives both; a form shows the text)."""

    code = "invalid"

    def __new__(cls, text, code=None):
        message = super().__new__(cls, text)
        if code:
            message.code = code
        return message


@dataclass
class Problem:
    """A warning the reporter must confirm before submitting."""

    key: str  # a field path
    message: str

    def __post_init__(self):
        self.key = str(self.key)

    def as_dict(self):
        return {"field": self.key, "message": self.message}


@dataclass
class CheckResult:
    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def add_error(self, key, message, code="invalid"):
        self.errors.setdefault(str(key), []).append(Message(message, getattr(message, "code", None) or code))

    def add_validation_error(self, key, error):
        """Each message of a Django ``ValidationError``, with its code."""
        for item in error.error_list:
            for text in item:
                self.add_error(key, text, item.code or "invalid")

    @property
    def is_valid(self):
        return not self.errors


def parse_number(raw):
    """A Decimal from user input: accepts ``1.5`` and ``1,5``; raises ``ValidationError``."""
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a number."), code="invalid")
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValidationError(_("Enter a number."), code="invalid")
        return Decimal(str(raw))
    text = normalise(str(raw)).strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(text):
        raise ValidationError(_("Enter a number."), code="invalid")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None


def clean_indicator_value(indicator, raw):
    """The stored value of ``raw`` for ``indicator``: a Decimal, or None if empty.

    Raises ``ValidationError`` with a message in the active language.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if indicator.value_type == ValueType.BOOLEAN:
        if isinstance(raw, bool):
            return Decimal(int(raw))
        word = normalise(str(raw)).strip().lower()
        if word in _TRUE_WORDS:
            return Decimal(1)
        if word in _FALSE_WORDS:
            return Decimal(0)
        raise ValidationError(_("Answer yes or no."), code="invalid_boolean")
    value = parse_number(raw)
    if abs(value) >= Decimal("1e14"):
        raise ValidationError(_("This number is too large."), code="too_large")
    if value.as_tuple().exponent < -4:
        raise ValidationError(_("Use at most four decimal places."), code="too_precise")
    if indicator.value_type == ValueType.PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError(_("A percentage must be between 0 and 100."), code="percent_range")
    if indicator.value_type == ValueType.COUNT:
        if value < 0:
            raise ValidationError(_("A count cannot be negative."), code="negative")
        if value != value.to_integral_value():
            raise ValidationError(_("A count must be a whole number."), code="not_whole")
    if indicator.value_type == ValueType.AMOUNT and value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")
    return value


def clean_percent_complete(raw):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = parse_number(raw)
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError(_("Percent complete must be between 0 and 100."), code="percent_range")
    return value.quantize(Decimal("0.01"))


def clean_text(raw, max_length):
    text = normalise(raw or "").strip()
    if len(text) > max_length:
        raise ValidationError(
            _("Use at most %(max)d characters (this has %(length)d).")
            % {"max": max_length, "length": len(text)},
            code="too_long",
        )
    return text


_url_validator = URLValidator(schemes=["http", "https"])


def clean_links(raw):
    """A list of http(s) links from a list or from text with one link per line."""
    if raw is None:
        return []
    items = raw.splitlines() if isinstance(raw, str) else list(raw)
    links = [normalise(str(item)).strip() for item in items if str(item).strip()]
    if len(links) > MAX_EVIDENCE_LINKS:
        raise ValidationError(
            _("Give at most %(max)d links.") % {"max": MAX_EVIDENCE_LINKS}, code="too_many"
        )
    for link in links:
        if len(link) > MAX_LINK_LENGTH:
            raise ValidationError(
                _("A link may have at most %(max)d characters.") % {"max": MAX_LINK_LENGTH}, code="too_long"
            )
        try:
            _url_validator(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address starting with http:// or https://.") % {"link": link[:80]},
                code="invalid_link",
            ) from None
    return links


def clean_spending(raw):
    """Billion VND spent so far on a project: a Decimal of at most three decimals, or None if empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = parse_number(raw)
    if value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")
    if abs(value) >= Decimal("1e13"):
        raise ValidationError(_("This number is too large."), code="too_large")
    if value.as_tuple().exponent < -3:
        raise ValidationError(_("Use at most three decimal places."), code="too_precise")
    return value


def clean_met(raw):
    """``True``, ``False`` or ``None`` (not answered) from a criterion's answer."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    word = normalise(str(raw)).strip().lower()
    if word in _TRUE_WORDS | {"met", "đạt", "dat"}:
        return True
    if word in _FALSE_WORDS | {"not-met", "không đạt", "khong dat"}:
        return False
    raise ValidationError(_("Answer met or not met."), code="invalid_met")


def clean_report_data(data, items, indicators, projects=()):
    """Check types and ranges of raw report contents.

    ``data`` is ``{"nodes": {key: {...}}, "indicators": {code: {...}},
    "projects": {id: {...}}}`` with raw values; ``items`` are the nodes the
    report may answer (their key is ``framework:code``); ``projects`` the
    projects of the unit's register. Returns ``(cleaned, CheckResult)``;
    ``cleaned`` has the same shape with parsed values for every field that was
    valid. Unknown items, indicator codes or projects are errors, not silently
    dropped; a field an item of its kind does not have is an error too.
    """
    result = CheckResult()
    cleaned = {NODES: {}, INDICATORS: {}, PROJECTS: {}}
    if not isinstance(data, dict) or set(data) - {NODES, INDICATORS, PROJECTS}:
        result.add_error("non_field_errors", _("The report's contents are not in the expected form."))
        return cleaned, result
    items_by_key = {f"{node.version.framework.code}:{node.code}": node for node in items}
    for key, raw in (data.get(NODES) or {}).items():
        node = items_by_key.get(str(key))
        if node is None or not isinstance(raw, dict):
            result.add_error(NODES, _("There is no item %(key)s in this report.") % {"key": str(key)[:80]}, "does_not_exist")
            continue
        entry = {}
        fields = CRITERION_FIELDS if node.kind == NodeKind.CRITERION else PROGRESS_FIELDS
        for name in sorted(set(raw) - set(fields)):
            result.add_error(node_path(key, name), _("This item has no such field."), "unknown_field")
        # Only what ``raw`` names changes: a partial update must not clear the status.
        if "status" in raw and "status" in fields:
            status = raw.get("status") or ""
            if status and status not in ProgressStatus.values:
                result.add_error(node_path(key, "status"), _("Choose one of the listed statuses."), "invalid_choice")
            else:
                entry["status"] = status
        for name, cleaner in (
            ("percent_complete", clean_percent_complete),
            ("met", clean_met),
            ("narrative", lambda v: clean_text(v, MAX_NARRATIVE_LENGTH)),
            ("evidence_links", clean_links),
            ("public_links", clean_links),
        ):
            if name not in raw or name not in fields:
                continue
            try:
                entry[name] = cleaner(raw.get(name))
            except ValidationError as error:
                result.add_validation_error(node_path(key, name), error)
        cleaned[NODES][str(key)] = entry

    indicators_by_code = {i.code: i for i in indicators}
    for code, raw in (data.get(INDICATORS) or {}).items():
        indicator = indicators_by_code.get(str(code))
        if indicator is None or not isinstance(raw, dict):
            result.add_error(INDICATORS, _("There is no indicator %(code)s.") % {"code": str(code)[:20]}, "does_not_exist")
            continue
        entry = {}
        try:
            entry["value"] = clean_indicator_value(indicator, raw.get("value"))
        except ValidationError as error:
            result.add_validation_error(indicator_path(code, "value"), error)
        try:
            entry["note"] = clean_text(raw.get("note"), MAX_NOTE_LENGTH)
        except ValidationError as error:
            result.add_validation_error(indicator_path(code, "note"), error)
        cleaned[INDICATORS][code] = entry

    projects_by_id = {str(p.pk): p for p in projects}
    for key, raw in (data.get(PROJECTS) or {}).items():
        if str(key) not in projects_by_id or not isinstance(raw, dict):
            result.add_error(PROJECTS, _("There is no project %(key)s in this unit's register.") % {"key": str(key)[:20]}, "does_not_exist")
            continue
        entry = {}
        for name in sorted(set(raw) - set(PROJECT_FIELDS)):
            result.add_error(project_path(key, name), _("A project has no such field."), "unknown_field")
        if "status" in raw:
            status = raw.get("status") or ""
            if status and status not in ProjectStatus.values:
                result.add_error(project_path(key, "status"), _("Choose one of the listed statuses."), "invalid_choice")
            else:
                entry["status"] = status
        for name, cleaner in (
            ("percent_complete", clean_percent_complete),
            ("spending_to_date", clean_spending),
            ("note", lambda v: clean_text(v, MAX_NOTE_LENGTH)),
        ):
            if name not in raw:
                continue
            try:
                entry[name] = cleaner(raw.get(name))
            except ValidationError as error:
                result.add_validation_error(project_path(key, name), error)
        cleaned[PROJECTS][str(key)] = entry
    return cleaned, result


PROGRESS_FIELDS = ("status", "percent_complete", "narrative", "evidence_links", "public_links")
CRITERION_FIELDS = ("met", "narrative", "evidence_links", "public_links")
PROJECT_FIELDS = ("status", "percent_complete", "spending_to_date", "note")


def running_total_floor(own, predecessors, rollup):
    """The value a running total may not fall below without a note.

    ``own`` is the unit's latest approved value before the quarter (``None`` if
    it has none); ``predecessors`` are the latest approved values of the units
    merged into it. A unit formed by merger with no value of its own yet starts
    from its predecessors' values combined by the indicator's roll-up rule, so
    that a running total cannot silently restart from zero. The form, the API
    (``programmes.selectors.last_approved_values``) and the import
    (``indicators.imports``) all ask this function.
    """
    if own is not None:
        return own
    return combine(rollup, predecessors)


def check_for_submission(content, items, indicators, *, last_approved, previous):
    """Rules that apply when a report is submitted, to its complete contents.

    ``content`` is the report's snapshot (``programmes.selectors.report_content``);
    every item of ``items`` must be answered (a progress item with a status and
    percent complete, a criterion with met or not met, and "met" only with
    evidence); ``last_approved`` maps indicator codes to the unit's last
    approved value; ``previous`` maps them to last quarter's value. Returns a
    ``CheckResult`` whose warnings need the reporter's confirmation.
    """
    result = CheckResult()
    for node in items:
        key = f"{node.version.framework.code}:{node.code}"
        entry = content[NODES].get(key, {})
        if node.kind == NodeKind.CRITERION:
            if entry.get("met") is None:
                result.add_error(node_path(key, "met"), _("Say whether this criterion is met."), "required")
            elif entry["met"] and not (entry.get("evidence_links") or entry.get("evidence_files")):
                result.add_error(node_path(key, "met"), _no_evidence_message(), "no_evidence")
            continue
        if not entry.get("status"):
            result.add_error(node_path(key, "status"), _("Choose a status for this item."), "required")
        if entry.get("percent_complete") in (None, ""):
            result.add_error(node_path(key, "percent_complete"), _("Give the percent complete."), "required")

    factor = Decimal(str(settings.REPORT_CHANGE_WARNING_FACTOR))
    by_code = {i.code: i for i in indicators}
    for code, entry in content[INDICATORS].items():
        indicator = by_code.get(code)
        value = entry.get("value")
        if indicator is None or value in (None, ""):
            continue
        value = Decimal(value)
        floor = last_approved.get(code)
        if indicator.cumulative and floor is not None and value < floor and not entry.get("note"):
            result.add_error(
                indicator_path(code, "note"),
                _(
                    "This is a running total: it was %(previous)s in the last approved report. "
                    "Explain in the note why it fell to %(value)s."
                )
                % {"previous": shown_number(floor), "value": shown_number(value)},
                "explain_fall",
            )
        before = previous.get(code)
        if (
            indicator.value_type != ValueType.BOOLEAN
            and before not in (None, 0)
            and value != 0
            and max(value / before, before / value) > factor
        ):
            result.warnings.append(
                Problem(
                    indicator_path(code, "value"),
                    _("Changed from %(before)s last quarter to %(value)s: more than %(factor)s times. Please confirm.")
                    % {"before": shown_number(before), "value": shown_number(value), "factor": shown_number(factor)},
                )
            )
    return result


def plain_number(value):
    """``Decimal("42.5000")`` or ``"42.5000"`` → ``"42.5"``; None → ``""``."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_number(value, *, grouping=True):
    """A number as a page shows it, in the page's language: ``1.234,5`` in Vietnamese, ``1,234.5``
    in English, without trailing zeros; ``grouping=False`` for a form's input (``1234,5``),
    which ``validation.parse_number`` reads back. Files and the API keep ``plain_number``.
    """
    text = plain_number(value)
    return number_format(Decimal(text), use_l10n=True, force_grouping=grouping) if text else ""


# --- maturity assessments -----------------------------------------------------------------


def _no_evidence_message():
    return _("A criterion without evidence is not met: add a link or a file, or answer not met.")


def clean_assessment_data(data, criteria, *, measured_codes=()):
    """Check the raw contents of an assessment write, as ``clean_report_data`` does a report's.

    ``data`` is ``{"chosen": [codes], "criteria": {code: {"met", "explanation",
    "evidence_links"}}}`` (each part optional); ``criteria`` are the criterion
    nodes of the assessment's framework version; ``measured_codes`` those whose
    answer comes from indicator thresholds, which a unit may comment on but not
    answer. Returns ``(cleaned, CheckResult)``: a code that is not a criterion of
    the version, a field a criterion does not have, or an answer to a measured
    criterion is an error keyed by its field path (``criteria.A1.met``).
    """
    result = CheckResult()
    cleaned = {CRITERIA: {}}
    if not isinstance(data, dict) or set(data) - {CHOSEN, CRITERIA}:
        result.add_error("non_field_errors", _("The assessment's contents are not in the expected form."))
        return cleaned, result
    by_code = {node.code: node for node in criteria}
    if CHOSEN in data:
        raw = data.get(CHOSEN)
        if raw is None:
            raw = []
        if not isinstance(raw, (list, tuple)):
            result.add_error(CHOSEN, _("Give the chosen criteria as a list of codes."))
        else:
            chosen = []
            for code in raw:
                code = str(code)
                if code not in by_code:
                    result.add_error(CHOSEN, _("There is no criterion %(code)s in this framework version.")
                                     % {"code": code[:40]})
                elif code not in chosen:
                    chosen.append(code)
            cleaned[CHOSEN] = chosen
    for code, raw in (data.get(CRITERIA) or {}).items():
        code = str(code)
        if code not in by_code:
            result.add_error(criterion_path(code[:40]),
                             _("There is no criterion %(code)s in this framework version.") % {"code": code[:40]})
            continue
        if not isinstance(raw, dict):
            result.add_error(criterion_path(code), _("Give the criterion's answer as an object."))
            continue
        entry = {}
        for name in sorted(set(raw) - set(ANSWER_INPUT_FIELDS)):
            result.add_error(criterion_path(code, name), _("This item has no such field."), "unknown_field")
        for name, cleaner in (
            ("met", clean_met),
            ("explanation", lambda v: clean_text(v, MAX_EXPLANATION_LENGTH)),
            ("evidence_links", clean_links),
        ):
            if name not in raw:
                continue
            try:
                entry[name] = cleaner(raw.get(name))
            except ValidationError as error:
                result.add_validation_error(criterion_path(code, name), error)
        if "met" in entry and code in measured_codes:
            del entry["met"]
            if raw.get("met") not in (None, ""):
                result.add_error(criterion_path(code, "met"), _(
                    "This criterion is measured by the unit's approved indicator values: its answer cannot "
                    "be changed here. You may explain it."
                ), "measured")
        cleaned[CRITERIA][code] = entry
    return cleaned, result


# The fields a unit writes for a criterion (``paths.ANSWER_FIELDS`` less what the portal writes).
ANSWER_INPUT_FIELDS = ("met", "explanation", "evidence_links")


def check_assessment_evidence(content, result=None):
    """"Met" needs evidence, on an assessment's contents as they would be saved (``assessment_content``).

    A criterion measured by the unit's approved indicator values has its
    evidence in the approved reports the values come from.
    """
    result = result or CheckResult()
    for code, entry in content[CRITERIA].items():
        if entry.get("met") and not entry.get("measured") and not (
            entry.get("evidence_links") or entry.get("evidence_files")
        ):
            result.add_error(criterion_path(code, "met"), _no_evidence_message(), "no_evidence")
    return result


def check_assessment_for_submission(content):
    """Rules for submitting an assessment, on its complete contents (``assessment_content``).

    At least one criterion is assessed; each is answered met or not met, and
    "met" only with evidence (``check_assessment_evidence``).
    """
    result = CheckResult()
    if not content[CRITERIA]:
        result.add_error(CHOSEN, _("Assess at least one criterion."), "required")
    for code, entry in content[CRITERIA].items():
        if entry.get("met") is None:
            result.add_error(criterion_path(code, "met"), _("Say whether this criterion is met."), "required")
    return check_assessment_evidence(content, result)


def clean_decisions(decisions, assessed_codes):
    """Check a reviewer's decisions: ``[{"code", "accepted", "comment"}]`` or ``{code: {...}}``.

    Each names a criterion the assessment assesses, once, with ``accepted``
    true or false; a rejection needs a comment. Returns ``(cleaned, CheckResult)``
    with ``cleaned`` as ``{code: {"accepted": bool, "comment": str}}``.
    """
    result = CheckResult()
    cleaned = {}
    if isinstance(decisions, dict):
        decisions = [{"code": code, **(value if isinstance(value, dict) else {})} for code, value in decisions.items()]
    if not isinstance(decisions, (list, tuple)):
        result.add_error(CRITERIA, _("Give the decisions as a list."))
        return cleaned, result
    for decision in decisions:
        if not isinstance(decision, dict) or not str(decision.get("code") or ""):
            result.add_error(CRITERIA, _("Each decision names a criterion by its code."))
            continue
        code = str(decision["code"])
        if code not in assessed_codes:
            result.add_error(criterion_path(code[:40]), _("This criterion is not assessed in this assessment."), "does_not_exist")
            continue
        if code in cleaned:
            result.add_error(criterion_path(code), _("Given more than once."), "duplicate")
            continue
        accepted = decision.get("accepted")
        if isinstance(accepted, str):
            word = accepted.strip().lower()
            accepted = {"true": True, "yes": True, "accept": True, "accepted": True, "1": True,
                        "false": False, "no": False, "reject": False, "rejected": False, "0": False}.get(word)
        if not isinstance(accepted, bool):
            result.add_error(criterion_path(code, "accepted"), _("Accept or reject this criterion."), "required")
            continue
        try:
            comment = clean_text(decision.get("comment"), MAX_FIELD_COMMENT_LENGTH)
        except ValidationError as error:
            result.add_validation_error(criterion_path(code, "comment"), error)
            continue
        if not accepted and not comment:
            result.add_error(criterion_path(code, "comment"), _("Say why this criterion is rejected."), "required")
            continue
        cleaned[code] = {"accepted": accepted, "comment": comment}
    return cleaned, result
