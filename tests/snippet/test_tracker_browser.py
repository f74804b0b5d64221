"""The built tracker (collector/static/vigie.js) in real headless Chromium.

Pages and beacons go through a local HTTP server (see conftest.py); every
wait is bounded. Each tab fixture fails the test if the host page saw an error.
"""
import json
import time

import pytest

from tests.snippet.conftest import VIEWPORT, pause

# Lets a test hide and show the page: headless Chromium keeps every page
# visible, so visibilityState is overridden and the event dispatched by hand.
VISIBILITY = """
(() => {
  let state = 'visible';
  Object.defineProperty(Document.prototype, 'visibilityState', {configurable: true, get: () => state});
  Object.defineProperty(Document.prototype, 'hidden', {configurable: true, get: () => state === 'hidden'});
  window.__setVisibility = (s) => { state = s; document.dispatchEvent(new Event('visibilitychange')); };
})();
"""

TALL = "<div style='height:3000px'>tall page</div>"
NO_EVENTS_WAIT = 0.8  # how long "nothing was sent" is watched for


def names(events):
    """Event names, sorted: events sent together travel as separate requests
    that may reach the server in either order."""
    return sorted(e["name"] for e in events)


def only(events, name):
    found = [e for e in events if e["name"] == name]
    assert len(found) == 1, f"expected one {name!r} event, got {events}"
    return found[0]


def test_navigator_webdriver_is_off(site, open_tab):
    tab = open_tab()
    page = tab.load(site.add_page("/"))
    assert page.evaluate("navigator.webdriver") is False
    site.wait_events(1, "pageview", page)


def test_first_pageview_is_a_text_plain_beacon_to_the_script_origin(site, open_tab):
    tab = open_tab()
    site.add_page("/pricing", script_host="vigie.test")
    url = site.url("/pricing?plan=pro")
    # Arrive by following a link from another site (no tracker there).
    site.pages["/from"] = f"<!doctype html><a id='go' href='{url}'>go</a>"
    page = tab.page
    page.goto(site.url("/from", host="elsewhere.test"))
    page.click("#go")
    page.wait_for_function("window.vigie && window.vigie.vigie === 1", timeout=5_000)
    events = site.wait_events(1, "pageview", page)
    pageview = only(events, "pageview")
    assert pageview == {
        "name": "pageview",
        "domain": "shop.test",
        "url": url,
        # The browser's default referrer policy trims cross-origin referrers to the origin.
        "referrer": site.url("/", host="elsewhere.test"),
        "screen_width": VIEWPORT["width"],
    }
    post = site.posts[0]
    assert post["host"] == "vigie.test" and post["path"] == "/api/event"
    assert post["content_type"].startswith("text/plain")
    assert post["cookie"] is None
    assert site.preflights == []  # a cross-origin simple request: no OPTIONS
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""


def test_no_referrer_is_sent_as_null(site, open_tab):
    page = open_tab().load(site.add_page("/"))
    assert only(site.wait_events(1, "pageview", page), "pageview")["referrer"] is None


def test_data_api_and_customer_id_attributes(site, open_tab):
    api = site.url("/custom/ingest", host="collect.test")
    attrs = f'data-domain="shop.test" data-api="{api}" data-customer-id="cust-7"'
    page = open_tab().load(site.add_page("/", attrs=attrs, script_host="vigie.test"))
    pageview = only(site.wait_events(1, "pageview", page), "pageview")
    assert pageview["customer_id"] == "cust-7"
    assert (site.posts[0]["host"], site.posts[0]["path"]) == ("collect.test", "/custom/ingest")


