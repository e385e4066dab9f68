"""What every browser test shares: how Chromium is started, and signing in through the sign-in page.

Browser tests drive Debian's Chromium (``chromium_path`` in ``tests/conftest.py``) with Playwright.
"""
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]


def sign_in(page, username, base_url=None):
    """Sign ``username`` in through the form (on the sign-in page; ``base_url``: go there first)."""
    if base_url is not None:
        page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
