"""Webhooks: signed report events POSTed to integrators' URLs, retried with back-off.

For each report (or maturity assessment) event, ``create_deliveries`` (an outbox handler) creates one
``WebhookDelivery`` per active subscription that wants the event and whose
owner may see the report as the event left it; the unique (subscription,
event id) pair makes that happen once however often the handler runs. Each
delivery is then queued after commit (``programmes.tasks.deliver_webhook``),
and ``attempt_delivery`` makes one attempt at a time:

- 2xx: delivered;
- anything else, a timeout or a connection error: tried again after
  ``WEBHOOK_RETRY_BASE_SECONDS × 2^(attempts − 1)``, at most
  ``WEBHOOK_MAX_ATTEMPTS`` attempts in all, then failed;
- a URL that is ambiguous, or whose host resolves to any address that is not
  public (unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``): failed at once, nothing sent.

The URL is parsed once (``parse_target``), its host resolved once per attempt,
and the request sent to that address (``post``). Every attempt is written on
the delivery row, which the integrator sees in the delivery log: the status
code and a reason from a fixed vocabulary (``FAILURE_LABELS``), never what the
target answered. The body is the same bytes on every attempt; the signature is
``sha256=`` + hex HMAC-SHA256 of those bytes with the subscription's secret.
"""
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import os
import re
import secrets
import socket
import ssl
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import certifi
import idna
import urllib3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from requests.utils import requote_uri

from programmes import events, policies
from programmes.models import Assessment, Report, WebhookDelivery, WebhookSubscription
from programmes.notifications import absolute_url, report_url

logger = logging.getLogger(__name__)

EVENT_TYPES = events.TOPICS
EVENT_CHOICES = [
    (events.REPORT_SUBMITTED, gettext_lazy("report submitted")),
    (events.REPORT_RETURNED, gettext_lazy("report returned")),
    (events.REPORT_APPROVED, gettext_lazy("report approved")),
    (events.REPORT_REOPENED, gettext_lazy("approved report reopened")),
    (events.REPORT_VALUES_IMPORTED, gettext_lazy("values of an approved report imported")),
    (events.ASSESSMENT_SUBMITTED, gettext_lazy("maturity assessment submitted")),
    (events.ASSESSMENT_RETURNED, gettext_lazy("maturity assessment returned")),
    (events.ASSESSMENT_APPROVED, gettext_lazy("maturity assessment approved")),
    (events.ASSESSMENT_REOPENED, gettext_lazy("approved maturity assessment reopened")),
]
MAX_SUBSCRIPTIONS_PER_OWNER = 20
USER_AGENT = "smartcity-portal-webhooks/1"
# A queued attempt that arrives this much before its due time is a duplicate.
EARLY_TOLERANCE = timedelta(seconds=1)


def new_secret():
    return secrets.token_urlsafe(32)


