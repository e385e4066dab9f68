"""Checks on uploaded evidence files: name, size, type judged by content, and a report's total.

``UnreadableNameGuard`` (an upload handler, first in ``FILE_UPLOAD_HANDLERS``)
makes sure that no file part of a request disappears without a word: Django's
multipart parser skips a part whose headers are not UTF-8, and the form would
then save as if no file had been chosen.
"""
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _

# extension → (content type, how the file's first bytes must look)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
}


@dataclass
class UnreadableUpload:
    """A file the request carried whose name could not be read: always refused, never stored.

    ``name`` is the name as far as it could be read, for the error message.
    """

    name: str
    size: int = 0
    name_unreadable = True


def readable_name(name):
    """Is ``name`` a file name a person can read: no undecodable bytes, no control characters?"""
    return bool(name) and "\ufffd" not in name and not any(unicodedata.category(c) == "Cc" for c in name)


def shown_name(name):
    """``name`` safe to put in a message: control characters as "?", at most 100 characters."""
    return "".join(c if c.isprintable() else "?" for c in name)[:100]


def check_evidence_file(upload):
    """Return the content type of an acceptable ``upload``; raise ``ValidationError`` otherwise."""
    name = upload.name or ""
    if getattr(upload, "name_unreadable", False) or not readable_name(name):
        raise ValidationError(
            _(
                "“%(name)s”: the file's name cannot be read (it is not in UTF-8, or it has control "
                "characters). Rename the file with ordinary letters and choose it again."
            )
            % {"name": shown_name(name)},
            code="file_name",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s”: only these file types are accepted: %(types)s.")
            % {"name": name[:100], "types": ", ".join(sorted(ALLOWED_TYPES))},
            code="file_type",
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {
                "name": name[:100],
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            code="file_size",
        )
    content_type, signatures = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("“%(name)s” is not a real %(type)s file.") % {"name": name[:100], "type": extension.upper()},
            code="file_content",
        )
    return content_type


def check_report_total(attached_bytes, uploads, *, assessment=False):
    """Raise ``ValidationError`` if ``uploads`` would bring a report's files over its limit.

    ``attached_bytes``: the size of the files the report keeps. The limit is
    ``EVIDENCE_MAX_BYTES_PER_REPORT``; one request can thus never add more.
    A maturity assessment (``assessment``) has the same limit.
    """
    limit = settings.EVIDENCE_MAX_BYTES_PER_REPORT
    total = attached_bytes + sum(upload.size for upload in uploads)
    if total > limit:
        if assessment:
            message = _(
                "These files would bring the assessment's evidence to %(total)s (%(attached)s already "
                "attached); at most %(limit)s per assessment. Remove a file or attach smaller ones."
            )
        else:
            message = _(
                "These files would bring the report's evidence to %(total)s (%(attached)s already "
                "attached); at most %(limit)s per report. Remove a file or attach smaller ones."
            )
        raise ValidationError(
            message
            % {
                "total": filesizeformat(total),
                "attached": filesizeformat(attached_bytes),
                "limit": filesizeformat(limit),
            },
            code="report_size",
        )


# --- file parts Django's parser would drop ----------------------------------------------------


def unreadable_uploads(request):
    """``[(field name, name as far as readable)]``: the file parts of ``request`` that were not kept."""
    request.FILES  # noqa: B018 - parses the body, if nothing did yet
    return list(getattr(request, "unreadable_uploads", ()))


class _PartHeaders:
    """A multipart body passed through unchanged, keeping the header block of each part."""

    # Django refuses a part whose headers are longer than 1 KB; such a block is
    # an error of the whole request, not a dropped part.
    MAX_HEADER_BYTES = 4096

    def __init__(self, stream, boundary):
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._pending = b""
        self.blocks = []

    def read(self, size=-1):
        data = self._stream.read(size)
        if data:
            self._scan(data)
        return data

    def _scan(self, data):
        pending = self._pending + data
        start = 0
        while True:
            at = pending.find(self._delimiter, start)
            if at < 0:
                # The end may hold the beginning of the next delimiter.
                self._pending = pending[max(start, len(pending) - len(self._delimiter)):]
                return
            end = pending.find(b"\r\n\r\n", at, at + self.MAX_HEADER_BYTES)
            if end < 0:
                if len(pending) - at < self.MAX_HEADER_BYTES:
                    self._pending = pending[at:]
                    return
                start = at + len(self._delimiter)
                continue
            self.blocks.append(pending[at + len(self._delimiter):end])
            start = end + 4


def _disposition(line):
    """``(parameters, readable)`` of a Content-Disposition line; ``readable``: Django reads it too."""
    try:
        return parse_header_parameters(line.decode())[1], True
    except ValueError:  # not UTF-8 (UnicodeDecodeError), or an unknown RFC 2231 charset
        pass
    text = line.decode(errors="replace")
    try:
        return parse_header_parameters(text)[1], False
    except ValueError:
        return {key.rstrip("*"): value for key, value in re.findall(r'(\w+\*?)="?([^";]*)"?', text)}, False


def _dropped_files(blocks, parser):
    dropped = []
    for block in blocks:
        for line in block.split(b"\r\n"):
            if not line.lower().startswith(b"content-disposition:"):
                continue
            params, readable = _disposition(line)
            name = params.get("filename")
            if not name:  # not a file, or a file input left empty
                continue
            if readable and parser.sanitize_file_name(name):
                continue  # kept; check_evidence_file judges its name
            dropped.append((params.get("name") or "", shown_name(name)))
    return dropped


class UnreadableNameGuard(FileUploadHandler):
    """Parses multipart bodies like Django, noting the file parts Django drops.

    Django skips a part whose Content-Disposition is not UTF-8 (or names an
    unknown charset), and a file whose name is nothing but characters it
    removes (control characters, a path). This handler runs Django's parser with
    the other handlers over a stream that keeps each part's headers, and puts
    those parts in ``request.unreadable_uploads`` (see ``unreadable_uploads``).
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.request is None:
            return None
        headers = _PartHeaders(input_data, boundary)
        others = [handler for handler in self.request.upload_handlers if handler is not self]
        parser = MultiPartParser(META, headers, others, encoding)
        post, files = parser.parse()
        self.request.unreadable_uploads = _dropped_files(headers.blocks, parser)
        return post, files

    # Never called: handle_raw_input parses the whole body.
    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
