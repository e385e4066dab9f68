"""Date formats shared by both languages (``FORMAT_MODULE_PATH``).

Vietnamese and English pages write a day as 15/10/2026 and a moment as 15/10/2026 14:30,
day first: Django's English default (10/15/2026 2:30 p.m.) would read as another day on a
portal whose other dates are day first, and its Vietnamese default (14:30 15-10-2026) is a
third style. Only the short formats are set; input formats stay Django's.
"""
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
