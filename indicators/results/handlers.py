"""The results' part of every report event: recompute what an approval, reopening or import changed.

Subscribed to the reporting layer's events (``programmes.handlers.subscribe``)
when the app is ready, so that reporting never imports results.
"""
from indicators.results import releases, services
from programmes import events
from provinces.quarters import Quarter

RECOMPUTED_ON = {events.REPORT_APPROVED, events.REPORT_REOPENED, events.REPORT_VALUES_IMPORTED}
# A reopened report only withdraws figures until it is approved again: that approval makes the release.
RELEASED_ON = {events.REPORT_APPROVED, events.REPORT_VALUES_IMPORTED}


def recompute(report_events):
    """Rewrite the results of every (unit, quarter) the events changed, at once."""
    pairs = {
        (event.payload["unit_id"], event.payload["year"], event.payload["quarter"])
        for event in report_events
        if event.topic in RECOMPUTED_ON and not event.payload.get("results_computed")
    }
    if pairs:
        services.recompute_many(sorted(pairs))


def publish_releases(report_events):
    """Build the next release of every quarter whose published figures the events changed.

    Subscribed after ``recompute``, so that it reads the results the same
    events wrote. Idempotent: a quarter whose figures equal its latest
    release gets none, so an event handled twice makes one release.
    """
    quarters = {}
    for event in report_events:
        if event.topic in RELEASED_ON:
            key = Quarter(event.payload["year"], event.payload["quarter"])
            quarters.setdefault(key, set()).add(event.payload.get("unit", ""))
    for quarter, unit_slugs in sorted(quarters.items()):
        releases.build_release(quarter, units=sorted(slug for slug in unit_slugs if slug))
