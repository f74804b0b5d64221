"""POST /api/event with a `vitals` event: stored in web_vitals for sites that opted in,
refused with a 400 naming the field when a metric is out of bounds, never in events."""
import pytest

from tests.collector.conftest import post_event
from vigie.warehouse.sites import add_site
from vigie.warehouse.web_vitals import VITALS_COLUMNS

VITALS = {"name": "vitals", "domain": "shop.test", "url": "https://shop.test/pricing?x=1",
          "referrer": None, "screen_width": 1280, "lcp": 2300, "cls": 0.0512, "inp": 180,
          "ttfb": 412}


def vitals_rows(store):
    return store.query_dicts(f"SELECT {', '.join(VITALS_COLUMNS)} FROM web_vitals ORDER BY ts")


def test_a_vitals_event_becomes_one_web_vitals_row_and_no_event(collector, collector_client, store):
    add_site(store, "shop.test", web_vitals=True)
    assert post_event(collector_client, VITALS).status_code == 202
    collector.flush()
    [row] = vitals_rows(store)
    assert {k: row[k] for k in ("site", "hostname", "pathname", "device", "country", "browser",
                                "os", "lcp_ms", "cls", "inp_ms", "ttfb_ms")} == {
        "site": "shop.test", "hostname": "shop.test", "pathname": "/pricing", "device": "desktop",
        "country": "", "browser": "Chrome", "os": "Windows", "lcp_ms": 2300.0, "cls": 0.0512,
        "inp_ms": 180.0, "ttfb_ms": 412.0}
    assert row["visitor_id"] != 0
    assert store.query_value("SELECT count() FROM events") == 0


def test_a_metric_not_measured_is_stored_as_minus_one(collector, collector_client, store):
    add_site(store, "shop.test", web_vitals=True)
    body = {k: v for k, v in VITALS.items() if k not in ("inp", "lcp")}
    assert post_event(collector_client, body).status_code == 202
    collector.flush()
    [row] = vitals_rows(store)
    assert (row["lcp_ms"], row["cls"], row["inp_ms"], row["ttfb_ms"]) == (-1.0, 0.0512, -1.0, 412.0)


def test_a_site_that_has_not_opted_in_counts_the_report_and_stores_nothing(
        collector, collector_client, store):
    response = post_event(collector_client, VITALS)
    assert response.status_code == 202
    assert response.get_json()["dropped"] == "vitals_off"
    collector.flush()
    assert vitals_rows(store) == []
    assert store.query_value("SELECT count() FROM events") == 0


@pytest.mark.parametrize("change, message", [
    ({"lcp": 600_001}, "'lcp' must be between 0 and 600000, got 600001"),
    ({"cls": -0.1}, "'cls' must be between 0 and 100, got -0.1"),
    ({"inp": "fast"}, "'inp' must be a finite number, got str"),
    ({"ttfb": True}, "'ttfb' must be a finite number, got bool"),
    ({"lcp": None, "cls": None, "inp": None, "ttfb": None},
     "a vitals event needs at least one of 'lcp', 'cls', 'inp', 'ttfb'"),
])
def test_bad_metrics_are_refused_naming_the_field(collector, collector_client, store, change, message):
    add_site(store, "shop.test", web_vitals=True)
    response = post_event(collector_client, dict(VITALS, **change))
    assert response.status_code == 400
    assert response.get_json() == {"error": message, "reason": "bad_request"}
    collector.flush()
    assert vitals_rows(store) == []


def test_bots_are_dropped_before_storage(collector, collector_client, store):
    add_site(store, "shop.test", web_vitals=True)
    response = post_event(collector_client, VITALS, ua="curl/8.5.0")
    assert response.get_json()["accepted"] == 0
    collector.flush()
    assert vitals_rows(store) == []


def test_the_vitals_script_is_served_next_to_the_tracker(collector_client):
    response = collector_client.get("/js/vitals.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert b"largest-contentful-paint" in response.data
