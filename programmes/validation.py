"""The rules a report's contents must satisfy.

One set of rules, called by the report form, the API and the bulk import
(through ``programmes.services``). Errors are keyed by the same names the form
uses for its fields (``tg-3-percent_complete``, ``indicator-TG5-01-value``) so
that each message can be shown next to its field; the API returns the same keys.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from indicators.models import ValueType
from programmes.models import ProgressStatus
from smartcity_portal.text import normalise

MAX_NARRATIVE_LENGTH = 10_000
MAX_NOTE_LENGTH = 2_000
MAX_EVIDENCE_LINKS = 20
_TRUE_WORDS = {"1", "true", "yes", "y", "có", "co", "x"}
_FALSE_WORDS = {"0", "false", "no", "n", "không", "khong"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def tg_key(number, name):
    return f"tg-{number}-{name}"


def indicator_key(code, name):
    return f"indicator-{code}-{name}"


@dataclass
class Problem:
    """A warning the reporter must confirm before submitting."""

    key: str
    message: str

    def as_dict(self):
        return {"field": self.key, "message": self.message}


@dataclass
class CheckResult:
    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def add_error(self, key, message):
        self.errors.setdefault(key, []).append(str(message))

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
        if raw != raw or raw in (float("inf"), float("-inf")):
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
        if len(link) > 500:
            raise ValidationError(_("A link may have at most 500 characters."), code="too_long")
        try:
            _url_validator(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address starting with http:// or https://.") % {"link": link[:80]},
                code="invalid_link",
            ) from None
    return links


def clean_report_data(data, task_groups, indicators):
    """Check types and ranges of raw report contents.

    ``data`` is ``{"task_groups": {number: {...}}, "indicators": {code: {...}}}``
    with raw values. Returns ``(cleaned, CheckResult)``; ``cleaned`` has the same
    shape with parsed values for every field that was valid. Unknown task
    groups or indicator codes are errors, not silently dropped.
    """
    result = CheckResult()
    cleaned = {"task_groups": {}, "indicators": {}}
    if not isinstance(data, dict):
        result.add_error("non_field_errors", _("The report's contents are not in the expected form."))
        return cleaned, result
    groups_by_number = {tg.number: tg for tg in task_groups}
    for number, raw in (data.get("task_groups") or {}).items():
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = None
        if number not in groups_by_number or not isinstance(raw, dict):
            result.add_error("task_groups", _("There is no task group %(number)s.") % {"number": number})
            continue
        entry = {}
        # Only what ``raw`` names changes: a partial update must not clear the status.
        if "status" in raw:
            status = raw.get("status") or ""
            if status and status not in ProgressStatus.values:
                result.add_error(tg_key(number, "status"), _("Choose one of the listed statuses."))
            else:
                entry["status"] = status
        for name, cleaner in (
            ("percent_complete", clean_percent_complete),
            ("narrative", lambda v: clean_text(v, MAX_NARRATIVE_LENGTH)),
            ("evidence_links", clean_links),
        ):
            if name not in raw:
                continue
            try:
                entry[name] = cleaner(raw.get(name))
            except ValidationError as error:
                for message in error.messages:
                    result.add_error(tg_key(number, name), message)
        cleaned["task_groups"][number] = entry

    indicators_by_code = {i.code: i for i in indicators}
    for code, raw in (data.get("indicators") or {}).items():
        indicator = indicators_by_code.get(str(code))
        if indicator is None or not isinstance(raw, dict):
            result.add_error("indicators", _("There is no indicator %(code)s.") % {"code": str(code)[:20]})
            continue
        entry = {}
        try:
            entry["value"] = clean_indicator_value(indicator, raw.get("value"))
        except ValidationError as error:
            for message in error.messages:
                result.add_error(indicator_key(code, "value"), message)
        try:
            entry["note"] = clean_text(raw.get("note"), MAX_NOTE_LENGTH)
        except ValidationError as error:
            for message in error.messages:
                result.add_error(indicator_key(code, "note"), message)
        cleaned["indicators"][code] = entry
    return cleaned, result


def check_for_submission(content, indicators, *, last_approved, previous):
    """Rules that apply when a report is submitted, to its complete contents.

    ``content`` is the report's snapshot (``programmes.selectors.report_content``);
    ``last_approved`` maps indicator codes to the unit's last approved value;
    ``previous`` maps them to last quarter's value. Returns a ``CheckResult``
    whose warnings need the reporter's confirmation.
    """
    result = CheckResult()
    for number, entry in content["task_groups"].items():
        if not entry.get("status"):
            result.add_error(tg_key(number, "status"), _("Choose a status for this task group."))
        if entry.get("percent_complete") in (None, ""):
            result.add_error(tg_key(number, "percent_complete"), _("Give the percent complete."))

    factor = Decimal(str(settings.REPORT_CHANGE_WARNING_FACTOR))
    by_code = {i.code: i for i in indicators}
    for code, entry in content["indicators"].items():
        indicator = by_code.get(code)
        value = entry.get("value")
        if indicator is None or value in (None, ""):
            continue
        value = Decimal(value)
        floor = last_approved.get(code)
        if indicator.cumulative and floor is not None and value < floor and not entry.get("note"):
            result.add_error(
                indicator_key(code, "note"),
                _(
                    "This is a running total: it was %(previous)s in the last approved report. "
                    "Explain in the note why it fell to %(value)s."
                )
                % {"previous": _format(floor), "value": _format(value)},
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
                    indicator_key(code, "value"),
                    _("Changed from %(before)s last quarter to %(value)s: more than %(factor)s times. Please confirm.")
                    % {"before": _format(before), "value": _format(value), "factor": _format(factor)},
                )
            )
    return result


def _format(number):
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
