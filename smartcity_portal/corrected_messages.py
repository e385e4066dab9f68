"""Django's own messages whose Vietnamese the portal corrects.

Django's Vietnamese catalogue asks for "một số tổng thể" (an overall number)
where a whole number is meant, and leaves a space before the full stop of the
limits a number field checks. The portal's catalogue (``LOCALE_PATHS``, read
before Django's) words them right; they are listed here so that
``make messages`` keeps them in it. Nothing imports this module.
"""
from django.utils.translation import gettext_noop

CORRECTED = [
    gettext_noop("Enter a whole number."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
]