def test_history_navigation_sends_engagement_then_pageview(site, open_tab):
    tab = open_tab()
    first = site.add_page("/", "<p>home</p>")
    page = tab.load(first)
    site.wait_events(1, "pageview", page)
    pause(page, 0.1)

    page.evaluate("history.pushState({}, '', '/product/1')")
    events = site.wait_events(3, page=page)
    assert names(events[1:]) == ["engagement", "pageview"]
    left, entered = only(events[1:], "engagement"), only(events[1:], "pageview")
    assert left["url"] == first  # the page being left
    assert left["engaged_ms"] > 0
    assert entered["url"] == site.url("/product/1")
    assert entered["referrer"] is None

    # Same pathname: query and hash changes are not new pages.
    page.evaluate("history.replaceState({}, '', '/product/1?color=red')")
    page.evaluate("history.pushState({}, '', '/product/1#reviews')")
    pause(page, 0.3)
    assert len(site.events()) == 3

    pause(page, 0.05)
    page.evaluate("history.replaceState({}, '', '/product/2')")
    events = site.wait_events(5, page=page)
    assert names(events[3:]) == ["engagement", "pageview"]
    assert only(events[3:], "engagement")["url"] == site.url("/product/1")
    assert only(events[3:], "pageview")["url"] == site.url("/product/2")

    pause(page, 0.05)
    # popstate: back to the entry before, /product/1?color=red (the
    # /product/1#reviews entry was replaced by /product/2).
    page.evaluate("history.back()")
    events = site.wait_events(7, page=page)
    assert names(events[5:]) == ["engagement", "pageview"]
    assert only(events[5:], "engagement")["url"] == site.url("/product/2")
    back = only(events[5:], "pageview")
    assert back["url"] == site.url("/product/1?color=red")
    assert back["referrer"] is None
    assert page.evaluate("location.pathname") == "/product/1"


def test_manual_pageview(site, open_tab):
    page = open_tab().load(site.add_page("/"))
    site.wait_events(1, "pageview", page)
    page.evaluate("vigie('pageview')")
    assert len(site.wait_events(2, "pageview", page)) == 2


def test_custom_event_with_props_revenue_and_callback(site, open_tab):
    page = open_tab().load(site.add_page("/checkout"))
    site.wait_events(1, "pageview", page)
    page.evaluate("""vigie('event', 'purchase', {
        props: {plan: 'pro', seats: 3, trial: false},
        revenue: {amount: 49.9, currency: 'EUR'},
        callback: () => { window.__called = true; }
    })""")
    purchase = only(site.wait_events(1, "purchase", page), "purchase")
    assert purchase["props"] == {"plan": "pro", "seats": 3, "trial": False}
    assert purchase["revenue"] == {"amount": 49.9, "currency": "EUR"}
    assert purchase["url"] == site.url("/checkout")
    assert purchase["domain"] == "shop.test"
    assert "engaged_ms" not in purchase and "scroll_depth" not in purchase
    page.wait_for_function("window.__called === true", timeout=3_000)

    # Unknown commands and nameless events are ignored without a page error.
    page.evaluate("vigie('frobnicate', 1); vigie('event'); vigie()")
    pause(page, 0.3)
    assert [e["name"] for e in site.events()] == ["pageview", "purchase"]


def test_identify_applies_to_later_events(site, open_tab):
    page = open_tab().load(site.add_page("/"))
    pageview = only(site.wait_events(1, "pageview", page), "pageview")
    assert "customer_id" not in pageview
    page.evaluate("vigie('identify', 'cust-42'); vigie('event', 'signup')")
    signup = only(site.wait_events(1, "signup", page), "signup")
    assert signup["customer_id"] == "cust-42"
    page.evaluate("history.pushState({}, '', '/account')")
    later = site.wait_events(2, "pageview", page)[1]
    assert later["customer_id"] == "cust-42"


def test_queue_stub_calls_are_replayed(site, open_tab):
    before = "vigie('event', 'early', {props: {at: 'head'}}); vigie('identify', 'cust-9'); vigie('nonsense')"
    page = open_tab().load(site.add_page("/", before=before))
    events = site.wait_events(2, page=page)
    assert names(events) == ["early", "pageview"]
    # identify is replayed first, so even the first pageview carries it.
    assert all(e["customer_id"] == "cust-9" for e in events)
    assert only(events, "early")["props"] == {"at": "head"}


