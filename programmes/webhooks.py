"""Webhooks: signed report events POSTed to integrators' URLs, retried with back-off.

For each report event, ``create_deliveries`` (an outbox handler) creates one
``WebhookDelivery`` per active subscription that wants the event and whose
owner may see the report as the event left it; the unique (subscription,
event id) pair makes that happen once however often the handler runs. Each
delivery is then queued after commit (``programmes.tasks.deliver_webhook``),
and ``attempt_delivery`` makes one attempt at a time:

- 2xx: delivered;
- anything else, a timeout or a connection error: tried again after
  ``WEBHOOK_RETRY_BASE_SECONDS × 2^(attempts − 1)``, at most
  ``WEBHOOK_MAX_ATTEMPTS`` attempts in all, then failed;
- a target on a loopback or private address (unless allowed): failed at once.

Every attempt is written on the delivery row, which the integrator sees in the
delivery log. The body is the same bytes on every attempt; the signature is
``sha256=`` + hex HMAC-SHA256 of those bytes with the subscription's secret.
"""
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import events, policies
from programmes.models import Report, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

EVENT_TYPES = events.TOPICS
EVENT_CHOICES = [
    (events.REPORT_SUBMITTED, gettext_lazy("report submitted")),
    (events.REPORT_RETURNED, gettext_lazy("report returned")),
    (events.REPORT_APPROVED, gettext_lazy("report approved")),
    (events.REPORT_REOPENED, gettext_lazy("approved report reopened")),
    (events.REPORT_VALUES_IMPORTED, gettext_lazy("values of an approved report imported")),
]
MAX_SUBSCRIPTIONS_PER_OWNER = 20
USER_AGENT = "smartcity-portal-webhooks/1"
# A queued attempt that arrives this much before its due time is a duplicate.
EARLY_TOLERANCE = timedelta(seconds=1)


class TargetRefused(Exception):
    """The URL points somewhere the portal does not post to."""


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


def event_payload(message, report):
    """The JSON event sent for an outbox ``message`` about ``report``."""
    from programmes.notifications import absolute_url, report_url

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


# --- subscriptions ----------------------------------------------------------------------


def create_subscription(*, user, url, event_types=()):
    """Register ``url`` for ``event_types`` (none: all); the returned subscription holds the new secret.

    Raises ``PermissionDenied`` for users who may not have webhooks and
    ``ValidationError`` for a URL the portal will not post to or too many
    subscriptions.
    """
    if not policies.can_manage_webhooks(user):
        raise PermissionDenied(_("Only integrators may register webhooks."))
    unknown = set(event_types) - set(EVENT_TYPES)
    if unknown:
        raise ValidationError(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))}, code="events"
        )
    try:
        check_target(url)
    except TargetRefused as error:
        raise ValidationError(str(error), code="url") from None
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
            owner=user, url=url, secret=new_secret(),
            events=[topic for topic in EVENT_TYPES if topic in set(event_types)],
        )


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


def check_target(url):
    """Raise ``TargetRefused`` unless ``url`` is http(s) to a public address (or private ones are allowed)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise TargetRefused(_("The URL's port is not valid.")) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetRefused(_("Only http and https URLs are allowed."))
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(_("The host name cannot be resolved (%(error)s).") % {"error": error}) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise TargetRefused(
                _("%(host)s is a loopback, private or reserved address; webhooks go to public addresses only.")
                % {"host": parts.hostname}
            )


def post(subscription, delivery, body):
    """One HTTP attempt; returns ``(status_code or None, error text)``."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event_type,
        "X-Portal-Delivery": delivery_uuid(delivery),
        "X-Portal-Signature": sign(subscription.secret, body),
        "X-Portal-Timestamp": str(int(timezone.now().timestamp())),
    }
    try:
        response = requests.post(
            subscription.url, data=body, headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False,
        )
    except requests.Timeout:
        return None, f"timeout after {settings.WEBHOOK_TIMEOUT_SECONDS} s"
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    excerpt = " ".join(response.text[:200].split())
    return response.status_code, f"HTTP {response.status_code} {response.reason or ''} {excerpt}".strip()[:500]


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
            delivery.last_error = "subscription deactivated"
            delivery.next_attempt_at = None
            delivery.save()
            return None
        delivery.attempts += 1
        try:
            check_target(subscription.url)
        except TargetRefused as error:
            status_code, problem, final = None, str(error), True
        else:
            status_code, problem = post(subscription, delivery, encode(delivery.payload))
            final = False
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
