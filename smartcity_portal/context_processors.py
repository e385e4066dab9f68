from programmes.selectors import holds_demo_data


def portal(request):
    """Values every page needs: whether the database holds demo data."""
    return {"portal_is_demo": holds_demo_data()}
