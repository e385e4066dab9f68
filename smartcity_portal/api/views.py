"""``GET /api/v1/``: where everything is, for a client starting from the root."""
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# path segment → route name
ENDPOINTS = {
    "regions": "region", "provinces": "province", "frameworks": "framework", "task-groups": "task-group",
    "pillars": "pillar",
    "indicators": "indicator", "asean-cities": "asean-city", "programmes": "programme", "projects": "project",
    "reports": "report", "progress": "progress", "indicator-values": "indicator-value",
    "webhooks": "webhook", "assessments": "assessment", "maturity": "maturity",
    "reporting-status": "reporting-status", "data-value-sets": "data-value-set", "tokens": "token",
}


@extend_schema(exclude=True)
class ApiRootView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        links = {
            segment: request.build_absolute_uri(reverse(f"api:{name}-list"))
            for segment, name in ENDPOINTS.items()
        }
        links["schema"] = request.build_absolute_uri(reverse("api-schema"))
        links["docs"] = request.build_absolute_uri(reverse("api-docs"))
        return Response(links)
