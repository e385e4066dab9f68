"""Messages of Django REST framework and django-rest-knox that API clients see.

DRF's own Vietnamese catalogue translates only a few of its messages (about
twenty, e.g. "Not found."). Listing the others here puts their exact msgids in
the portal's catalogue, where the translators give them a Vietnamese text; at
run time Django merges catalogues, so DRF's ``gettext`` finds that text. Nothing
imports this module: it exists for ``makemessages``.
"""
from django.utils.translation import gettext_noop, ngettext

MESSAGES = [
    # Authentication (DRF and knox)
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Invalid token."),
    gettext_noop("Invalid token header. No credentials provided."),
    gettext_noop("Invalid token header. Token string should not contain spaces."),
    gettext_noop("Invalid token header. Token string should not contain invalid characters."),
    gettext_noop("User inactive or deleted."),
    # Requests
    gettext_noop("Malformed request."),
    gettext_noop("JSON parse error - {detail}"),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop("Could not satisfy the request Accept header."),
    gettext_noop("Invalid page."),
    gettext_noop("Request was throttled."),
    gettext_noop("Not found."),
    gettext_noop("You do not have permission to perform this action."),
    # Fields
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("String value too large."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("This list may not be empty."),
    gettext_noop("Object with {slug_name}={value} does not exist."),
    gettext_noop("Invalid value."),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
]


def _plurals():  # pragma: no cover - never called; makemessages reads it
    ngettext("Expected available in {wait} second.", "Expected available in {wait} seconds.", 2)
