"""``/api/v1/webhooks/``: integrators' subscriptions through the API, with the page's rules.

The same services (``programmes.webhooks``) and policy (``policies.manageable_webhooks``)
serve the page /reports/webhooks/ and these endpoints. Ambiguous and non-public
targets are refused alike: tests/security/test_webhook_targets.py.
"""
import pytest

from programmes import webhooks
from programmes.models import WebhookSubscription
from tests.security.test_webhook_targets import AMBIGUOUS, EMBEDDED

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"


def detail(subscription):
    return f"/api/v1/webhooks/{subscription.pk}/"


@pytest.fixture(autouse=True)
def _public_hosts(settings, fake_dns):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for host in ("hooks.example.com", "new.example.com"):
        fake_dns.answer(host, ["1.1.1.1"])
    fake_dns.answer("internal.example.com", ["10.0.0.7"])


@pytest.fixture
def own(personas):
    return webhooks.create_subscription(user=personas.integrator, url="https://hooks.example.com/portal")


def test_creating_a_webhook_returns_its_secret_once_and_never_again(api, personas):
    client = api("integrator")
    response = client.post(LIST, {"url": "https://hooks.example.com/portal", "topics": ["report.approved"]},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    subscription = WebhookSubscription.objects.get()
    assert body == {
        "id": subscription.pk, "url": "https://hooks.example.com/portal", "topics": ["report.approved"],
        "is_active": True, "created_at": body["created_at"], "secret": subscription.secret,
    }
    assert len(body["secret"]) >= 43 and subscription.owner == personas.integrator
    assert response["Location"] == detail(subscription) and "no-store" in response["Cache-Control"]

    for response in (client.get(LIST), client.get(detail(subscription)),
                     client.patch(detail(subscription), {"topics": []}, format="json")):
        assert response.status_code == 200, response.content
        assert subscription.secret not in response.content.decode()
        assert "secret" not in response.content.decode()
    assert client.get(LIST).json()["results"][0]["id"] == subscription.pk


def test_topics_left_out_or_empty_mean_every_event(api):
    response = api("integrator").post(LIST, {"url": "https://hooks.example.com/portal"}, format="json")
    assert response.status_code == 201 and response.json()["topics"] == []
    assert webhooks.wants(WebhookSubscription.objects.get(), "report.reopened")


@pytest.mark.parametrize("url", AMBIGUOUS + EMBEDDED)
def test_a_refused_target_answers_400_on_url_at_creation(api, url):
    response = api("integrator").post(LIST, {"url": url, "topics": []}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"url"}
    assert not WebhookSubscription.objects.exists()


def test_a_host_resolving_to_a_private_address_answers_400_on_url(api):
    response = api("integrator").post(LIST, {"url": "https://internal.example.com/"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"url"}
    assert "public addresses only" in response.json()["url"][0]["message"]


@pytest.mark.parametrize("url", AMBIGUOUS + EMBEDDED + [pytest.param("https://internal.example.com/", id="private")])
def test_patch_refuses_the_same_targets_and_changes_nothing(api, own, url):
    response = api("integrator").patch(detail(own), {"url": url, "topics": ["report.approved"]}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"url"}
    unchanged = WebhookSubscription.objects.get()
    assert (unchanged.url, unchanged.events, unchanged.secret) == (own.url, own.events, own.secret)


def test_patch_changes_the_url_and_topics_and_keeps_the_secret(api, own):
    response = api("integrator").patch(
        detail(own), {"url": "https://new.example.com/hook", "topics": ["report.returned"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["url"] == "https://new.example.com/hook"
    changed = WebhookSubscription.objects.get()
    assert (changed.url, changed.events, changed.secret) == (
        "https://new.example.com/hook", ["report.returned"], own.secret
    )


def test_unknown_topics_answer_400_on_topics(api, own):
    client = api("integrator")
    assert set(client.post(LIST, {"url": own.url, "topics": ["report.deleted"]}, format="json").json()) == {"topics"}
    response = client.patch(detail(own), {"topics": ["report.deleted"]}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"topics"}
    assert WebhookSubscription.objects.get().events == []


def test_too_many_webhooks_answer_400_with_a_code(api, personas, monkeypatch):
    monkeypatch.setattr(webhooks, "MAX_SUBSCRIPTIONS_PER_OWNER", 1)
    client = api("integrator")
    assert client.post(LIST, {"url": "https://hooks.example.com/a"}, format="json").status_code == 201
    response = client.post(LIST, {"url": "https://hooks.example.com/b"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0]["code"] == "too_many"
    assert WebhookSubscription.objects.count() == 1


def test_another_users_webhook_answers_404_and_is_not_listed(api, own):
    other = api("readonly_integrator")
    assert other.get(LIST).json()["results"] == []
    assert other.get(detail(own)).status_code == 404
    assert other.patch(detail(own), {"url": "https://new.example.com/"}, format="json").status_code == 404
    assert other.delete(detail(own)).status_code == 404
    assert WebhookSubscription.objects.get().url == own.url


def test_a_superuser_manages_every_webhook_as_on_the_page(api, own):
    admin = api("superuser")
    assert [item["id"] for item in admin.get(LIST).json()["results"]] == [own.pk]
    assert admin.delete(detail(own)).status_code == 204
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "persona, expected",
    [("anonymous", 401), ("reporter", 403), ("other_reporter", 403), ("viewer", 403), ("reviewer", 403),
     ("integrator", 200), ("readonly_integrator", 200)],
)
def test_only_integrators_and_superusers_use_the_webhook_api(api, persona, expected):
    response = api(persona).get(LIST)
    assert response.status_code == expected, response.content
    if expected != 200:
        assert set(response.json()) == {"detail", "code"}
    created = api(persona).post(LIST, {"url": "https://hooks.example.com/x"}, format="json")
    assert created.status_code == (201 if expected == 200 else expected)


def test_an_integrator_deletes_its_webhook(api, own):
    assert api("integrator").delete(detail(own)).status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_put_is_not_offered(api, own):
    response = api("integrator").put(detail(own), {"url": own.url}, format="json")
    assert response.status_code == 405
