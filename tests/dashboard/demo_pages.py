"""Every dashboard page of the demo, and what proves it shows real content.

Shared by the browser test of the demo (tests/dashboard/test_demo_pages_browser.py) and the
tool that takes the screenshots of docs/screenshots (bench/demo_screenshots.py), so both
open the same pages and wait for the same things.
"""
import time
from dataclasses import dataclass

from vigie.collector import ClientInfo

DEMO_SITE = "demo.vigie.test"
DEMO_ADMIN = "admin@vigie.test"
TIMEOUT_MS = 30_000
# Sentences the pages show when they have nothing to show. None may appear on a page of the demo.
EMPTY_STATES = (
    "No data", "No site yet", "No site shared with you", "No visits in this period",
    "No pageviews in this period", "No custom events in this period", "No clicks on links",
    "No file downloads in this period", "No goals yet", "No funnels yet", "No client imported yet",
    "No model trained yet", "No clients scored", "No purchase to score yet", "No open alert",
    "No identified customers were first seen", "No visitors in the last", "cannot reach its database",
    "Choose a site", "No searches in this period", "Site search is off", "Vigie cannot tell yet which searches",
    "No web vitals report", "Web vitals are off",
    "No journeys in this period", "No visit completed this goal",
)


@dataclass(frozen=True)
class DemoPage:
    name: str        # also the screenshot's file name
    path: str        # the page's path in dash.page_registry
    ready: tuple     # CSS selectors that each match once the page shows its content

    def url(self, base):
        return f"{base}{self.path}?site={DEMO_SITE}"


DEMO_PAGES = (
    DemoPage("overview", "/", ("#kpi-visitors[data-value]", "#traffic-chart .main-svg",
                               "#overview-pages-table tbody tr", "#overview-countries-table tbody tr")),
    DemoPage("realtime", "/realtime", ("#realtime-feed tbody tr",)),
    DemoPage("sources", "/sources", ("#sources-channels-table tbody tr", "#sources-referrers-table tbody tr")),
    DemoPage("pages", "/pages", ("#top-pages-table tbody tr", "#entry-pages-table tbody tr")),
    DemoPage("audience", "/audience", ("#audience-map .main-svg", "#countries-table tbody tr")),
    DemoPage("events", "/events", ("#events-names-table tbody tr", "#events-outbound-table tbody tr",
                                   "#events-downloads-table tbody tr", "#events-props-table tbody tr")),
    DemoPage("search", "/search", ("#kpi-searches[data-value]", "#search-terms-table tbody tr",
                                   "#search-no-results-table tbody tr", "#search-next-pages-table tbody tr")),
    DemoPage("vitals", "/vitals", ("#vitals-card-lcp[data-rating]:not([data-rating=''])",
                                   "#vitals-card-inp[data-rating]:not([data-rating=''])",
                                   "#vitals-pages-table tbody tr", "#vitals-devices-table tbody tr",
                                   "#vitals-countries-table tbody tr")),
    DemoPage("journeys", "/journeys", ("#journeys-sankey .main-svg", "#journeys-table tbody tr")),
    DemoPage("conversions", "/conversions", ("#goals-table tbody tr", "#funnel-chart .main-svg")),
    DemoPage("retention", "/retention", ("#returning-chart .main-svg", "#cohort-heatmap .main-svg")),
    DemoPage("churn", "/churn", ("#at-risk-table tbody tr", "#model-card", "#churn-probabilities .main-svg")),
    DemoPage("alerts", "/alerts", ("#alerts-table tbody tr", "#rules-table tbody tr")),
    DemoPage("customers", "/customers", ("#customers-list a", "#rfm-card", "#clv-chart .main-svg",
                                         "#movement-table tbody tr", "#movement-chart .main-svg")),
    DemoPage("settings", "/settings", ("#sites-table tbody tr", "#users-table tbody tr",
                                         "#report-subscriptions .report-subscription")),
)


def sign_in(page, base, password, email=DEMO_ADMIN):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#signed-in-email", timeout=TIMEOUT_MS)


def open_demo_page(page, base, demo_page):
    """Open the page and wait until it shows its content; returns the wall seconds it took."""
    started = time.monotonic()
    page.goto(demo_page.url(base))
    for selector in demo_page.ready:
        page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
                           timeout=TIMEOUT_MS)
    return time.monotonic() - started


def empty_states_shown(page):
    """The empty-state sentences (and .empty-state blocks) the page shows, if any."""
    text = page.inner_text("main")
    found = [sentence for sentence in EMPTY_STATES if sentence in text]
    blocks = page.eval_on_selector_all(".empty-state", "els => els.map(e => e.id || e.innerText)")
    return found + blocks


def live_visit(collector, path="/"):
    """One pageview now, through the collector as a tracker hit: Realtime shows the last minutes,
    and the demo's generated traffic may have none in them."""
    result = collector.ingest(
        {"name": "pageview", "domain": DEMO_SITE, "url": f"https://{DEMO_SITE}{path}", "referrer": None,
         "screen_width": 1280},
        ClientInfo("81.56.0.10", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                   "Gecko) Chrome/124.0 Safari/537.36", "fr-FR"))
    assert result.accepted, result.reason
    collector.flush()