def sign(secret, body):
    """The value of ``X-Portal-Signature`` for ``body`` (bytes)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret, body, signature):
    """True if ``signature`` (the header's value) matches ``body``; for receivers and tests."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def encode(payload):
    """The exact bytes sent: compact, key-sorted JSON in UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def delivery_uuid(delivery):
    """A stable id per (event, subscription), sent as ``X-Portal-Delivery`` on every attempt."""
    return str(uuid.uuid5(delivery.event_id, f"subscription:{delivery.subscription_id}"))


def assessment_event_payload(message, assessment):
    """The JSON event sent for an outbox ``message`` about a maturity ``assessment``."""
    from django.urls import reverse

    from programmes.notifications import absolute_url, assessment_url

    payload = message.payload
    try:
        api_url = absolute_url(reverse("api:assessment-detail", kwargs={"pk": assessment.pk}))
    except Exception:  # noqa: BLE001 - the API URL is a convenience, never a reason to fail
        api_url = None
    return {
        "id": str(message.pk),
        "type": message.topic,
        "created_at": message.created_at.isoformat(),
        "data": {
            "assessment_id": assessment.pk,
            "unit": payload.get("unit", assessment.unit.slug),
            "year": payload["year"],
            "framework": payload["framework"],
            "framework_version": payload["framework_version"],
            "status": payload["status"],
            "version": payload["version"],
            "url": assessment_url(assessment),
            "api_url": api_url,
        },
    }


def event_payload(message, report):
    """The JSON event sent for an outbox ``message`` about ``report`` (or an assessment)."""
    if isinstance(report, Assessment):
        return assessment_event_payload(message, report)
    payload = message.payload
    try:
        from django.urls import reverse

        api_url = absolute_url(reverse("api:report-detail", kwargs={"pk": report.pk}))
    except Exception:  # noqa: BLE001 - the API URL is a convenience, never a reason to fail
        api_url = None
    return {
        "id": str(message.pk),
        "type": message.topic,
        "created_at": message.created_at.isoformat(),
        "data": {
            "report_id": report.pk,
            "unit": payload.get("unit", report.unit.slug),
            "year": payload["year"],
            "quarter": payload["quarter"],
            "status": payload["status"],
            "version": payload["version"],
            "url": report_url(report),
            "api_url": api_url,
        },
    }


# --- targets ----------------------------------------------------------------------------
#
# A URL is parsed once, here, and never handed to another parser: the delivery
# connects to an address this module resolved itself and sends the path it
# parsed. Anything two parsers could read differently (a backslash, userinfo,
# percent-encoded or Unicode host bytes, an IPv4 address in a form other than
# a.b.c.d) is refused, whatever WEBHOOK_ALLOW_PRIVATE_TARGETS says.

MAX_URL_LENGTH = 500
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_DOTTED_QUAD = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}")
_PORT = re.compile(r"[0-9]{1,5}")
# Ranges whose addresses carry an IPv4 address that is where the packets really go.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: never global
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")

# Why an attempt failed, as stored in ``WebhookDelivery.last_error``: a fixed
# vocabulary, so that the delivery log never repeats what a target answered.
TIMED_OUT = "timeout"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_FAILED = "connection_failed"
TLS_ERROR = "tls_error"
DNS_FAILED = "dns_failed"
REDIRECT = "redirect"
HTTP_ERROR = "http_error"
ADDRESS_NOT_ALLOWED = "address_not_allowed"
INVALID_URL = "invalid_url"
SUBSCRIPTION_DEACTIVATED = "subscription_deactivated"
FAILED = "failed"  # rows written before the vocabulary existed
FAILURE_LABELS = {
    TIMED_OUT: gettext_lazy("timed out"),
    CONNECTION_REFUSED: gettext_lazy("connection refused"),
    CONNECTION_FAILED: gettext_lazy("connection failed"),
    TLS_ERROR: gettext_lazy("TLS error"),
    DNS_FAILED: gettext_lazy("host name not found"),
    REDIRECT: gettext_lazy("redirect not followed"),
    ADDRESS_NOT_ALLOWED: gettext_lazy("address not allowed"),
    INVALID_URL: gettext_lazy("URL not allowed"),
    SUBSCRIPTION_DEACTIVATED: gettext_lazy("webhook deactivated"),
    FAILED: gettext_lazy("delivery failed"),
}


def failure_label(reason, status_code=None):
    """What the delivery log shows for ``reason`` (a ``last_error`` value): never free text."""
    if not reason:
        return ""
    if reason == HTTP_ERROR or (reason not in FAILURE_LABELS and status_code):
        return _("HTTP %(status)s") % {"status": status_code}
    return str(FAILURE_LABELS.get(reason, FAILURE_LABELS[FAILED]))


class TargetRefused(Exception):
    """The URL points somewhere the portal does not post to.

    ``reason`` is the delivery log's code for it: ``INVALID_URL`` for a URL
    that cannot be read one way only, ``ADDRESS_NOT_ALLOWED`` for a host on a
    non-public address, ``DNS_FAILED`` for a name that does not resolve.
    """

    def __init__(self, message, reason=INVALID_URL):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A webhook URL read once: where to connect and what to send."""

    scheme: str
    host: str  # an ASCII host name, or an IP address in its canonical text
    port: int
    path: str  # path and query, as sent on the request line
    address: object = None  # the host, when the URL names an IP address

    @property
    def host_header(self):
        host = f"[{self.host}]" if isinstance(self.address, ipaddress.IPv6Address) else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _refuse(message):
    raise TargetRefused(message, INVALID_URL)


def parse_target(url):
    """The ``Target`` of ``url``; ``TargetRefused`` if it is not one unambiguous http(s) URL."""
    if not isinstance(url, str) or not url:
        _refuse(_("Enter a URL."))
    if len(url) > MAX_URL_LENGTH:
        _refuse(_("The URL is longer than %(max)s characters.") % {"max": MAX_URL_LENGTH})
    # Categories C (controls, format characters such as zero-width spaces, surrogates) and Z (spaces).
    if any(unicodedata.category(char)[0] in "CZ" for char in url):
        _refuse(_("The URL contains spaces or control characters."))
    if "\\" in url:
        _refuse(_("The URL contains a backslash."))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or url[len(parts.scheme):len(parts.scheme) + 3] != "://":
        _refuse(_("Only http and https URLs are allowed."))
    netloc = parts.netloc
    if not netloc:
        _refuse(_("The URL has no host."))
    if "@" in netloc:
        _refuse(_("The URL contains a user name or password (an “@” before the host); they are not allowed."))
    if "%" in netloc:
        _refuse(_("The URL's host contains percent-encoded characters."))
    if netloc.startswith("["):
        host_text, bracket, port_part = netloc[1:].partition("]")
        if not bracket or (port_part and not port_part.startswith(":")):
            _refuse(_("The URL's host is not valid."))
        try:
            address = ipaddress.IPv6Address(host_text)
        except ValueError:
            _refuse(_("The URL's host is not a valid IPv6 address."))
        host = address.compressed
        port_text = port_part[1:] if port_part else None
    else:
        host_text, colon, port_text = netloc.partition(":")
        if ":" in port_text:
            _refuse(_("An IPv6 address in a URL must be written in brackets, e.g. https://[2001:db8::1]/."))
        if not colon:
            port_text = None
        host, address = _host_name_or_ipv4(host_text)
    if port_text is None:
        port = DEFAULT_PORTS[scheme]
    elif not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
        _refuse(_("The URL's port is not valid."))
    else:
        port = int(port_text)
    # The same check as the web form's, so that page and API accept the same URLs.
    try:
        URLValidator(schemes=list(DEFAULT_PORTS))(url)
    except ValidationError:
        _refuse(_("Enter a valid URL."))
    path = requote_uri(parts.path or "/") + (f"?{requote_uri(parts.query)}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, address=address)


def _host_name_or_ipv4(text):
    if not text:
        _refuse(_("The URL has no host."))
    if text.isascii():
        host = text.lower()
    else:
        try:
            # The mapping requests would apply; full-width digits and dots become ASCII ones.
            host = idna.encode(text, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            _refuse(_("The URL's host name is not valid."))
    last_label = host.rstrip(".").rpartition(".")[2]
    # Like browsers, any host ending in a number is an IPv4 address; only the usual
    # dotted form is accepted (not 0177.0.0.1, 127.1, 0x7f000001 or 2130706433).
    if last_label.isdigit() or last_label.startswith("0x"):
        if text != host or not _DOTTED_QUAD.fullmatch(host) or any(int(n) > 255 for n in host.split(".")):
            _refuse(_("Write an IPv4 address in the usual form of four decimal numbers, e.g. 203.0.113.7."))
        return host, ipaddress.IPv4Address(host)
    if host.endswith(".") or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        _refuse(_("The URL's host name is not valid."))
    return host, None


def embedded_ipv4(address):
    """The IPv4 addresses that packets to the IPv6 ``address`` actually reach (NAT64, 6to4, Teredo…)."""
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour:
        return [address.sixtofour]
    if address.teredo:
        return list(address.teredo)
    return []


def is_public(address):
    """May the portal post to ``address``? Only to globally routed unicast addresses."""
    if address.is_multicast or address.is_unspecified or address.is_loopback or address.is_link_local:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global
    if address.is_site_local or address in UNIQUE_LOCAL or address in NAT64_LOCAL:
        return False
    embedded = embedded_ipv4(address)
    if embedded:
        # Python calls 64:ff9b::7f00:1 and 2002:7f00:1:: global; what counts is the IPv4 inside.
        return all(is_public(inner) for inner in embedded)
    return address.is_global


def resolve(target):
    """The addresses of ``target``'s host, in the resolver's order: one lookup, never repeated."""
    if target.address is not None:
        return [target.address]
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise TargetRefused(_("The host name cannot be resolved."), DNS_FAILED) from None
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(sockaddr[0].split("%")[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise TargetRefused(_("The host name cannot be resolved."), DNS_FAILED)
    return addresses


def allowed_addresses(target):
    """``resolve(target)``, refused unless every address is public (or private ones are allowed)."""
    addresses = resolve(target)
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(is_public(a) for a in addresses):
        raise TargetRefused(
            _("%(host)s is or resolves to a loopback, private or reserved address; "
              "webhooks go to public addresses only.") % {"host": target.host},
            ADDRESS_NOT_ALLOWED,
        )
    return addresses


def check_target(url):
    """Raise ``TargetRefused`` unless the portal may post to ``url``; return its ``Target``.

    The URL must be unambiguous always; unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``
    is on, its host must also resolve to public addresses only. Deliveries
    check again, on the addresses they connect to.
    """
    target = parse_target(url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        allowed_addresses(target)
    return target


# --- subscriptions ----------------------------------------------------------------------


def _clean_event_types(event_types):
    unknown = set(event_types) - set(EVENT_TYPES)
    if unknown:
        raise ValidationError(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))}, code="events"
        )
    return [topic for topic in EVENT_TYPES if topic in set(event_types)]


def _clean_url(url):
    try:
        check_target(url)
    except TargetRefused as error:
        raise ValidationError(str(error), code="url") from None
    return url


def create_subscription(*, user, url, event_types=()):
    """Register ``url`` for ``event_types`` (none: all); the returned subscription holds the new secret.

    Raises ``PermissionDenied`` for users who may not have webhooks and
    ``ValidationError`` for a URL the portal will not post to (code ``url``),
    unknown event types (``events``) or too many subscriptions (``too_many``).
    """
    if not policies.can_manage_webhooks(user):
        raise PermissionDenied(_("Only integrators may register webhooks."))
    events_wanted = _clean_event_types(event_types)
    url = _clean_url(url)
    with transaction.atomic():
        # Locks the owner's row so that two concurrent creations count each other.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if WebhookSubscription.objects.filter(owner=user).count() >= MAX_SUBSCRIPTIONS_PER_OWNER:
            raise ValidationError(
                _("You already have %(max)s webhooks; delete one first.")
                % {"max": MAX_SUBSCRIPTIONS_PER_OWNER},
                code="too_many",
            )
        return WebhookSubscription.objects.create(
            owner=user, url=url, secret=new_secret(), events=events_wanted,
        )


def update_subscription(*, user, subscription, url=None, event_types=None):
    """Change the URL and/or the event types (``None``: unchanged) of a subscription, by the rules of creation.

    The secret stays the same. Raises ``PermissionDenied`` and
    ``ValidationError`` as ``create_subscription`` does; nothing changes then.
    """
    if not policies.can_manage_webhook(user, subscription):
        raise PermissionDenied(_("You may not change this webhook."))
    changes = {}
    if event_types is not None:
        changes["events"] = _clean_event_types(event_types)
    if url is not None:
        changes["url"] = _clean_url(url)
    for field, value in changes.items():
        setattr(subscription, field, value)
    if changes:
        subscription.save(update_fields=list(changes))
    return subscription


def delete_subscription(*, user, subscription):
    """Delete a subscription and its delivery log."""
    if not policies.can_manage_webhook(user, subscription):
        raise PermissionDenied(_("You may not change this webhook."))
    subscription.delete()


# --- deliveries -------------------------------------------------------------------------


def wants(subscription, topic):
    return not subscription.events or topic in subscription.events


def create_deliveries(message):
    """Outbox handler: one delivery per interested subscription, queued after commit."""
    if message.topic not in EVENT_TYPES:
        return []
    if events.is_assessment_event(message.topic):
        report = Assessment.objects.select_related("unit").filter(pk=message.payload["assessment_id"]).first()
    else:
        report = Report.objects.select_related("unit").filter(pk=message.payload["report_id"]).first()
    if report is None:
        return []
    # Who may see it is judged on the report as the event left it, not as it is now.
    report.status = message.payload.get("status", report.status)
    body = None
    created = []
    for subscription in WebhookSubscription.objects.filter(is_active=True).select_related("owner"):
        owner = subscription.owner
        if not wants(subscription, message.topic):
            continue
        if not (policies.can_manage_webhooks(owner) and policies.can_view_report(owner, report)):
            continue
        if body is None:
            body = event_payload(message, report)
        delivery, is_new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event_id=message.pk,
            defaults={"event_type": message.topic, "payload": body, "next_attempt_at": timezone.now()},
        )
        if is_new:
            created.append(delivery.pk)
    if created:
        transaction.on_commit(lambda: queue_deliveries(created))
    return []


def queue_deliveries(delivery_ids):
    for delivery_id in delivery_ids:
        events.queue(events.DELIVER_TASK, delivery_id)


def ca_bundle():
    """The CA certificates deliveries trust: requests' own choice (``REQUESTS_CA_BUNDLE``, else certifi's)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()


def connection_pool(target, address):
    """A urllib3 pool that connects to ``address`` (never looked up again) and checks TLS for the URL's host.

    Proxies from the environment are deliberately not used: a proxy would look the
    name up again itself.
    """
    options = {"port": target.port, "maxsize": 1, "retries": False}
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(str(address), **options)
    name = None if target.address is not None else target.host
    return urllib3.HTTPSConnectionPool(
        str(address), cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle(),
        # SNI and the certificate check use the host of the URL, not the address.
        server_hostname=name, assert_hostname=name, **options,
    )


def _failure_reason(error):
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        refused = isinstance(error.__cause__, ConnectionRefusedError) or "refused" in str(error).lower()
        return CONNECTION_REFUSED if refused else CONNECTION_FAILED
    if isinstance(error, (urllib3.exceptions.SSLError, ssl.SSLError, ssl.CertificateError)):
        return TLS_ERROR
    if isinstance(error, (urllib3.exceptions.TimeoutError, TimeoutError)):
        return TIMED_OUT
    return CONNECTION_FAILED


def post(subscription, delivery, body):
    """One HTTP attempt; returns ``(status_code or None, reason, final)``.

    ``reason`` is empty on success, else a code of the fixed vocabulary
    (``FAILURE_LABELS``); ``final`` means trying again cannot help. The URL is
    read with ``parse_target``, its host resolved once, and the request sent to
    the first address of that one answer (a second lookup could answer a
    different one: DNS rebinding). Redirects are not followed; the answer's
    body is never read.
    """
    try:
        target = parse_target(subscription.url)
        address = allowed_addresses(target)[0]
    except TargetRefused as error:
        return None, error.reason, error.reason != DNS_FAILED
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event_type,
        "X-Portal-Delivery": delivery_uuid(delivery),
        "X-Portal-Signature": sign(subscription.secret, body),
        "X-Portal-Timestamp": str(int(timezone.now().timestamp())),
    }
    seconds = settings.WEBHOOK_TIMEOUT_SECONDS
    pool = connection_pool(target, address)
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers=headers, retries=False, redirect=False,
            assert_same_host=False, preload_content=False,
            timeout=urllib3.Timeout(connect=seconds, read=seconds),
        )
        response.close()
    except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as error:
        # The exception's text may quote the target's answer: it goes to the operators' log only.
        logger.info("webhook delivery %s to %s failed: %r", delivery.pk, address, error)
        return None, _failure_reason(error), False
    finally:
        pool.close()
    status_code = response.status
    if 200 <= status_code < 300:
        return status_code, "", False
    return status_code, REDIRECT if 300 <= status_code < 400 else HTTP_ERROR, False


def retry_delay(attempts):
    """Seconds to wait after ``attempts`` failed attempts."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)


def attempt_delivery(delivery_id, *, early_ok=False):
    """Make one attempt at a pending delivery; return seconds until the next one, or None.

    The delivery row stays locked during the attempt, so two workers handed the
    same delivery (a retry and a sweep) never post it twice at once; an attempt
    that comes before the next one is due is a duplicate and does nothing,
    unless ``early_ok``.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        if not early_ok and delivery.next_attempt_at and delivery.next_attempt_at > now + EARLY_TOLERANCE:
            return None
        subscription = delivery.subscription
        if not subscription.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = SUBSCRIPTION_DEACTIVATED
            delivery.next_attempt_at = None
            delivery.save()
            return None
        delivery.attempts += 1
        status_code, problem, final = post(subscription, delivery, encode(delivery.payload))
        now = timezone.now()
        delivery.last_status_code = status_code
        delivery.last_error = problem
        delay = None
        if status_code is not None and not problem:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif final or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delay = retry_delay(delivery.attempts)
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save()
    log = logger.info if delivery.status != WebhookDelivery.Status.FAILED else logger.warning
    log(
        "webhook delivery %s attempt %s: %s %s",
        delivery.pk, delivery.attempts, delivery.status, problem or status_code,
    )
    return delay
