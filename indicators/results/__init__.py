"""Results: figures computed from approved reports, and everything that reads them.

The top layer of the domain (``docs/architecture.md``): it reads reference
data (units, frameworks, indicators) and reports, and nothing below it imports
it. Results are rewritten when reports are approved or reopened
(``services``), read by the pages, the API and exports (``selectors``), and
kept in the data-versioned cache (``fragments``, ``signals``).
"""
