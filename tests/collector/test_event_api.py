"""POST /api/event: good events become rows, bad input gets a 4xx naming the problem."""
import datetime
import json
import uuid

import pytest

from vigie.collector.identity import visitor_id
from tests.collector.conftest import CHROME, post_event
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.salts import salt_for_day
from vigie.warehouse.sites import add_site

GOOD = {
    "name": "pageview",
    "domain": "shop.test",
    "url": "https://www.shop.test/pricing/?utm_source=news&utm_medium=email&utm_campaign=spring&x=1",
    "referrer": "https://www.google.com/search?q=coffee",
    "screen_width": 1280,
}


def stored_rows(store):
    return store.query_dicts(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY ts, name")


def test_a_good_pageview_lands_as_the_right_row(collector, collector_client, store):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    response = post_event(collector_client, GOOD, **{"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 202
    assert response.get_json() == {"accepted": 1}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert collector.flush() == 1
    [row] = stored_rows(store)
    assert set(row) == set(EVENT_COLUMNS)
    assert isinstance(row["event_id"], uuid.UUID) and row["event_id"].version == 4
    assert before <= row["ts"] <= datetime.datetime.now(datetime.timezone.utc)
    today = row["ts"].date()
    assert row["visitor_id"] == visitor_id(salt_for_day(store, today, create=False),
                                           "shop.test", "203.0.113.7", CHROME)
    expected = {
        "site": "shop.test", "name": "pageview", "customer_id": "", "hostname": "www.shop.test",
        "pathname": "/pricing/", "referrer": GOOD["referrer"], "referrer_host": "google.com",
        "utm_source": "news", "utm_medium": "email", "utm_campaign": "spring", "utm_content": "",
        "utm_term": "", "browser": "Chrome", "browser_version": "124.0", "os": "Windows",
        "os_version": "10", "device": "desktop", "country": "", "language": "fr-fr",
        "screen_width": 1280, "prop_keys": [], "prop_values": [], "revenue": 0.0, "currency": "",
        "engaged_ms": 0, "scroll_depth": 0,
    }
    assert {k: row[k] for k in expected} == expected


def test_custom_event_with_props_revenue_and_customer(collector, collector_client, store):
    add_site(store, "shop.test", identify_customers=True)
    body = dict(GOOD, name="purchase", referrer=None, customer_id="cust-42",
                props={"plan": "pro", "seats": 3, "trial": False},
                revenue={"amount": 49.9, "currency": "eur"})
    assert post_event(collector_client, body).status_code == 202
    collector.flush()
    [row] = stored_rows(store)
    assert row["name"] == "purchase" and row["customer_id"] == "cust-42"
    assert row["prop_keys"] == ["plan", "seats", "trial"]
    assert row["prop_values"] == ["pro", "3", "false"]
    assert (row["revenue"], row["currency"]) == (49.9, "EUR")
    assert row["referrer_host"] == ""


def test_engagement_event_keeps_time_and_scroll(collector, collector_client, store):
    body = dict(GOOD, name="engagement", engaged_ms=15300, scroll_depth=80)
    assert post_event(collector_client, body).status_code == 202
    collector.flush()
    [row] = stored_rows(store)
    assert (row["engaged_ms"], row["scroll_depth"]) == (15300, 80)


def test_self_referral_has_no_referrer_host(collector, collector_client, store):
    post_event(collector_client, dict(GOOD, referrer="https://blog.shop.test/post"))
    collector.flush()
    assert stored_rows(store)[0]["referrer_host"] == ""


def test_mobile_and_tablet_devices(collector, collector_client, store):
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    ipad = ("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
    post_event(collector_client, GOOD, ua=iphone)
    post_event(collector_client, GOOD, ua=ipad)
    collector.flush()
    got = sorted((r["device"], r["os"], r["browser"]) for r in stored_rows(store))
    assert got == [("mobile", "iOS", "Mobile Safari"), ("tablet", "iOS", "Mobile Safari")]


def test_local_pages_count_only_for_a_site_that_lists_them(collector, collector_client, store):
    """A dev server's pages (tracker tag with data-include-localhost) are accepted only by a
    site whose extra hostnames name localhost or 127.0.0.1 (docs/snippet.md)."""
    add_site(store, "dev.test", extra_hostnames=["localhost", "127.0.0.1"])
    refused = post_event(collector_client, dict(GOOD, url="http://localhost:3000/pricing"))
    assert refused.status_code == 403
    assert "'localhost'" in refused.get_json()["error"] and "'shop.test'" in refused.get_json()["error"]
    for url in ("http://localhost:3000/pricing", "http://127.0.0.1:8000/pricing"):
        response = post_event(collector_client, dict(GOOD, domain="dev.test", url=url))
        assert response.status_code == 202, response.get_json()
    assert collector.flush() == 2
    assert sorted((r["site"], r["hostname"], r["pathname"]) for r in stored_rows(store)) == [
        ("dev.test", "127.0.0.1", "/pricing"), ("dev.test", "localhost", "/pricing")]


def test_bots_are_dropped_and_counted(collector, collector_client, store):
    response = post_event(collector_client, GOOD,
                          ua="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert response.status_code == 202 and response.get_json()["dropped"] == "bot_pattern"
    collector.flush()
    assert stored_rows(store) == []
    assert collector.counts()["bot_pattern"] == 1


def _with(**changes):
    body = dict(GOOD)
    for key, value in changes.items():
        if value is _MISSING:
            body.pop(key)
        else:
            body[key] = value
    return body


_MISSING = object()

BAD = [
    ("not json", b"{name: pageview", 400, "not valid JSON"),
    ("empty", b"", 400, "empty"),
    ("array", b"[1, 2]", 400, "must be a JSON object, got list"),
    ("not utf-8", b"\xff\xfe{}", 400, "not UTF-8"),
    ("json null", b"null", 400, "must be a JSON object, got NoneType"),
    ("json string", b'"pageview"', 400, "must be a JSON object, got str"),
    ("deep nesting", b"[" * 4000, 400, "nested too deeply"),
    ("no name", _with(name=_MISSING), 400, "'name' is required"),
    ("no domain", _with(domain=_MISSING), 400, "'domain' is required"),
    ("no url", _with(url=_MISSING), 400, "'url' is required"),
    ("empty name", _with(name="  "), 400, "'name' must not be empty"),
    ("long name", _with(name="x" * 121), 400, "'name' is longer than 120"),
    ("name type", _with(name=5), 400, "'name' must be a string, got int"),
    ("url type", _with(url=["https://shop.test/"]), 400, "'url' must be a string"),
    ("relative url", _with(url="/pricing"), 400, "'url' must be an absolute http(s) URL"),
    ("ftp url", _with(url="ftp://shop.test/x"), 400, "absolute http(s) URL"),
    ("referrer type", _with(referrer=12), 400, "'referrer' must be a string"),
    ("screen type", _with(screen_width="1280"), 400, "'screen_width' must be an integer"),
    ("screen bool", _with(screen_width=True), 400, "'screen_width' must be an integer"),
    ("screen range", _with(screen_width=-1), 400, "'screen_width' must be between 0 and 65535"),
    ("props type", _with(props=["a"]), 400, "'props' must be an object"),
    ("too many props", _with(props={f"k{i}": "v" for i in range(31)}), 400, "at most 30"),
    ("prop value type", _with(props={"a": {"b": 1}}), 400, "prop 'a' must be a string, number or boolean"),
    ("long prop", _with(props={"a": "x" * 2001}), 400, "prop 'a' is longer than 2000"),
    ("revenue type", _with(revenue=10), 400, "'revenue' must be an object"),
    ("revenue amount", _with(revenue={"amount": "10", "currency": "EUR"}), 400, "'revenue.amount'"),
    ("revenue currency", _with(revenue={"amount": 10, "currency": "euro"}), 400, "'revenue.currency'"),
    ("customer type", _with(customer_id=42), 400, "'customer_id' must be a string"),
    ("long customer", _with(customer_id="c" * 201), 400, "'customer_id' is longer than 200"),
    ("domain type", _with(domain=["shop.test"]), 400, "'domain' must be a string, got list"),
    ("engaged type", _with(engaged_ms="15s"), 400, "'engaged_ms' must be an integer, got str"),
    ("scroll type", _with(scroll_depth=50.5), 400, "'scroll_depth' must be an integer, got float"),
    ("long prop name", _with(props={"k" * 301: "v"}), 400, "must have 1 to 300 characters"),
    ("revenue no currency", _with(revenue={"amount": 10}), 400, "'revenue.currency'"),
    ("revenue nan", b'{"name":"p","domain":"shop.test","url":"https://shop.test/",'
                    b'"revenue":{"amount":NaN,"currency":"EUR"}}', 400, "'revenue.amount' must be a finite number"),
    ("engaged range", _with(engaged_ms=-5), 400, "'engaged_ms' must be between"),
    ("scroll range", _with(scroll_depth=101), 400, "'scroll_depth' must be between 0 and 100"),
    ("unknown site", _with(domain="nope.test", url="https://nope.test/"), 404, "site 'nope.test' is not registered"),
    ("foreign host", _with(url="https://evil.example/"), 403, "'evil.example' does not belong to site 'shop.test'"),
    ("lookalike host", _with(url="https://notshop.test/"), 403, "does not belong"),
]


@pytest.mark.parametrize("label, body, status, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_4xx_naming_the_problem(collector, collector_client, store, label, body, status, message):
    response = post_event(collector_client, body)
    assert response.status_code == status, response.get_json()
    assert message in response.get_json()["error"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    collector.flush()
    assert stored_rows(store) == []


def test_oversized_bodies_get_413_whatever_they_declare(collector_client, settings):
    big = json.dumps(dict(GOOD, props={"a": "x" * 1999, "b": "x" * 1999, "c": "x" * 1999,
                                       "d": "x" * 1999, "e": "x" * 1999}))
    assert len(big) > settings.max_payload_bytes
    response = post_event(collector_client, big)
    assert response.status_code == 413
    assert f"{settings.max_payload_bytes}-byte limit" in response.get_json()["error"]


def test_wrong_method_and_preflight(collector_client):
    wrong = collector_client.get("/api/event")
    assert wrong.status_code == 405 and "send events with POST" in wrong.get_json()["error"]
    assert wrong.headers["Allow"] == "POST, OPTIONS"
    preflight = collector_client.options("/api/event")
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_tracker_is_served_with_caching_headers(collector_client):
    first = collector_client.get("/js/vigie.js")
    assert first.status_code == 200
    assert first.mimetype == "application/javascript"
    assert first.data == b"/* tracker */ window.vigie=1;"
    assert set(first.headers["Cache-Control"].replace(" ", "").split(",")) == {"public", "max-age=3600"}
    etag = first.headers["ETag"]
    assert etag
    again = collector_client.get("/js/vigie.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    changed = collector_client.get("/js/vigie.js", headers={"If-None-Match": '"someone-elses"'})
    assert changed.status_code == 200


def test_missing_tracker_is_a_json_404(collector_client):
    collector_client.tracker_path.unlink()
    response = collector_client.get("/js/vigie.js")
    assert response.status_code == 404 and "not been built" in response.get_json()["error"]


def test_past_timestamps_only_through_the_python_entry(collector, store):
    from vigie.collector import ClientInfo
    when = datetime.datetime(2026, 1, 5, 10, 30, 15, tzinfo=datetime.timezone.utc)
    result = collector.ingest(dict(GOOD), ClientInfo("198.51.100.4", CHROME, "en"), received_at=when)
    assert result.accepted
    collector.flush()
    assert stored_rows(store)[0]["ts"] == when