def test_tracker_loaded_twice_counts_once(site, open_tab):
    src = site.url("/js/vigie.js")
    page = open_tab().load(site.add_page("/", head=f'<script defer data-domain="shop.test" src="{src}?again"></script>'))
    pause(page, NO_EVENTS_WAIT)
    assert len(site.events("pageview")) == 1


LINKS = """
<a id="internal" href="#section">Section</a>
<a id="pdf" href="/files/report.PDF?v=2">Report</a>
<a id="attr" href="/export/data" download>Export</a>
<a id="zip" href="http://elsewhere.test:{port}/files/archive.zip">Archive</a>
<a id="outbound" href="http://elsewhere.test:{port}/landing"><span>Partner</span></a>
"""


def test_download_and_outbound_clicks(site, open_tab):
    tab = open_tab()
    url = site.add_page("/links", LINKS.format(port=site.port))
    page = tab.load(url)
    site.wait_events(1, "pageview", page)

    page.click("#internal")
    # Each click is its own request, so arrival order between clicks is not
    # guaranteed: wait for each download event before the next click.
    with page.expect_download(timeout=5_000):
        page.click("#attr")
    site.wait_events(1, "download", page)
    page.click("#pdf")
    site.wait_events(2, "download", page)
    page.click("#zip")
    downloads = site.wait_events(3, "download", page)
    assert [d["props"]["url"] for d in downloads] == [
        site.url("/export/data"),
        site.url("/files/report.PDF?v=2"),
        site.url("/files/archive.zip", host="elsewhere.test"),
    ]
    assert all(d["url"].startswith(url) for d in downloads)  # the page, not the link
    assert site.events("outbound") == []

    page.click("#outbound span")  # a click inside the link counts too
    outbound = only(site.wait_events(1, "outbound", page), "outbound")
    assert outbound["props"] == {"url": site.url("/landing", host="elsewhere.test")}
    assert outbound["url"].startswith(url)
    # Navigation went ahead.
    page.wait_for_url(site.url("/landing", host="elsewhere.test"), timeout=5_000)


def test_engagement_on_hide_counts_visible_time_and_scroll(site, open_tab):
    tab = open_tab(VISIBILITY)
    url = site.add_page("/article", TALL)
    page = tab.load(url)
    site.wait_events(1, "pageview", page)
    started = time.monotonic()

    # 1100 px down a 3000 px page in an 800 px viewport: 1900 / 3000 = 63 %.
    page.evaluate("window.scrollTo(0, 1100)")
    page.wait_for_function("window.scrollY === 1100", timeout=3_000)
    pause(page, 0.3)
    page.evaluate("window.scrollTo(0, 0)")
    pause(page, 0.1)
    visible_for = (time.monotonic() - started) * 1000

    page.evaluate("__setVisibility('hidden')")
    first = only(site.wait_events(1, "engagement", page), "engagement")
    assert first["url"] == url
    assert first["scroll_depth"] == 63
    assert 300 <= first["engaged_ms"] <= visible_for + 1000
    assert set(first) == {"name", "domain", "url", "referrer", "screen_width", "engaged_ms", "scroll_depth"}

    # Hidden again or pagehide while already reported: nothing new.
    page.evaluate("__setVisibility('hidden'); dispatchEvent(new PageTransitionEvent('pagehide'))")
    pause(page, 0.5)  # hidden time, which must not be counted
    assert len(site.events("engagement")) == 1

    # Visible again re-arms; only the visible time since then is reported.
    shown = time.monotonic()
    page.evaluate("__setVisibility('visible')")
    pause(page, 0.2)
    page.evaluate("__setVisibility('hidden')")
    visible_for = (time.monotonic() - shown) * 1000  # an upper bound that excludes the hidden 0.5 s
    second = site.wait_events(2, "engagement", page)[1]
    assert 150 <= second["engaged_ms"] <= visible_for
    assert second["scroll_depth"] == 63  # the page's maximum so far


