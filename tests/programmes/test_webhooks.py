"""Webhooks: signed events, retries with a delivery log, who receives what, and the pages."""
import hashlib
import hmac
import json
import shutil
import ssl
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from programmes import events, handlers, services, webhooks
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

    def __init__(self, statuses=(200,), hang=False, headers=None, answer=b"receiver is broken", tls=None):
        self.statuses = list(statuses)
        self.hang = threading.Event() if hang else None
        self.requests = []
        self.server_names = []  # SNI of each TLS handshake
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
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/portal"
        if tls is not None:
            certificate, key = tls
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificate, key)
            context.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}/hooks/portal"
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
    assert delivery.last_error == "http_error" and webhooks.failure_label(delivery.last_error, delivery.last_status_code) == "HTTP 500"
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
    assert delivery.last_error == "address_not_allowed"


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
        summary = handlers.sweep_outbox(older_than=0)
        assert summary["deliveries"] == 1
        assert handlers.sweep_outbox(older_than=0)["deliveries"] == 0
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
        last_status_code=502, last_error="http_error",
    )
    WebhookDelivery.objects.create(
        subscription=subscription, event_id="0b8e2f4c-3a55-4c4e-9a57-1f6f0b9f2d11",
        event_type="report.submitted", payload={}, status="pending", attempts=2,
        last_error="connection_refused",
    )
    client.force_login(personas.integrator)
    page = client.get(
        reverse("programmes:webhook_detail", args=[subscription.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "report.approved" in page and "HTTP 502" in page and "connection refused" in page
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


# --- where deliveries go (issue 13) ---------------------------------------------------------
#
# The portal resolves the URL's host once per attempt and connects to that address;
# `fake_dns` answers the lookups and `outside_connections` refuses (and lists) any
# connection to a non-loopback address, so nothing leaves the machine.

EVENT_ID = "6f1d7a3e-57c4-4f7b-a1b4-6ddc7c1d6e10"


def pending_delivery(owner, url):
    """A delivery to ``url``, on a subscription stored as it is (as one made before a rule was added)."""
    subscription = WebhookSubscription.objects.create(owner=owner, url=url, secret="s" * 43)
    return WebhookDelivery.objects.create(
        subscription=subscription, event_id=EVENT_ID, event_type="report.approved", payload={"id": EVENT_ID},
    )


def attempt(delivery):
    webhooks.attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1"], ["1.1.1.1", "10.0.0.7"], ["64:ff9b::7f00:1"], ["2002:7f00:1::"], ["::127.0.0.1"], ["fec0::1"]],
    ids=["loopback", "one-of-two-private", "nat64-loopback", "6to4-loopback", "ipv4-compatible", "site-local"],
)
def test_a_host_that_resolves_to_a_private_address_at_delivery_is_refused_and_nothing_is_sent(
    personas, settings, fake_dns, outside_connections, answer
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with Receiver() as receiver:
        fake_dns.answer("hooks.example.com", answer)
        delivery = attempt(pending_delivery(personas.integrator, f"http://hooks.example.com:{receiver.port}/hook"))
    assert receiver.requests == [] and outside_connections == []
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert delivery.last_error == "address_not_allowed" and delivery.last_status_code is None
    assert fake_dns.lookups == ["hooks.example.com"]


def test_the_connection_goes_to_the_first_resolved_address_even_if_a_second_lookup_would_answer_differently(
    personas, settings, fake_dns, outside_connections
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    with Receiver() as receiver:
        # DNS rebinding: public when checked, loopback when looked up again.
        fake_dns.answer("hooks.example.com", ["1.1.1.1"], ["127.0.0.1"])
        delivery = attempt(pending_delivery(personas.integrator, f"http://hooks.example.com:{receiver.port}/hook"))
    assert receiver.requests == []
    assert outside_connections == [("1.1.1.1", receiver.port)]
    assert fake_dns.lookups == ["hooks.example.com"]
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_error == "connection_refused"


def test_the_request_goes_to_the_resolved_address_and_names_the_urls_host(personas, fake_dns):
    with Receiver() as receiver:
        fake_dns.answer("hooks.example.com", ["127.0.0.1"])
        delivery = attempt(
            pending_delivery(personas.integrator, f"http://hooks.example.com:{receiver.port}/hooks/bắc-ninh?x=1")
        )
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"hooks.example.com:{receiver.port}"
    assert request["path"] == "/hooks/b%E1%BA%AFc-ninh?x=1"
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.last_error == ""


def test_redirects_are_not_followed(client, personas):
    with Receiver() as elsewhere, Receiver(statuses=(302,), headers={"Location": elsewhere.url}) as receiver:
        delivery = attempt(pending_delivery(personas.integrator, receiver.url))
    assert len(receiver.requests) == 1 and elsewhere.requests == []
    assert delivery.last_status_code == 302 and delivery.last_error == "redirect"
    client.force_login(personas.integrator)
    page = client.get(reverse("programmes:webhook_detail", args=[delivery.subscription_id]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "redirect not followed" in page


SECRET_ANSWER = b"internal admin panel: db password hunter2"


@pytest.mark.parametrize("status", [500, 404, 301])
def test_the_delivery_log_never_contains_the_response_body(client, personas, settings, status):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver(statuses=(status,), answer=SECRET_ANSWER) as receiver:
        delivery = attempt(pending_delivery(personas.integrator, receiver.url))
    assert "hunter2" not in delivery.last_error and "internal" not in delivery.last_error
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.last_status_code == status
    assert delivery.last_error == ("redirect" if status == 301 else "http_error")
    client.force_login(personas.integrator)
    page = client.get(reverse("programmes:webhook_detail", args=[delivery.subscription_id])).content.decode()
    assert "hunter2" not in page and "internal admin" not in page


def test_a_closed_port_is_logged_as_connection_refused_without_the_clients_message(personas):
    with Receiver() as receiver:
        url = receiver.url
    delivery = attempt(pending_delivery(personas.integrator, url))
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_status_code is None
    assert delivery.last_error == "connection_refused"
    with translation.override("en"):
        assert webhooks.failure_label(delivery.last_error, delivery.last_status_code) == "connection refused"


def test_an_ambiguous_url_stored_before_the_rules_fails_at_once_and_nothing_is_sent(
    personas, fake_dns, outside_connections
):
    with Receiver() as receiver:
        delivery = attempt(pending_delivery(personas.integrator, f"http://127.0.0.1:{receiver.port}\\@1.1.1.1/x"))
    assert receiver.requests == [] and outside_connections == [] and fake_dns.lookups == []
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.last_error == "invalid_url"


# --- TLS to the resolved address, checked against the URL's host ------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA and a server certificate for hooks.example.com only, made with the openssl command."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Portal test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=hooks.example.com")
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:hooks.example.com\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return {"ca": str(folder / "ca.pem"), "server": (str(folder / "server.pem"), str(folder / "server.key"))}


def test_https_goes_to_the_resolved_address_with_sni_and_the_certificate_checked_for_the_urls_host(
    personas, fake_dns, monkeypatch, certificates
):
    monkeypatch.setattr(webhooks, "ca_bundle", lambda: certificates["ca"])
    fake_dns.answer("hooks.example.com", ["127.0.0.1"])
    with Receiver(tls=certificates["server"]) as receiver:
        delivery = attempt(pending_delivery(personas.integrator, f"https://hooks.example.com:{receiver.port}/h"))
    assert delivery.status == WebhookDelivery.Status.DELIVERED, delivery.last_error
    assert receiver.server_names == ["hooks.example.com"]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.example.com:{receiver.port}"


@pytest.mark.parametrize("host", ["other.example.com", "127.0.0.1"])
def test_a_certificate_for_another_name_is_a_tls_error_and_nothing_is_sent(
    personas, fake_dns, monkeypatch, certificates, host
):
    monkeypatch.setattr(webhooks, "ca_bundle", lambda: certificates["ca"])
    fake_dns.answer("other.example.com", ["127.0.0.1"])
    with Receiver(tls=certificates["server"]) as receiver:
        delivery = attempt(pending_delivery(personas.integrator, f"https://{host}:{receiver.port}/h"))
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_error == "tls_error"


def test_delivery_logs_written_before_the_fixed_vocabulary_lose_the_targets_answers(personas):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("programmes.migrations.0005_webhook_errors_without_answers")
    subscription = WebhookSubscription.objects.create(owner=personas.integrator, url="https://a.example.com/", secret="s")
    legacy = {
        "HTTP 500 Internal Server Error db password hunter2": (500, "http_error"),
        "HTTP 302 Found <html>moved</html>": (302, "redirect"),
        "timeout after 5 s": (None, "timeout"),
        "ConnectionError: HTTPConnectionPool(host='10.0.0.7', port=8299): Connection refused": (None, "failed"),
        "subscription deactivated": (None, "subscription_deactivated"),
        "connection_refused": (None, "connection_refused"),
        "": (200, ""),
    }
    rows = {
        text: WebhookDelivery.objects.create(
            subscription=subscription, event_id=uuid.uuid4(), event_type="report.approved", payload={},
            last_error=text, last_status_code=status,
        )
        for text, (status, _code) in legacy.items()
    }
    migration.forwards(apps, None)
    for text, (_status, code) in legacy.items():
        rows[text].refresh_from_db()
        assert rows[text].last_error == code, text
