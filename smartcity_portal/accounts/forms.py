from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from smartcity_portal.accounts import services

User = get_user_model()


class _UsernameLengthMixin:
    """Refuse an over-long user name as a form error, before ``authenticate()`` sees it.

    Django's login forms set the field's ``max_length`` after building it, which
    changes only the widget: a 5,000-character name reached ``authenticate()``
    and django-axes, whose log of attempts holds 255 characters (a 500).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(_UsernameLengthMixin, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthMixin, AdminAuthenticationForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, in the user's language, also for accounts without a password yet."""

    def get_users(self, email):
        # Accounts made by ``create_portal_user`` without --password start with an
        # unusable password and are told to set one here; Django would skip them.
        email_field = User.get_email_field_name()
        candidates = User._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        wanted = email.casefold()
        return (user for user in candidates if getattr(user, email_field).casefold() == wanted)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(getattr(context["user"], "language", None) or "vi"):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Language of e-mails")}
        help_texts = {
            "language": _("The portal writes to you in this language. Saving also switches "
                          "the pages to it.")
        }


class ApiTokenForm(forms.Form):
    expiry_days = forms.CharField(
        label=_("Expires after (days)"),
        required=False,
        widget=forms.NumberInput(
            attrs={
                "min": services.MIN_TOKEN_EXPIRY_DAYS,
                "max": services.MAX_TOKEN_EXPIRY_DAYS,
                "step": 1,
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so that the text follows the language of the request.
        self.fields["expiry_days"].help_text = _(
            "From %(min)s to %(max)s days; leave empty for a token that does not expire."
        ) % {"min": services.MIN_TOKEN_EXPIRY_DAYS, "max": services.MAX_TOKEN_EXPIRY_DAYS}

    def clean_expiry_days(self):
        # The range is a rule of the service, shared with the management command.
        try:
            return services.parse_expiry_days(self.cleaned_data["expiry_days"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0], code=error.code) from None
