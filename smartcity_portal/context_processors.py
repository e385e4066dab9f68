from django.core.cache import cache


def portal(request):
    """Values every page needs: whether the database holds demo data."""
    from programmes.models import DemoDataset

    is_demo = cache.get("portal:is-demo")
    if is_demo is None:
        try:
            is_demo = DemoDataset.objects.exists()
        except Exception:  # noqa: BLE001 - a page must render even before migrate
            is_demo = False
        cache.set("portal:is-demo", is_demo, 60)
    return {"portal_is_demo": is_demo}
