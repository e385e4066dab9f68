import time

from django.core.cache import cache

# Whether the database holds demo data changes only when seed_demo runs; a
# process asks the cache at most once a minute.
DEMO_FLAG_SECONDS = 60
_demo_flag = (None, 0.0)  # (value, monotonic time it was read)


def portal(request):
    """Values every page needs: whether the database holds demo data."""
    global _demo_flag
    value, read_at = _demo_flag
    if value is None or time.monotonic() - read_at > DEMO_FLAG_SECONDS:
        value = _is_demo()
        _demo_flag = (value, time.monotonic())
    return {"portal_is_demo": value}


def _is_demo():
    from programmes.models import DemoDataset

    is_demo = cache.get("portal:is-demo")
    if is_demo is None:
        try:
            is_demo = DemoDataset.objects.exists()
        except Exception:  # noqa: BLE001 - a page must render even before migrate
            is_demo = False
        cache.set("portal:is-demo", is_demo, DEMO_FLAG_SECONDS)
    return is_demo
