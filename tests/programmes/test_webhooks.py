"""Webhooks: signed events, retries with a delivery log, who receives what, and the pages."""
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programmes import events, services, webhooks
from programmes.models import OutboxMessage, WebhookDelivery, WebhookSubscription
from smartcity_portal.accounts.models import Role
from tests.factories import ReportFactory, UserFactory, unit

pytestmark = pytest.mark.django_db

ALL_ANSWERED = {
    "nodes": {
        f"decision-950:{n}": {"status": "in-progress", "percent_complete": "40", "narrative": f"Nhóm {n}"}
        for n in range(1, 10)
    }
}


class Receiver:
    """A local HTTP endpoint answering with scripted status codes (the last one repeats)."""

    def __init__(self, statuses=(200,), hang=False):
        self.statuses = list(statuses)
        self.hang = threading.Event() if hang else None
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                if receiver.hang is not None:
                    receiver.hang.wait(10)
                    return
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver is broken")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    settings.PORTAL_BASE_URL = "https://portal.example.gov.vn"


def subscribe(owner, url, event_types=()):
    return webhooks.create_subscription(user=owner, url=url, event_types=event_types)


def submit(personas, run):
    with run(execute=True):
        report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
        report = services.submit_report(
            user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
        )
    return report


def test_an_event_is_posted_signed_with_the_subscriptions_secret(personas, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        subscription = subscribe(personas.integrator, receiver.url)
        report = submit(personas, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(subscription.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    assert not webhooks.verify("another-secret", body, headers["X-Portal-Signature"])
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Portal-Event"] == "report.submitted"
    assert headers["X-Portal-Timestamp"].isdigit()
    event = json.loads(body)
    message = OutboxMessage.objects.get(topic=events.REPORT_SUBMITTED)
    assert event["id"] == str(message.pk) and event["type"] == "report.submitted"
    assert event["created_at"]
    assert event["data"]["report_id"] == report.pk
    assert event["data"]["unit"] == "bac-ninh"
    assert (event["data"]["year"], event["data"]["quarter"]) == (2025, 3)
    assert event["data"]["status"] == "submitted" and event["data"]["version"] == report.version
    assert event["data"]["url"].startswith("https://portal.example.gov.vn/")
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Portal-Delivery"] == webhooks.delivery_uuid(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


def test_a_failing_endpoint_is_retried_and_each_attempt_is_logged(personas, django_capture_on_commit_callbacks):
    with Receiver(statuses=(500, 503, 200)) as receiver:
        subscribe(personas.integrator, receiver.url)
        submit(personas, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3 and delivery.last_status_code == 200 and delivery.last_error == ""
    # Every attempt carries the same body, signature and delivery id.
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1
    assert len({r["headers"]["X-Portal-Delivery"] for r in receiver.requests}) == 1


def test_a_permanently_failing_endpoint_ends_as_failed_with_its_error(
    personas, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    with Receiver(statuses=(500,)) as receiver:
        subscribe(personas.integrator, receiver.url)
        submit(personas, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 4 and len(receiver.requests) == 4
    assert delivery.last_status_code == 500
    assert "HTTP 500" in delivery.last_error and "receiver is broken" in delivery.last_error
    assert delivery.next_attempt_at is None
    # The report's own work is unaffected.
    assert OutboxMessage.objects.get().processed_at is not None


def test_an_endpoint_that_does_not_answer_times_out(personas, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver(hang=True) as receiver:
        subscribe(personas.integrator, receiver.url)
        submit(personas, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "timeout" in delivery.last_error and delivery.last_status_code is None


def test_retry_waits_double_each_time(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [webhooks.retry_delay(n) for n in (1, 2, 3, 7)] == [30, 60, 120, 1920]


def test_a_delivery_is_created_once_per_event_even_if_the_handler_runs_twice(
    personas, django_capture_on_commit_callbacks
):
    subscription = subscribe(personas.integrator, "https://hooks.example.com/portal")
    with django_capture_on_commit_callbacks(execute=False):
        report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
        services.submit_report(user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED)
    message = OutboxMessage.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        webhooks.create_deliveries(message)
        webhooks.create_deliveries(message)
    assert WebhookDelivery.objects.filter(subscription=subscription, event_id=message.pk).count() == 1


def test_only_subscribers_who_may_see_the_report_receive_its_events(
    personas, django_capture_on_commit_callbacks
):
    ha_noi_integrator = UserFactory(username="hn-integrator", role=Role.INTEGRATOR, unit=unit("ha-noi"))
    own = subscribe(personas.integrator, "https://own.example.com/")
    public = subscribe(personas.readonly_integrator, "https://public.example.com/")
    other = subscribe(ha_noi_integrator, "https://other.example.com/")
    approvals_only = subscribe(personas.superuser, "https://admin.example.com/", ["report.approved"])
    with django_capture_on_commit_callbacks(execute=False):
        report = services.start_report(user=personas.reporter, unit=personas.unit, year=2025, quarter=3)
        report = services.submit_report(
            user=personas.reporter, report=report, version=report.version, data=ALL_ANSWERED
        )
        services.approve_report(user=personas.reviewer, report=report, version=report.version)
    for message in OutboxMessage.objects.all():
        with django_capture_on_commit_callbacks(execute=False):
            webhooks.create_deliveries(message)

    def received(subscription):
        return set(subscription.deliveries.values_list("event_type", flat=True))

    assert received(own) == {"report.submitted", "report.approved"}
    assert received(public) == {"report.approved"}  # a submitted report is not public
    assert received(other) == {"report.approved"}  # approved reports are open to every signed-in user
    assert received(approvals_only) == {"report.approved"}


def test_a_subscriber_without_the_integrator_role_receives_nothing(personas, django_capture_on_commit_callbacks):
    # A subscription left behind by a user whose role was changed from integrator to viewer.
    subscription = WebhookSubscription.objects.create(
        owner=personas.viewer, url="https://viewer.example.com/", secret="s"
    )
    report = ReportFactory(unit=personas.unit, year=2025, quarter=3, status="approved")
    with django_capture_on_commit_callbacks(execute=False):
        message = events.record_event(events.REPORT_APPROVED, report)
        webhooks.create_deliveries(message)
    assert not subscription.deliveries.exists()


def test_private_addresses_are_refused_unless_allowed(personas, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for url in ("http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://[::1]/hook", "ftp://example.com/"):
        with pytest.raises(ValidationError):
            subscribe(personas.integrator, url)
    assert not WebhookSubscription.objects.exists()


def test_a_subscription_pointing_at_a_private_address_fails_at_once(personas, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    subscription = WebhookSubscription.objects.create(
        owner=personas.integrator, url="http://127.0.0.1:9/hook", secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_id="6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10",
        event_type="report.approved", payload={"id": "x"},
    )
    assert webhooks.attempt_delivery(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert "127.0.0.1" in delivery.last_error


def test_only_integrators_and_superusers_may_subscribe(personas):
    for user in (personas.reporter, personas.viewer, personas.reviewer):
        with pytest.raises(PermissionDenied):
            subscribe(user, "https://hooks.example.com/")
    assert subscribe(personas.readonly_integrator, "https://hooks.example.com/").secret
    assert subscribe(personas.superuser, "https://hooks.example.com/").secret


def test_secrets_are_long_random_and_distinct(personas):
    first = subscribe(personas.integrator, "https://a.example.com/")
    second = subscribe(personas.integrator, "https://b.example.com/")
    assert len(first.secret) >= 43 and first.secret != second.secret


def test_unknown_event_types_are_refused(personas):
    with pytest.raises(ValidationError):
        subscribe(personas.integrator, "https://a.example.com/", ["report.deleted"])


def test_the_sweep_requeues_a_delivery_whose_attempt_was_lost(personas):
    with Receiver() as receiver:
        subscription = subscribe(personas.integrator, receiver.url)
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event_id="6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10",
            event_type="report.approved", payload={"id": "6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10"},
        )
        summary = events.sweep_outbox(older_than=0)
        assert summary["deliveries"] == 1
        assert events.sweep_outbox(older_than=0)["deliveries"] == 0
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and len(receiver.requests) == 1


# --- pages ----------------------------------------------------------------------------


def test_an_integrator_creates_a_webhook_and_sees_its_secret_only_once(client, personas):
    client.force_login(personas.integrator)
    response = client.post(
        reverse("programmes:webhook_create"),
        {"url": "https://hooks.example.com/portal", "events": ["report.approved", "report.returned"]},
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.owner == personas.integrator
    assert subscription.events == ["report.returned", "report.approved"]
    assert subscription.secret in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]

    for url in (
        reverse("programmes:webhook_list"),
        reverse("programmes:webhook_detail", args=[subscription.pk]),
        reverse("programmes:webhook_delete", args=[subscription.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "hooks.example.com" in page.content.decode()
        assert subscription.secret not in page.content.decode()


def test_a_bad_url_re_shows_the_form_with_an_error_and_creates_nothing(client, personas, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client.force_login(personas.integrator)
    for url in ("not a url", "http://127.0.0.1/hook"):
        response = client.post(reverse("programmes:webhook_create"), {"url": url})
        assert response.status_code == 400
        assert response.context["form"].errors["url"]
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_shows_attempts_status_and_errors(client, personas):
    subscription = subscribe(personas.integrator, "https://hooks.example.com/portal")
    WebhookDelivery.objects.create(
        subscription=subscription, event_id="6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10",
        event_type="report.approved", payload={}, status="failed", attempts=8,
        last_status_code=502, last_error="HTTP 502 Bad Gateway",
    )
    client.force_login(personas.integrator)
    page = client.get(reverse("programmes:webhook_detail", args=[subscription.pk])).content.decode()
    assert "report.approved" in page and "HTTP 502 Bad Gateway" in page
    assert "6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10" in page and ">8<" in page


def test_webhook_pages_are_for_integrators_and_their_own_subscriptions(client, personas):
    subscription = subscribe(personas.integrator, "https://hooks.example.com/portal")
    detail = reverse("programmes:webhook_detail", args=[subscription.pk])

    assert client.get(detail).status_code == 302  # anonymous: to the login page
    client.force_login(personas.reporter)
    assert client.get(reverse("programmes:webhook_list")).status_code == 403
    client.force_login(personas.readonly_integrator)
    assert client.get(detail).status_code == 404
    assert client.post(reverse("programmes:webhook_delete", args=[subscription.pk])).status_code == 404
    assert "hooks.example.com" not in client.get(reverse("programmes:webhook_list")).content.decode()
    client.force_login(personas.superuser)
    assert client.get(detail).status_code == 200


def test_an_integrator_deletes_its_webhook(client, personas):
    subscription = subscribe(personas.integrator, "https://hooks.example.com/portal")
    client.force_login(personas.integrator)
    response = client.post(reverse("programmes:webhook_delete", args=[subscription.pk]))
    assert response.status_code == 302 and response.url == reverse("programmes:webhook_list")
    assert not WebhookSubscription.objects.exists()
