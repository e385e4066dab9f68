"""Walk the demo's pages as the public and as every demo account; fail on any link that answers 4xx or 5xx.

Run by .ci/run inside ``manage.py shell`` on the demo's SQLite database after
``seed_demo`` and ``create_demo_accounts``: the test suite runs on PostgreSQL,
and this is what proves that a newcomer's ``make demo`` answers on SQLite too.
From each starting address it follows the portal's own links, breadth first, up
to a limit, in Vietnamese and in English.
"""
import sys
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from smartcity_portal.accounts.management.commands.create_demo_accounts import (
    DEMO_ACCOUNTS,
)

START = [
    "/", "/data/", "/data/catalog.jsonld", "/published-reports/", "/projects/", "/results/standards/",
    "/results/completeness/", "/results/maturity/", "/sitemap.xml", "/robots.txt", "/api/v1/", "/api/schema/",
]
PAGES_PER_VISITOR = 200
# Links not to follow: they sign out, change data or stream whole tables (the suite covers those).
SKIPPED = ("/accounts/logout", "/i18n/", "/admin/", "/media/", "/static/")
SKIPPED_ENDINGS = (".csv", ".xlsx", ".zip")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.found.append(href)


def links_of(path, response):
    if "text/html" not in response.get("Content-Type", ""):
        return []
    parser = Links()
    parser.feed(response.content.decode("utf-8", "replace"))
    for href in parser.found:
        address = urldefrag(urljoin(path, href))[0]
        parts = urlsplit(address)
        if parts.netloc not in ("", "testserver"):
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local.startswith(SKIPPED) or parts.path.endswith(SKIPPED_ENDINGS):
            continue
        yield local


def walk(client, who, language):
    queue, seen, failures = deque(START), set(START), []
    visited = 0
    while queue and visited < PAGES_PER_VISITOR:
        path = queue.popleft()
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        visited += 1
        if response.status_code >= 400:
            failures.append(f"{who} ({language}) {path}: {response.status_code}")
            continue
        for link in links_of(path, response):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    print(f"{who} ({language}): {visited} pages, {len(failures)} errors")
    return failures


def main():
    failures = []
    users = get_user_model().objects.in_bulk([username for username, *_ in DEMO_ACCOUNTS], field_name="username")
    visitors = [("signed out", None)] + [(username, users[username]) for username in sorted(users)]
    for language in ("vi", "en"):
        for who, user in visitors:
            cache.clear()  # every walk starts cold, as after an approval
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            failures += walk(client, who, language)
    for failure in failures:
        print("ERROR", failure)
    if failures:
        sys.exit(1)


main()
