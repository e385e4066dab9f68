"""Integrators' webhook pages: their subscriptions, a new one (secret shown once), the delivery log.

Rules live in ``programmes.webhooks`` and ``programmes.policies``. Another
owner's subscription answers 404, so its existence is not revealed.
"""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache

from programmes import policies, webhooks
from programmes.models import WebhookDelivery, WebhookSubscription
from smartcity_portal.paging import page_or_404

DELIVERIES_PER_PAGE = 50


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The portal POSTs signed JSON events to this address; use https."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=webhooks.EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to receive every event."),
    )


class _WebhookPage(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policies.can_manage_webhooks(request.user):
            raise PermissionDenied(_("Only integrators may manage webhooks."))
        return super().dispatch(request, *args, **kwargs)

    def subscriptions(self):
        return policies.manageable_webhooks(self.request.user, WebhookSubscription.objects.select_related("owner"))

    def subscription(self, pk):
        subscription = get_object_or_404(self.subscriptions(), pk=pk)
        if not policies.can_manage_webhook(self.request.user, subscription):
            raise PermissionDenied
        return subscription


class WebhookListView(_WebhookPage):
    """``/reports/webhooks/``: the user's subscriptions and how their deliveries went."""

    def get(self, request):
        subscriptions = self.subscriptions().annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.DELIVERED)),
            pending=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
            last_event_at=Max("deliveries__created_at"),
        )
        return render(request, "programmes/webhooks/list.html", {
            "subscriptions": subscriptions,
            "event_labels": dict(webhooks.EVENT_CHOICES),
        })


@method_decorator(never_cache, name="dispatch")
class WebhookCreateView(_WebhookPage):
    """``/reports/webhooks/new/``: register a URL; the answer shows the secret, once."""

    def get(self, request):
        return render(request, "programmes/webhooks/form.html", {"form": SubscriptionForm()})

    def post(self, request):
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                subscription = webhooks.create_subscription(
                    user=request.user, url=form.cleaned_data["url"], event_types=form.cleaned_data["events"]
                )
            except ValidationError as error:
                field = "events" if error.code == "events" else ("url" if error.code == "url" else None)
                form.add_error(field, error)
            else:
                # Rendered, not redirected: the secret is in this response only and never stored elsewhere.
                return render(request, "programmes/webhooks/created.html", {
                    "subscription": subscription,
                    "event_labels": dict(webhooks.EVENT_CHOICES),
                })
        return render(request, "programmes/webhooks/form.html", {"form": form}, status=400)


class WebhookDetailView(_WebhookPage):
    """``/reports/webhooks/<pk>/``: the subscription and its delivery log, newest first."""

    def get(self, request, pk):
        subscription = self.subscription(pk)
        deliveries = subscription.deliveries.order_by("-created_at", "-pk")
        page = page_or_404(request, deliveries, DELIVERIES_PER_PAGE)
        for delivery in page.object_list:
            delivery.failure_reason = webhooks.failure_label(delivery.last_error, delivery.last_status_code)
        return render(request, "programmes/webhooks/detail.html", {
            "subscription": subscription,
            "page": page,
            "event_labels": dict(webhooks.EVENT_CHOICES),
            "max_attempts": settings.WEBHOOK_MAX_ATTEMPTS,
        })


class WebhookDeleteView(_WebhookPage):
    """``/reports/webhooks/<pk>/delete/``: confirm, then delete the subscription and its log."""

    def get(self, request, pk):
        return render(request, "programmes/webhooks/delete.html", {"subscription": self.subscription(pk)})

    def post(self, request, pk):
        subscription = self.subscription(pk)
        webhooks.delete_subscription(user=request.user, subscription=subscription)
        messages.success(request, _("The webhook was deleted; it receives no more events."))
        return redirect("programmes:webhook_list")
