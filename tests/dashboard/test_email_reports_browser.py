"""Chromium, signed in as a marketer, subscribes to and ends an email report from Settings."""
from tests.dashboard.test_overview_browser import TIMEOUT_MS
from vigie.warehouse.report_subscriptions import account_subscriptions
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

EMAIL, PASSWORD = "mia@shop.example", "a long password"


def test_a_marketer_manages_their_email_reports(app, store, live_url, browser):
    add_site(store, "shop.example", "Europe/Paris")
    add_site(store, "hidden.example")
    add_user(store, EMAIL, PASSWORD, role="marketer", sites=["shop.example"])
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_url + "/")
    page.wait_for_url("**/login?**", timeout=TIMEOUT_MS)
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.click("#email-reports-link", timeout=TIMEOUT_MS)
    page.wait_for_selector("#email-reports #report-subscriptions-empty", timeout=TIMEOUT_MS)
    assert page.query_selector("#sites-table") is None  # only their own reports, no admin area
    page.click("#report-frequency label:has-text('monthly')", timeout=TIMEOUT_MS)
    page.fill("#report-recipient", "mia.reports@shop.example")
    page.click("#report-subscribe")
    page.wait_for_selector("#report-message .message-ok", timeout=TIMEOUT_MS)
    assert page.inner_text("#report-message") == \
        "mia.reports@shop.example will get the monthly report of shop.example."
    assert "shop.example: monthly report to mia.reports@shop.example" in page.inner_text("#report-subscriptions")
    [sub] = account_subscriptions(store, EMAIL)
    assert (sub.site, sub.frequency, sub.recipient) == ("shop.example", "monthly", "mia.reports@shop.example")

    page.fill("#report-recipient", "not an address")
    page.click("#report-subscribe")
    page.wait_for_selector("#report-message .message-error", timeout=TIMEOUT_MS)
    assert "is not an email address" in page.inner_text("#report-message")

    page.click(".report-subscription button")
    page.wait_for_selector("#report-subscriptions-empty", timeout=TIMEOUT_MS)
    assert "will no longer get the monthly report" in page.inner_text("#report-message")
    assert account_subscriptions(store, EMAIL) == []
