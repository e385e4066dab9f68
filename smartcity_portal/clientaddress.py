"""The address of the client a request comes from: one rule for lock-outs, throttles and logs.

Behind the data centre's reverse proxy every connection comes from the proxy, so
``REMOTE_ADDR`` is the proxy's address; the client's is in ``X-Forwarded-For``.
Anyone can send that header, so it is believed only as far as the deployment
says: ``TRUSTED_PROXY_COUNT`` proxies in front of the portal each append the
address they received the request from. With ``N`` trusted proxies the client
is the ``N``-th address from the right; everything to its left was written by
the client and is ignored. With ``0`` (the default) the header is ignored entirely.

django-axes (``AXES_CLIENT_IP_CALLABLE``), the API throttles, the request log and
the audit log all call ``client_address``; none reads the header itself.
"""
import ipaddress

from django.conf import settings


def _normalised(address):
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address as text, normalised; ``None`` if the request has none.

    Falls back to ``REMOTE_ADDR`` when ``X-Forwarded-For`` has fewer entries than
    there are trusted proxies, or when the chosen entry is not an IP address.
    """
    meta = request.META
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = _normalised(forwarded[-proxies])
            if address is not None:
                return address
    return _normalised(meta.get("REMOTE_ADDR"))