def test_engagement_sent_when_leaving_and_when_closing(site, open_tab):
    tab = open_tab()
    first = site.add_page("/one", TALL)
    page = tab.load(first)
    site.wait_events(1, "pageview", page)
    pause(page, 0.2)
    page.goto(site.url("/elsewhere"))  # a real pagehide / visibilitychange
    left = only(site.wait_events(1, "engagement", page), "engagement")
    assert left["url"] == first and left["engaged_ms"] >= 150
    assert left["scroll_depth"] == round(100 * VIEWPORT["height"] / 3000)

    second = site.add_page("/two")
    page.goto(second)
    site.wait_events(2, "pageview", page)
    pause(page, 0.2)
    page.close()
    closing = site.wait_events(2, "engagement", None)[1]
    assert closing["url"] == second and closing["engaged_ms"] >= 150
    assert closing["scroll_depth"] == 100  # a short page is seen whole


# What makes the tracker stand down, and the one reason its warning names.
IGNORED = {
    "opt-out": ("localStorage.setItem('vigie_ignore', 'true')", "opted out"),
    "webdriver": ("Object.defineProperty(Navigator.prototype, 'webdriver', {get: () => true})",
                  "automated browser"),
    "phantom": ("window._phantom = {}", "automated browser"),
    "nightmare": ("window.__nightmare = {}", "automated browser"),
    "cypress": ("window.Cypress = {}", "automated browser"),
}


@pytest.mark.parametrize("setup, reason", IGNORED.values(), ids=IGNORED.keys())
def test_ignored_browsers_send_nothing_and_warn_once(site, open_tab, setup, reason):
    tab = open_tab(setup)
    page = tab.load(site.add_page("/", TALL))
    page.evaluate("vigie('event', 'signup', {callback: () => { window.__called = true; }})")
    page.wait_for_function("window.__called === true", timeout=3_000)  # sites relying on it still work
    page.evaluate("history.pushState({}, '', '/next'); window.scrollTo(0, 500)")
    page.click("body")
    pause(page, NO_EVENTS_WAIT)
    assert site.posts == []
    assert tab.warnings == [f"Vigie: not tracking: {reason}"]


def test_opt_out_other_values_are_tracked(site, open_tab):
    tab = open_tab("localStorage.setItem('vigie_ignore', 'false')")
    page = tab.load(site.add_page("/"))
    assert len(site.wait_events(1, "pageview", page)) == 1
    assert tab.warnings == []


