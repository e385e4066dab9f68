from django.urls import path

app_name = "programmes"

urlpatterns = []

# --- Webhook subscriptions of integrators (programmes/webhook_views.py) ---------------
from programmes import webhook_views  # noqa: E402

urlpatterns += [
    path("webhooks/", webhook_views.WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/new/", webhook_views.WebhookCreateView.as_view(), name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_views.WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:pk>/delete/", webhook_views.WebhookDeleteView.as_view(), name="webhook_delete"),
]
