"""The API's JSON parser: DRF's, with its errors in the request's language.

DRF's parser answers a body that is not JSON with Python's own English text
("JSON parse error - Expecting value: line 1 column 1 (char 0)"); ours says it
in the request's language and keeps the line and column.

Python's ``json`` module parses nested arrays and objects recursively and
raises ``RecursionError``, not ``ValueError``, past about a thousand levels;
DRF's parser only turns ``ValueError`` into a ``ParseError``, so such a body
would be a server error. No body the API accepts is nested more than a few
levels deep.
"""
import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The body is not valid JSON: it is nested too deeply.")) from None
        except ParseError as error:
            raise ParseError(_parse_error_message(error.__context__)) from None


def _parse_error_message(cause):
    if isinstance(cause, json.JSONDecodeError):
        return _("The body is not valid JSON: line %(line)s, column %(column)s.") % {
            "line": cause.lineno, "column": cause.colno,
        }
    if isinstance(cause, UnicodeDecodeError):
        return _("The body is not valid JSON: it is not UTF-8 text.")
    return _("The body is not valid JSON.")