# Chromium resolves localhost and *.localhost to loopback by itself.
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "shop.localhost"])
def test_local_pages_send_nothing(site, open_tab, host):
    tab = open_tab()
    site.add_page("/local", script_host=host)
    page = tab.load(site.url("/local", host=host))
    page.evaluate("vigie('event', 'signup')")
    pause(page, NO_EVENTS_WAIT)
    assert site.posts == []
    assert [w for w in tab.warnings if "Vigie" in w] == [
        "Vigie: not tracking: local page"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_include_localhost_tracks_a_dev_server(site, open_tab, host):
    tab = open_tab()
    site.add_page("/dev", attrs='data-domain="shop.test" data-include-localhost', script_host=host)
    page = tab.load(site.url("/dev", host=host))
    page.evaluate("vigie('event', 'signup')")
    events = site.wait_events(2, page=page)
    assert names(events) == ["pageview", "signup"]
    assert all(e["url"].startswith(f"http://{host}:") and e["domain"] == "shop.test" for e in events)
    assert [w for w in tab.warnings if "Vigie" in w] == []


def test_include_localhost_still_stands_down_for_an_opt_out(site, open_tab):
    tab = open_tab("localStorage.setItem('vigie_ignore', 'true')")
    site.add_page("/dev", attrs='data-domain="shop.test" data-include-localhost', script_host="localhost")
    page = tab.load(site.url("/dev", host="localhost"))
    pause(page, NO_EVENTS_WAIT)
    assert site.posts == []
    assert [w for w in tab.warnings if "Vigie" in w] == ["Vigie: not tracking: opted out"]


def test_file_pages_send_nothing(site, open_tab, tmp_path):
    html = tmp_path / "page.html"
    html.write_text(f'<!doctype html><script defer data-domain="shop.test" '
                    f'src="{site.url("/js/vigie.js")}"></script><p>saved page</p>')
    tab = open_tab()
    page = tab.load(html.as_uri())
    pause(page, NO_EVENTS_WAIT)
    assert site.posts == []
    assert [w for w in tab.warnings if "Vigie" in w] == ["Vigie: not tracking: file page"]


# Each replaces sendBeacon and counts fetch calls, so the transport is known.
COUNT_FETCH = "window.__fetches = 0; const f = window.fetch; window.fetch = function () { window.__fetches++; return f.apply(this, arguments); };"
NO_BEACON = {
    "missing": "delete Navigator.prototype.sendBeacon;",
    "returns-false": "Navigator.prototype.sendBeacon = function () { return false; };",
    "throws": "Navigator.prototype.sendBeacon = function () { throw new TypeError('blocked'); };",
}


@pytest.mark.parametrize("setup", NO_BEACON.values(), ids=NO_BEACON.keys())
def test_fetch_fallback_without_sendbeacon(site, open_tab, setup):
    tab = open_tab(COUNT_FETCH + setup)
    page = tab.load(site.add_page("/", script_host="vigie.test"))
    page.evaluate("vigie('event', 'signup', {props: {plan: 'free'}, callback: () => { window.__called = true; }})")
    events = site.wait_events(2, page=page)
    assert names(events) == ["pageview", "signup"]
    assert only(events, "signup")["props"] == {"plan": "free"}
    page.wait_for_function("window.__called === true", timeout=3_000)  # after the fetch settled
    assert page.evaluate("window.__fetches") == 2
    assert all(p["content_type"].startswith("text/plain") for p in site.posts)
    assert all(p["host"] == "vigie.test" for p in site.posts)
    assert site.preflights == []


def test_sendbeacon_is_the_first_choice(site, open_tab):
    page = open_tab(COUNT_FETCH).load(site.add_page("/"))
    site.wait_events(1, "pageview", page)
    page.evaluate("vigie('event', 'signup')")
    site.wait_events(1, "signup", page)
    assert page.evaluate("window.__fetches") == 0


BROKEN = """
Object.defineProperty(window, 'localStorage', {configurable: true, get() { throw new DOMException('denied', 'SecurityError'); }});
Navigator.prototype.sendBeacon = function () { throw new TypeError('blocked'); };
History.prototype.pushState = undefined;
"""


def test_broken_environment_still_tracks_without_page_errors(site, open_tab):
    tab = open_tab(BROKEN)
    page = tab.load(site.add_page("/", TALL))
    assert page.evaluate("(() => { try { localStorage; return 'readable'; } catch (e) { return e.name; } })()") == "SecurityError"
    page.evaluate("vigie('identify', 'cust-1'); vigie('event', 'signup')")
    page.evaluate("history.replaceState({}, '', '/moved')")  # still patched
    events = site.wait_events(4, page=page)
    assert names(events) == ["engagement", "pageview", "pageview", "signup"]
    assert only(events, "signup")["customer_id"] == "cust-1"
    assert only(events, "engagement")["url"] == site.url("/")
    # Nothing the host page does with broken APIs surfaces as an error from the tracker.
    page.click("body")
    page.evaluate("window.scrollTo(0, 400)")
    pause(page, 0.3)


def test_no_fetch_and_no_beacon_is_silent(site, open_tab):
    tab = open_tab("delete Navigator.prototype.sendBeacon; window.fetch = undefined;")
    page = tab.load(site.add_page("/"))
    page.evaluate("vigie('event', 'signup', {callback: () => { window.__called = true; }})")
    page.wait_for_function("window.__called === true", timeout=3_000)
    pause(page, 0.3)
    assert site.posts == []


def test_bodies_are_plain_json_objects(site, open_tab):
    page = open_tab().load(site.add_page("/"))
    site.wait_events(1, "pageview", page)
    raw = site.posts[0]["raw"]
    assert isinstance(json.loads(raw.decode("utf-8")), dict)
