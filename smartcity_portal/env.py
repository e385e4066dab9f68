"""Strict reading of configuration from environment variables.

Every getter raises ``ImproperlyConfigured`` naming the variable when its value
cannot be parsed, so a typo in a deployment stops start-up instead of running
with a silently different configuration.
"""
import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name):
    value = os.environ.get(name)
    if value is None:
        return None
    return value.strip()


def get_str(name, default=None, *, required=False):
    value = _raw(name)
    if value in (None, ""):
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} must be set.")
        return default
    return value


def get_bool(name, default=False):
    value = _raw(name)
    if value in (None, ""):
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean; use one of "
        f"{sorted(_TRUE | _FALSE)}."
    )


def get_int(name, default, *, minimum=None, maximum=None):
    value = _raw(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a whole number."
        ) from None
    if (minimum is not None and number < minimum) or (
        maximum is not None and number > maximum
    ):
        raise ImproperlyConfigured(
            f"Environment variable {name}={number} is outside {minimum}..{maximum}."
        )
    return number


def get_float(name, default, *, minimum=None):
    value = _raw(name)
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a number."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"Environment variable {name}={number} must be at least {minimum}."
        )
    return number


def get_list(name, default=()):
    value = _raw(name)
    if value in (None, ""):
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} has an empty item; "
            "separate values with single commas."
        )
    return items


def get_url(name, default=None, *, schemes):
    value = _raw(name)
    if value in (None, ""):
        return default
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a URL with scheme "
            f"{' or '.join(sorted(schemes))}."
        )
    return value


def get_choice(name, default, *, choices):
    """One of ``choices`` (matched without regard to case, returned as spelt in ``choices``)."""
    value = _raw(name)
    if value in (None, ""):
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not one of {', '.join(sorted(choices))}."
    )
