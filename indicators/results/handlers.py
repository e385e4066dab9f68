"""The results' part of every report event: recompute what an approval, reopening or import changed.

Subscribed to the reporting layer's events (``programmes.handlers.subscribe``)
when the app is ready, so that reporting never imports results.
"""
from indicators.results import services
from programmes import events

RECOMPUTED_ON = {events.REPORT_APPROVED, events.REPORT_REOPENED, events.REPORT_VALUES_IMPORTED}


def recompute(report_events):
    """Rewrite the results of every (unit, quarter) the events changed, at once."""
    pairs = {
        (event.payload["unit_id"], event.payload["year"], event.payload["quarter"])
        for event in report_events
        if event.topic in RECOMPUTED_ON and not event.payload.get("results_computed")
    }
    if pairs:
        services.recompute_many(sorted(pairs))
