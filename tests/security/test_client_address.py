"""The client address: X-Forwarded-For is believed only as far as TRUSTED_PROXY_COUNT says."""
import pytest
from django.test import RequestFactory

from smartcity_portal.clientaddress import client_address


def request_from(remote_addr, forwarded=None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        # No trusted proxy: the header is ignored, whatever it says.
        (0, None, "10.0.0.1"),
        (0, "203.0.113.9", "10.0.0.1"),
        (0, "203.0.113.9, 198.51.100.7", "10.0.0.1"),
        # One proxy appends the address it was reached from: the rightmost entry.
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        (1, " 203.0.113.9 ,198.51.100.7 ", "198.51.100.7"),
        # Two proxies: the second from the right; what the client wrote further left is ignored.
        (2, "203.0.113.9, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        # Fewer entries than trusted proxies, or none: the connection's address.
        (2, "198.51.100.7", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "", "10.0.0.1"),
        # The chosen entry is not an address: the connection's address, never the text.
        (1, "203.0.113.9, not-an-address", "10.0.0.1"),
        (1, "2001:DB8::0001", "2001:db8::1"),
    ],
)
def test_the_client_address_takes_the_nth_entry_from_the_right_of_x_forwarded_for(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from("10.0.0.1", forwarded)) == expected


def test_a_request_without_an_address_has_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None


def test_lock_outs_use_the_same_client_address_and_the_pair_of_address_and_name(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "smartcity_portal.clientaddress.client_address"
    # A flat list would lock by either: the pair is a list inside the list.
    assert settings.AXES_LOCKOUT_PARAMETERS == [["ip_address", "username"]]
