"""``tokens/``: a user's API tokens through the API: list (never the secret), create, revoke.

The rules are ``accounts.services`` (expiry limits, audit entries); an administrator
may name another user (``?user=`` to list, ``"user"`` to create). A read-only token
cannot create or revoke tokens: those are writes (``PortalTokenAuthentication``).
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from smartcity_portal.accounts import services
from smartcity_portal.api.exceptions import FieldErrors
from smartcity_portal.api.parsers import JSONParser
from smartcity_portal.api.schema import errors
from smartcity_portal.api.strict import RefuseUnknownFields, check_query_parameters


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters: how it is named and revoked.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="null: the token does not expire.")
    is_expired = serializers.BooleanField()
    read_only = serializers.BooleanField(help_text="A read-only token is refused every write (403).")


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The secret: shown in this answer only, keep it now.")


class TokenCreateSerializer(RefuseUnknownFields, serializers.Serializer):
    expiry_days = serializers.IntegerField(
        required=False, allow_null=True, help_text="Days until the token expires (1–3650); null or absent: never.",
    )
    read_only = serializers.BooleanField(required=False, default=False)
    user = serializers.CharField(required=False, help_text="Administrators only: whose token to create.")


def _body(token, now=None):
    now = now or timezone.now()
    # No TokenScope row: a token made before scopes, which may write.
    scope = getattr(token, "scope", None)
    return {
        "token_key": token.token_key, "created": token.created, "expiry": token.expiry,
        "is_expired": token.expiry is not None and token.expiry <= now,
        "read_only": bool(scope and scope.read_only),
    }


@extend_schema_view(
    list=extend_schema(
        summary="Your API tokens (never their secrets)",
        description="Each token's first characters (`token_key`), creation, expiry and scope, newest first.",
        parameters=[OpenApiParameter("user", str, description="Administrators only: another user's tokens.")],
        responses={200: TokenSerializer(many=True), **errors(400, 401, 403, 429)},
    ),
    create=extend_schema(
        summary="Create an API token, optionally read-only and expiring",
        description=(
            "The answer holds the secret (`token`), which no other answer shows: keep it. A read-only token is "
            "refused every write with 403."
        ),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer, **errors(400, 401, 403, 429)},
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        description="By its `token_key`; it stops working at once. Another user's token answers 404 (administrators: any).",
        responses={204: None, **errors(401, 403, 404, 429)}),
)
class TokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    lookup_field = "token_key"
    lookup_value_regex = r"[A-Za-z0-9]{1,64}"
    serializer_class = TokenSerializer
    filter_backends = []
    pagination_class = None
    # JSON only, as the other writes: a form body that parses to nothing would create a token.
    parser_classes = [JSONParser]

    def _owner(self, name):
        if not name:
            return self.request.user
        if not self.request.user.is_superuser:
            raise FieldErrors({"user": [_("Only administrators may name another user.")]})
        return get_object_or_404(get_user_model(), username=name)

    def get_queryset(self):
        return AuthToken.objects.filter(user=self.request.user).select_related("scope").order_by("-created")

    def list(self, request, *args, **kwargs):
        check_query_parameters(request, {"user", "format"})
        owner = self._owner(request.query_params.get("user"))
        tokens = AuthToken.objects.filter(user=owner).select_related("scope").order_by("-created")
        return Response(TokenSerializer([_body(t) for t in tokens], many=True).data)

    def create(self, request, *args, **kwargs):
        check_query_parameters(request, {"format"})
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = self._owner(data.validated_data.get("user"))
        try:
            instance, secret = services.create_api_token(
                owner, expiry_days=data.validated_data.get("expiry_days"),
                read_only=data.validated_data["read_only"], request=request,
            )
        except ValidationError as error:
            field = "expiry_days" if error.code == "invalid_expiry" else "non_field_errors"
            raise FieldErrors({field: list(error.messages)}) from None
        body = {**_body(instance), "token": secret}
        if data.validated_data["read_only"]:
            body["read_only"] = True
        # The secret is in this answer only; no cache may keep it.
        return Response(TokenCreatedSerializer(body).data, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})

    def destroy(self, request, *args, **kwargs):
        key = kwargs["token_key"]
        tokens = AuthToken.objects.filter(token_key=key)
        if not request.user.is_superuser:
            tokens = tokens.filter(user=request.user)
        token = tokens.select_related("user").first()
        if token is None:
            raise NotFound()
        services.revoke_api_token(token.user, key, request=request, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
