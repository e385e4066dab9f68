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


# The Vietnamese alphabet (with f, j, w, z where foreign names put them): "ă" and "â"
# after "a", "đ" after "d", "ê" after "e", "ô" and "ơ" after "o", "ư" after "u".
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET, start=1)}
# Marks that make another letter (breve, circumflex, horn) and the tones, in dictionary
# order: level (none), grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def collation_key(text):
    """Sort key of ``text`` in Vietnamese dictionary order.

    Letters compare by the Vietnamese alphabet (``ALPHABET``: "Đ" right after
    every "D", not after "Y"), case ignored; the tones only break ties (Hà Nội
    before Huế, Đà Nẵng before Đắk Lắk and Bạc Liêu before Bắc Giang: "a" before "ă").
    Spaces and hyphens come before any letter, so "Hà Nam" sorts before "Hà Nội"
    and "Ha" before "Hai"; other characters after the letters, by code point.
    """
    letters, tones = [], []
    base, marks = None, []

    def flush():
        if base is None:
            return
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        if letter in _LETTER_RANK:
            letters.append(_LETTER_RANK[letter])
        elif base.isspace() or base in "-–":
            letters.append(0)
        else:
            letters.append(len(ALPHABET) + ord(base))
        tones.append(max((_TONE_RANK.get(m, 0) for m in marks), default=0))

    for char in unicodedata.normalize("NFD", normalise(text or "").lower()):
        if unicodedata.combining(char):
            marks.append(char)
            continue
        flush()
        base, marks = char, []
    flush()
    return tuple(letters), tuple(tones)


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
