"""Logs keep no password-reset token and no query string: the portal's own log and gunicorn's."""
import io
import logging
import re
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from smartcity_portal.logging import redact, redact_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a-much-longer-new-secret-2025"


@pytest.fixture
def portal_log():
    """What the portal writes to standard output, through its configured handler and filters."""
    [handler] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_logs_of_a_reset_request_show_no_token_and_no_query_string(client, personas, portal_log, caplog):
    caplog.set_level(logging.INFO)
    client.post(reverse("accounts:password_reset") + "?from=secret-query-1", {"email": personas.reporter.email})
    [message] = mail.outbox
    link = re.search(r"https?://testserver(/accounts/password/reset/(\S+)/(\S+)/)", message.body)
    path, uidb64, token = link.groups()

    # An address under the link that Django logs as not found, the link (with a query string), the new password.
    client.get(path + "more/")
    page = client.get(path + "?utm_source=secret-query-2", follow=True)
    set_password_path = page.redirect_chain[-1][0]
    client.post(set_password_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    personas.reporter.refresh_from_db()
    assert personas.reporter.check_password(NEW_PASSWORD)

    written = portal_log.getvalue()
    request_lines = [r for r in caplog.records if r.name == "smartcity_portal.requests"]
    recorded = " ".join(str(value) for r in request_lines for value in vars(r).values())
    assert len(request_lines) == 5
    for text in (written, recorded):
        assert token not in text
        assert f"/{uidb64}/" not in text
        assert "secret-query" not in text and "utm_source" not in text
    assert "/accounts/password/reset/[redacted]/[redacted]/" in written
    assert "/accounts/password/reset/[redacted]/set-password/" in written
    # Django's own line about the address not found is redacted too.
    assert "Not Found: /accounts/password/reset/[redacted]/[redacted]/more/" in written


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/accounts/password/reset/MQ/cx3f1a-0123456789abcdef0123456789abcdef/",
         "/accounts/password/reset/[redacted]/[redacted]/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/[redacted]/set-password/"),
        ("/accounts/password/reset/", "/accounts/password/reset/"),
        ("/accounts/password/reset/sent/", "/accounts/password/reset/sent/"),
        ("/accounts/password/reset/done/", "/accounts/password/reset/done/"),
        ("/reports/12/", "/reports/12/"),
    ],
)
def test_reset_links_are_redacted_and_other_paths_kept(path, expected):
    assert redact(path) == expected
    assert redact_url(f"https://portal.example.gov.vn{path}?q=x#top") == f"https://portal.example.gov.vn{expected}"


def test_the_redacted_shape_matches_the_reset_urls():
    confirm = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-def"})
    assert redact(confirm) == "/accounts/password/reset/[redacted]/[redacted]/"


# --- gunicorn ----------------------------------------------------------------------------------


def gunicorn_logger():
    from gunicorn.config import Config

    conf = runpy.run_path(str(ROOT / "smartcity_portal" / "gunicorn.conf.py"))
    cfg = Config()
    for name, value in conf.items():
        if name in cfg.settings:
            cfg.set(name, value)
    return cfg, cfg.logger_class(cfg)


def test_gunicorns_access_log_format_has_no_raw_request_line_or_query_string():
    cfg, _ = gunicorn_logger()
    assert "%(r)s" not in cfg.access_log_format and "%(q)s" not in cfg.access_log_format
    assert "%(U)s" in cfg.access_log_format


def test_gunicorns_access_and_error_logs_show_no_token_and_no_query_string():
    _, logger = gunicorn_logger()
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    keep = Keep()
    logger.access_log.addHandler(keep)
    logger.error_log.addHandler(keep)
    token_path = "/accounts/password/reset/MQ/cx3f1a-0123456789abcdef/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": token_path + "?next=secret-query",
        "PATH_INFO": token_path,
        "QUERY_STRING": "next=secret-query",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://portal.example.gov.vn" + token_path + "?from=secret-query",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    try:
        logger.access(response, request, environ, timedelta(milliseconds=12))
        logger.error("Error handling request %s", environ["RAW_URI"])
    finally:
        logger.access_log.removeHandler(keep)
        logger.error_log.removeHandler(keep)

    [access, error] = lines
    assert '"GET /accounts/password/reset/[redacted]/[redacted]/ HTTP/1.1" 200' in access
    for line in (access, error):
        assert "cx3f1a" not in line and "secret-query" not in line and "/MQ/" not in line
