"""Webhook targets (issue 13): a URL that two parsers could read differently, or a host on a
non-public address, is refused on the page and in the API alike, and nothing is stored.

The portal reads a URL once (``webhooks.parse_target``) and posts to the address it
resolved itself; see tests/programmes/test_webhooks.py for the deliveries.
"""
import ipaddress

import pytest
from django.urls import reverse

from programmes import webhooks
from programmes.models import WebhookSubscription
from tests.factories import api_client, api_errors

pytestmark = pytest.mark.django_db

# Each of these reaches a loopback address through a parser other than the one that checked it.
AMBIGUOUS_URLS = {
    "backslash before userinfo": "http://127.0.0.1:8299\\@1.1.1.1/x",
    "backslash in path": "http://1.1.1.1\\x/",
    "userinfo": "http://1.1.1.1@127.0.0.1/",
    "user and password": "http://user:secret@hooks.example.com/",
    "empty userinfo": "http://@hooks.example.com/",
    "tab in host": "http://hooks.exa\tmple.com/",
    "newline": "http://hooks.example.com/x\r\nX-Injected: 1",
    "space in host": "http://hooks.example.com @127.0.0.1/",
    "NUL byte": "http://hooks.example.com\x00.127.0.0.1/",
    "zero-width space": "http://hooks\u200b.example.com/",
    "no-break space": "http://hooks.example.com\u00a0/",
    "percent-encoded host": "http://%31%32%37.0.0.1/",
    "percent-encoded dot": "http://127%2e0.0.1/",
    "octal IPv4": "http://0177.0.0.1/",
    "leading zeros": "http://127.000.000.001/",
    "short IPv4": "http://127.1/",
    "hexadecimal IPv4": "http://0x7f000001/",
    "hexadecimal octet": "http://0x7f.0.0.1/",
    "decimal IPv4": "http://2130706433/",
    "IPv4 with a trailing dot": "http://127.0.0.1./",
    "full-width digits": "http://\uff11\uff12\uff17.0.0.1/",
    "ideographic full stops": "http://127\u30020\u30020\u30021/",
    "IPv6 zone id": "http://[fe80::1%25eth0]/",
    "IPv6 without brackets": "http://::1/",
    "single slash": "http:/127.0.0.1/",
    "no slashes": "http:127.0.0.1/",
    "empty port": "http://hooks.example.com:/",
    "non-ASCII port digits": "http://hooks.example.com:\u0668\u0660/",
}

# IPv6 addresses that Python calls global, or whose traffic ends on a non-public IPv4 address.
EMBEDDED_PRIVATE_IPV6 = {
    "NAT64 of 127.0.0.1": "http://[64:ff9b::7f00:1]/",
    "NAT64 of 10.0.0.1": "http://[64:ff9b::a00:1]/",
    "NAT64 local-use prefix": "http://[64:ff9b:1::a00:1]/",
    "6to4 of 127.0.0.1": "http://[2002:7f00:1::]/",
    "6to4 of 192.168.0.1": "http://[2002:c0a8:1::1]/",
    "IPv4-compatible 127.0.0.1": "http://[::127.0.0.1]/",
    "IPv4-compatible 169.254.169.254": "http://[::a9fe:a9fe]/",
    "IPv4-mapped 127.0.0.1": "http://[::ffff:127.0.0.1]/",
    "Teredo to 192.0.2.45": "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "unique-local": "http://[fd00::1]/",
    "link-local": "http://[fe80::1]/",
    "site-local": "http://[fec0::1]/",
    "multicast": "http://[ff02::1]/",
    "loopback": "http://[::1]/",
}

AMBIGUOUS = [pytest.param(url, id=name) for name, url in AMBIGUOUS_URLS.items()]
EMBEDDED = [pytest.param(url, id=name) for name, url in EMBEDDED_PRIVATE_IPV6.items()]


