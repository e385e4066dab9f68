from programmes.selectors import holds_demo_data


def portal(request):
    """Values every page needs: whether the database holds demo data, the page's canonical address.

    The canonical address is the page's path without its query (filters,
    downloads and the language live in the query or a cookie), on the host
    the request came to.
    """
    return {"portal_is_demo": holds_demo_data(), "canonical_url": request.build_absolute_uri(request.path)}
