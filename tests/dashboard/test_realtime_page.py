"""The realtime page's callbacks over HTTP on both backends, with events placed relative to the real clock.

Every event sits minutes away from a window's edge, so a slow test run cannot
move it across one. shop.example is in Paris; times on the page are Paris times.

  visitor 1  2 min ago /pricing (source Google, FR, desktop); 1 min ago signup on /pricing
  visitor 2  4 min ago / (direct, DE, mobile)
  visitor 3  10 min ago /pricing (from news.example)
  visitor 4  45 min ago /old: outside the 30 minutes
  visitor 5  on other.example, 1 min ago: never shown

Current visitors (5 minutes): 1 and 2 -> 2. Feed, newest first: signup /pricing,
pageview /pricing, pageview /, pageview /pricing. Top pages: /pricing 2 visitors
2 pageviews, / 1 and 1. Sources (first event of each visitor): Direct / None,
Google, news.example, one visitor each.
"""
import datetime
from zoneinfo import ZoneInfo

from tests.dashboard.conftest import dash_post, find_component
from tests.dashboard.test_conversions_page import sign_in_as, table_rows, text
from tests.dashboard.test_overview_callbacks import call
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

SITE, OTHER, TIMEZONE = "shop.example", "other.example", "Europe/Paris"
OUTPUTS = [("realtime-message", "children"), ("realtime-report", "style"), ("realtime-now", "children"),
           ("realtime-events", "children"), ("realtime-pages-panel", "children"),
           ("realtime-sources-panel", "children"), ("realtime-updated", "children")]


def minutes_ago(now, minutes):
    return now - datetime.timedelta(minutes=minutes)


def world(store):
    add_site(store, SITE, TIMEZONE)
    add_site(store, OTHER, "UTC")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    insert_events(store, [
        event(SITE, minutes_ago(now, 2), visitor=1, pathname="/pricing", source="Google",
              referrer_host="google.com", country="FR"),
        event(SITE, minutes_ago(now, 1), "signup", visitor=1, pathname="/pricing", country="FR"),
        event(SITE, minutes_ago(now, 4), visitor=2, pathname="/", country="DE", device="mobile"),
        event(SITE, minutes_ago(now, 10), visitor=3, pathname="/pricing", referrer_host="news.example"),
        event(SITE, minutes_ago(now, 45), visitor=4, pathname="/old"),
        event(OTHER, minutes_ago(now, 1), visitor=5, pathname="/secret"),
    ])
    return now


def report(client, site, refreshes=0):
    answer = call(client, OUTPUTS, [("realtime-query", "data", {"site": site}),
                                    ("realtime-tick", "n_intervals", refreshes)])
    return {name: answer[name][prop] for name, prop in OUTPUTS}


def paris(moment):
    return moment.astimezone(ZoneInfo(TIMEZONE)).strftime("%H:%M:%S")


def test_current_visitors_feed_and_top_lists(signed_in, store):
    now = world(store)
    got = report(signed_in, SITE)
    assert got["realtime-message"] is None
    assert got["realtime-now"][0]["props"]["data-value"] == "2"
    feed = find_component(got["realtime-events"], "realtime-feed")
    header = [text(th) for th in feed["props"]["children"][0]["props"]["children"]["props"]["children"]]
    assert header == ["Time", "Event", "Page", "Source", "Country", "Device"]  # never who
    assert table_rows(got["realtime-events"], "realtime-feed") == [
        (paris(minutes_ago(now, 1)), "signup", "/pricing", "Direct / None", "FR", "desktop"),
        (paris(minutes_ago(now, 2)), "pageview", "/pricing", "Google", "FR", "desktop"),
        (paris(minutes_ago(now, 4)), "pageview", "/", "Direct / None", "DE", "mobile"),
        (paris(minutes_ago(now, 10)), "pageview", "/pricing", "news.example", "—", "desktop")]
    assert table_rows(got["realtime-pages-panel"], "realtime-pages") == [("/pricing", "2", "2"), ("/", "1", "1")]
    assert table_rows(got["realtime-sources-panel"], "realtime-sources") == [
        ("Direct / None", "1"), ("Google", "1"), ("news.example", "1")]
    assert "Refreshes every 10 seconds" in got["realtime-updated"]
    # After an hour of refreshes the page says it stopped.
    assert "paused after an hour" in report(signed_in, SITE, refreshes=360)["realtime-updated"]


def test_an_empty_site_says_what_to_do(signed_in, store):
    add_site(store, SITE, TIMEZONE)
    got = report(signed_in, SITE)
    assert got["realtime-now"][0]["props"]["data-value"] == "0"
    assert "No pageviews or events in the last 30 minutes" in text(got["realtime-events"])
    assert text(got["realtime-pages-panel"]) == "No pageviews in the last 30 minutes."


def test_the_site_picker_writes_the_url(signed_in, store):
    world(store)
    body = {"output": "realtime-url.search", "outputs": {"id": "realtime-url", "property": "search"},
            "inputs": [{"id": "realtime-site", "property": "value", "value": OTHER}],
            "state": [{"id": "realtime-url", "property": "search", "value": f"?site={SITE}"}],
            "changedPropIds": ["realtime-site.value"]}
    assert dash_post(signed_in, body).get_json()["response"]["realtime-url"]["search"] == f"?site={OTHER}"
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/realtime"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    page = dash_post(signed_in, body).get_json()["response"]["_pages_content"]["children"]
    # No site in the URL: the first one; refreshes every 10 s, bounded.
    assert find_component(page, "realtime-query")["props"]["data"] == {"site": OTHER}
    tick = find_component(page, "realtime-tick")["props"]
    assert (tick["interval"], tick["max_intervals"]) == (10_000, 360)


def test_per_site_access_and_roles(client, app, store):
    world(store)
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", [SITE])
    got = report(marketer, OTHER)
    assert f"No site named “{OTHER}” is registered" in text(got["realtime-message"])
    assert got["realtime-events"] is None and got["realtime-now"] == []
    assert report(marketer, SITE)["realtime-now"][0]["props"]["data-value"] == "2"
    retention = sign_in_as(app.test_client(), store, "rex@shop.example", "retention", [SITE])
    got = report(retention, SITE)
    assert "not part of this account" in text(got["realtime-message"])
    assert got["realtime-events"] is None
