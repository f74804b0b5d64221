"""The built vitals script (collector/static/vitals.js) in real headless Chromium: one report
per page load, when the page is first hidden, to the tracker's endpoint; nothing where the
tracker sends nothing. The collector's side and the stored row: tests/e2e/test_vitals_to_clickhouse.py."""
from tests.snippet.conftest import pause
from tests.snippet.test_tracker_browser import NO_EVENTS_WAIT, VISIBILITY

HERO = "<h1 style='font-size:60px'>Roasted this week</h1><p>Fresh coffee.</p>"


def vitals_page(site, path="/", attrs='data-domain="shop.test"'):
    """A page with the vitals script only (no tracker)."""
    src = f"http://shop.test:{site.port}/js/vitals.js"
    site.pages[path] = (f"<!doctype html><html><head><title>{path}</title>"
                        f"<script defer {attrs} src=\"{src}\"></script></head>"
                        f"<body style='margin:0'>{HERO}</body></html>")
    return site.url(path)


def load(tab, url):
    tab.page.goto(url)
    tab.page.wait_for_function("window.vigieVitals === 1", timeout=5_000)
    tab.page.wait_for_timeout(300)  # the first paint's entries reach the observers
    return tab.page


def test_one_report_when_the_page_is_first_hidden(site, open_tab):
    tab = open_tab(VISIBILITY)
    page = load(tab, vitals_page(site, "/coffee") + "?x=1")
    pause(page, NO_EVENTS_WAIT)
    assert site.events() == []  # nothing while the page is shown
    page.evaluate("window.__setVisibility('hidden')")
    [report] = site.wait_events(1, "vitals", page)
    assert set(report) == {"name", "domain", "url", "referrer", "screen_width", "lcp", "cls", "ttfb"}
    assert report["domain"] == "shop.test" and report["url"] == site.url("/coffee?x=1")
    assert report["cls"] == 0 and 0 < report["lcp"] < 10_000 and report["ttfb"] >= 0
    assert isinstance(report["lcp"], int) and isinstance(report["ttfb"], int)
    # Shown and hidden again, then left: the page load was reported once.
    page.evaluate("window.__setVisibility('visible'); window.__setVisibility('hidden')")
    page.goto(site.url("/elsewhere"))
    pause(page, NO_EVENTS_WAIT)
    assert len(site.events("vitals")) == 1
    assert site.posts[0]["content_type"] == "text/plain" and site.posts[0]["path"] == "/api/event"


def test_a_page_opened_in_the_background_reports_no_lcp(site, open_tab):
    tab = open_tab("Object.defineProperty(Document.prototype, 'visibilityState', "
                   "{configurable: true, get: () => 'hidden'});")
    page = load(tab, vitals_page(site, "/", 'data-domain="shop.test" data-api="http://collect.test:'
                                            f'{site.port}/collect"'))
    page.evaluate("window.dispatchEvent(new Event('pagehide'))")
    [report] = site.wait_events(1, "vitals", page)
    assert "lcp" not in report and "ttfb" in report
    assert site.posts[0]["host"] == "collect.test" and site.posts[0]["path"] == "/collect"


def test_a_local_page_sends_nothing_and_throws_nothing(site, open_tab):
    tab = open_tab(VISIBILITY)
    url = vitals_page(site, "/").replace("shop.test", "localhost")
    page = load(tab, url)
    page.evaluate("window.__setVisibility('hidden')")
    pause(page, NO_EVENTS_WAIT)
    assert site.events() == []
