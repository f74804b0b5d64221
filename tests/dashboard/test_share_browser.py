"""Chromium opens a shared link: the overview of that one site with the hand-worked
numbers, no settings or churn in the menu; after revocation the next load says so.
A screenshot is kept as a test artifact (VIGIE_SCREENSHOT_DIR)."""
import os

from tests.dashboard.test_overview_browser import (DAY_QUERY, EXPECTED_TEXT, TIMEOUT_MS,  # noqa: F401
                                                   _kpi_values, shop)
from warehouse.share_links import create_share_link, revoke_share_link
from warehouse.sites import add_site


def test_a_visitor_reads_a_shared_site_until_the_link_is_revoked(app, store, shop, live_url,  # noqa: F811
                                                                   browser, tmp_path):
    add_site(store, "other.example", "UTC")
    link, token = create_share_link(store, shop.domain, "ana@shop.example")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_url}/share/{token}")
    page.wait_for_url(f"{live_url}/?site={shop.domain}")
    page.goto(live_url + DAY_QUERY)
    page.wait_for_selector("#kpi-visitors[data-value='5']")
    assert {key: text for key, (_, text) in _kpi_values(page).items()} == EXPECTED_TEXT
    assert page.inner_text("#shared-view") == f"Shared read-only view of {shop.domain}"
    nav = page.inner_text(".nav")
    assert "Overview" in nav and "Settings" not in nav and "Churn" not in nav and "Alerts" not in nav
    assert page.locator("#logout-button").count() == 0

    out = os.environ.get("VIGIE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    page.screenshot(path=os.path.join(out, "shared-overview.png"), full_page=True)

    page.goto(f"{live_url}/?site=other.example")
    message = page.wait_for_selector("#overview-message .message")
    assert "No site named “other.example” is registered" in message.inner_text()

    revoke_share_link(store, link.link_id)
    answer = page.goto(live_url + DAY_QUERY)
    assert answer.status == 410
    assert "This shared link was revoked" in page.inner_text("#share-gone")
