"""Chromium, signed in as an admin, adds a site from the settings page; a
screenshot of the page is kept as a test artifact (VIGIE_SCREENSHOT_DIR)."""
import os

from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.test_overview_browser import TIMEOUT_MS
from warehouse.sites import add_site, get_site


def test_an_admin_adds_a_site_in_the_browser(app, store, account, live_url, browser, tmp_path):
    add_site(store, "shop.example", "Europe/Paris")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_url + "/settings")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#sites-table", timeout=TIMEOUT_MS)
    assert "data-domain=\"shop.example\"" in page.inner_text("#sites-table")

    page.fill("#site-domain", "blog.example")
    page.fill("#site-hostnames", "blog-cdn.example.net")
    page.click("#site-save")
    page.wait_for_selector("#site-message .message-ok", timeout=TIMEOUT_MS)
    assert page.inner_text("#site-message") == "Site blog.example added."
    assert get_site(store, "blog.example").extra_hostnames == ("blog-cdn.example.net",)
    assert "blog.example" in page.inner_text("#sites-table")

    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=os.path.join(out, "settings.png"), full_page=True)
