"""Superusers approve reports, so no account bound to a unit may be one: model, database, admin, commands."""
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from smartcity_portal.accounts.models import Role
from smartcity_portal.accounts.services import provision_user

pytestmark = pytest.mark.django_db


def test_a_superuser_bound_to_a_unit_is_refused_by_model_validation(personas):
    reporter = personas.reporter
    reporter.is_superuser = True

    with pytest.raises(ValidationError) as refused:
        reporter.full_clean(exclude=["password"])
    assert "superuser" in " ".join(refused.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(reporter).objects.filter(pk=reporter.pk).update(is_superuser=True)
    reporter.refresh_from_db()
    assert not reporter.is_superuser


def test_the_admin_refuses_to_make_a_unit_bound_reporter_a_superuser(client, personas):
    client.force_login(personas.superuser)
    user = personas.reporter
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": user.email,
        "language": "vi", "role": Role.PROVINCE_REPORTER, "unit": str(personas.unit.pk),
        "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00", "last_login_0": "", "last_login_1": "",
    }

    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data,
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "cannot be a superuser" in errors
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff


def test_provisioning_a_unit_bound_superuser_is_refused_and_creates_nothing(db):
    with pytest.raises(ValidationError) as refused:
        provision_user("tinh.quantri", role=Role.PROVINCE_REPORTER, province="bac-ninh", superuser=True)

    assert "superuser" in " ".join(refused.value.messages)
    assert not get_user_model().objects.filter(username="tinh.quantri").exists()
