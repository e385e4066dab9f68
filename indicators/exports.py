"""Spreadsheet downloads (CSV and XLSX): helpers every export shares."""

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
# injection"); full-width forms are included because some spreadsheets fold them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value):
    """``value`` made safe for a spreadsheet cell.

    Text that a spreadsheet would run as a formula gets a leading apostrophe, so
    it is shown as text; numbers, dates and other text are returned unchanged.
    This is the only place the rule lives: every CSV/XLSX export calls it.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
