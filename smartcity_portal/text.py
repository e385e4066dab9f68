"""Text helpers shared by every app: Unicode normalisation and bilingual names."""
import unicodedata

from django.utils.translation import get_language


def normalise(text):
    """Return ``text`` in Unicode NFC with NUL bytes removed.

    Vietnamese can arrive composed ("ắ" as one code point) or decomposed (a
    base letter plus combining marks); storing one form makes equality and
    search behave the same for both.
    """
    if text is None:
        return None
    return unicodedata.normalize("NFC", str(text)).replace("\x00", "")


def fold(text):
    """Lower-case ``text`` and strip diacritics, for accent-insensitive search."""
    decomposed = unicodedata.normalize("NFD", normalise(text or ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


class BilingualNameMixin:
    """Models with ``name_vi`` and ``name_en``: ``name`` follows the active language."""

    @property
    def name(self):
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
# injection"); full-width forms are included because some spreadsheets fold them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value):
    """``value`` made safe for a spreadsheet cell.

    Text that a spreadsheet would run as a formula gets a leading apostrophe, so
    it is shown as text; numbers, dates and other text are returned unchanged.
    This is the only place the rule lives: every CSV and XLSX the portal writes calls it.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
