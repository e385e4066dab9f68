import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from smartcity_portal.accounts import selectors, services
from smartcity_portal.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
)
from smartcity_portal.clientaddress import client_address
from smartcity_portal.middleware import SESSION_ENDED_PARAMETER, SESSION_ENDED_VALUE


class LoginView(auth_views.LoginView):
    # Signed-in users see the form too (Django's default): sending them on to ``next``
    # would loop between a page they may not see and this one.
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        # A form posted after the session ended (smartcity_portal.middleware.SessionEndedMiddleware):
        # the page says why the user is here and that the form kept their text.
        ended = self.request.GET.get(SESSION_ENDED_PARAMETER) == SESSION_ENDED_VALUE
        return super().get_context_data(session_ended=ended, **kwargs)


# Touched at most once a minute, however often the page asks: each touch writes the session.
KEEP_ALIVE_MIN_INTERVAL = 60
_TOUCHED = "_touched"


@method_decorator(never_cache, name="dispatch")
class SessionView(View):
    """``/accounts/session/``: is the session alive? Asking keeps it alive.

    A form being filled in asks every few minutes while the user types (``static/js/drafts.js``), so an
    officer at work is not signed out mid-sentence: the session's expiry starts again from now
    (``SESSION_COOKIE_AGE``; sessions are otherwise saved only when they change). Signed out, the answer
    is 401 in JSON, never a redirect to the sign-in page, and the form says that the session ended.
    """

    http_method_names = ["get"]

    def get(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"signed_in": False}, status=401)
        now = int(time.time())
        if now - request.session.get(_TOUCHED, 0) >= KEEP_ALIVE_MIN_INTERVAL:
            request.session[_TOUCHED] = now
        return JsonResponse({"signed_in": True, "expires_in": request.session.get_expiry_age()})


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so that a link or an image cannot sign anyone out."""

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, _("You have logged out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        # The new password is audited when it is saved (signals.audit_password).
        with services.acting_as(self.request.user, self.request):
            return super().form_valid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}

    def form_valid(self, form):
        try:
            services.count_password_reset(form.cleaned_data["email"], client_address(self.request))
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        with services.resetting_password(self.user, self.request):
            return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(never_cache, name="dispatch")
class ProfileView(LoginRequiredMixin, TemplateView):
    """The signed-in user's account: role, unit, language, API tokens, recent activity."""

    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault("profile_form", ProfileForm(instance=user))
        kwargs.setdefault("token_form", ApiTokenForm())
        return super().get_context_data(
            tokens=selectors.api_tokens_of(user),
            activity=selectors.account_activity(user),
            max_expiry_days=services.MAX_TOKEN_EXPIRY_DAYS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ProfileForm(request.POST, instance=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(profile_form=form))
        form.save()
        language = form.cleaned_data["language"]
        translation.activate(language)
        messages.success(request, _("Your language preference has been saved."))
        response = redirect("accounts:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response


@method_decorator(never_cache, name="dispatch")
class ApiTokenCreateView(LoginRequiredMixin, View):
    """Create a token and show it once, in this response only: it is never stored in clear."""

    http_method_names = ["post"]

    def post(self, request):
        form = ApiTokenForm(request.POST)
        profile = ProfileView()
        profile.setup(request)
        if not form.is_valid():
            return profile.render_to_response(profile.get_context_data(token_form=form))
        try:
            instance, token = services.create_api_token(
                request.user, expiry_days=form.cleaned_data["expiry_days"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
            return profile.render_to_response(profile.get_context_data(token_form=form))
        return profile.render_to_response(
            profile.get_context_data(new_token=token, new_token_instance=instance)
        )


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, token_key):
        try:
            services.revoke_api_token(request.user, token_key, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The API token %(key)s… has been revoked.") % {"key": token_key}
            )
        return redirect(reverse("accounts:profile") + "#api-tokens")
