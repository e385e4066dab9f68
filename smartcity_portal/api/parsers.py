"""The API's JSON parser: DRF's, with a body nested too deep for Python answered as a parse error.

Python's ``json`` module parses nested arrays and objects recursively and
raises ``RecursionError``, not ``ValueError``, past about a thousand levels;
DRF's parser only turns ``ValueError`` into a ``ParseError``, so such a body
would be a server error. No body the API accepts is nested more than a few
levels deep.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