@pytest.fixture
def webhook_dns(fake_dns):
    # A public host for the URLs that must be accepted; nothing is ever sent to it here.
    fake_dns.answer("hooks.example.com", ["1.1.1.1"])
    return fake_dns


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("allow_private", [False, True], ids=["private-refused", "private-allowed"])
@pytest.mark.parametrize("url", AMBIGUOUS)
def test_each_ambiguous_url_form_is_refused_even_where_private_targets_are_allowed(
    settings, webhook_dns, url, allow_private
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = allow_private
    with pytest.raises(webhooks.TargetRefused) as refused:
        webhooks.check_target(url)
    assert getattr(refused.value, "reason", None) == "invalid_url"
    assert webhook_dns.lookups == []  # refused before anything is looked up


@pytest.mark.parametrize("url", EMBEDDED)
def test_each_ipv6_form_embedding_a_non_public_ipv4_or_a_local_range_is_refused(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(webhooks.TargetRefused) as refused:
        webhooks.check_target(url)
    assert getattr(refused.value, "reason", None) == "address_not_allowed"


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::101:101", "2002:101:101::1", "::ffff:1.1.1.1", "2606:4700:4700::1111", "1.1.1.1"],
)
def test_addresses_that_reach_a_public_ipv4_or_are_global_ipv6_are_allowed(address):
    assert webhooks.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "240.0.0.1"],
)
def test_non_public_ipv4_addresses_are_refused(address):
    assert not webhooks.is_public(ipaddress.ip_address(address))


def test_a_clean_url_is_read_once_into_host_port_and_path(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    target = webhooks.parse_target("https://Hooks.Example.com:8443/a%20b/ộ?x=1&y=ả")
    assert (target.scheme, target.host, target.port, target.address) == ("https", "hooks.example.com", 8443, None)
    assert target.path == "/a%20b/%E1%BB%99?x=1&y=%E1%BA%A3"
    assert target.host_header == "hooks.example.com:8443"
    v6 = webhooks.parse_target("http://[2606:4700:4700::1111]/")
    assert (v6.host, v6.port, v6.path, v6.host_header) == ("2606:4700:4700::1111", 80, "/", "[2606:4700:4700::1111]")


def test_a_host_name_that_resolves_to_any_non_public_address_is_refused_at_subscription(settings, fake_dns):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    fake_dns.answer("mixed.example.com", ["1.1.1.1", "10.0.0.7"])
    fake_dns.answer("nat64.example.com", ["64:ff9b::7f00:1"])
    for host in ("mixed.example.com", "nat64.example.com"):
        with pytest.raises(webhooks.TargetRefused) as refused:
            webhooks.check_target(f"https://{host}/hook")
        assert getattr(refused.value, "reason", None) == "address_not_allowed"


# --- the page and the API refuse the same URLs ---------------------------------------------------


def _page_refuses(client, url):
    response = client.post(reverse("programmes:webhook_create"), {"url": url})
    assert response.status_code == 400, url
    assert response.context["form"].errors["url"], url


def _api_refuses(api, url):
    response = api.post("/api/v1/webhooks/", {"url": url, "topics": []}, format="json")
    assert response.status_code == 400, (url, response.content)
    body = response.json()
    assert set(api_errors(body)) == {"url"} and all(m for m in api_errors(body)["url"]), body


@pytest.mark.parametrize("url", AMBIGUOUS)
def test_each_ambiguous_url_form_is_refused_at_subscription_on_the_page_and_in_the_api(
    client, personas, settings, webhook_dns, url
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    client.force_login(personas.integrator)
    _page_refuses(client, url)
    _api_refuses(api_client(personas.integrator), url)
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", EMBEDDED)
def test_each_embedded_ipv4_ipv6_form_is_refused_at_subscription_on_the_page_and_in_the_api(
    client, personas, settings, url
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client.force_login(personas.integrator)
    _page_refuses(client, url)
    _api_refuses(api_client(personas.integrator), url)
    assert not WebhookSubscription.objects.exists()


def test_the_refusal_says_what_is_wrong_in_the_users_language(personas, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True

    def refusal(url, language):
        return api_client(personas.integrator, language).post("/api/v1/webhooks/", {"url": url}, format="json").json()

    assert api_errors(refusal(AMBIGUOUS_URLS["backslash before userinfo"], "en")) == {
        "url": ["The URL contains a backslash."]
    }
    octal = AMBIGUOUS_URLS["octal IPv4"]
    assert api_errors(refusal(octal, "en")) == {
        "url": ["Write an IPv4 address in the usual form of four decimal numbers, e.g. 203.0.113.7."]
    }
    assert refusal(octal, "vi")["url"] != refusal(octal, "en")["url"]


def test_a_clean_url_to_a_public_host_is_accepted_on_the_page_and_in_the_api(client, personas, settings, webhook_dns):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client.force_login(personas.integrator)
    assert client.post(reverse("programmes:webhook_create"), {"url": "https://hooks.example.com/a"}).status_code == 200
    response = api_client(personas.integrator).post(
        "/api/v1/webhooks/", {"url": "https://hooks.example.com/b"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert WebhookSubscription.objects.count() == 2
