"""Stats API /web-vitals: the reports of the hand-built day of test_web_vitals."""
import pytest

from tests.analytics.test_stats_api_reports import csv_rows, get, ok_json
from tests.analytics.test_web_vitals import S, load
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site

DAY = "web-vitals?site=shop.test&period=custom&date=2026-03-10,2026-03-10"


@pytest.fixture
def token(store):
    add_site(store, S, "UTC", web_vitals=True)
    load(store)
    return create_api_key(store, S, "tests")[1]


def test_pages_with_the_summary(client, token):
    body = ok_json(client, DAY, token)
    assert body["report"] == "pages"
    assert body["summary"]["page_loads"] == 5
    assert body["summary"]["lcp"]["p75"] == 5000
    assert [(r["value"], r["page_loads"], r["inp"]["p75"]) for r in body["results"]] == [
        ("/", 3, 200), ("/pricing", 2, 600)]


def test_compared_with_the_previous_day(client, token):
    body = ok_json(client, DAY + "&compare=previous_period&report=devices", token)
    assert body["comparison"] == {"from": "2026-03-09", "to": "2026-03-09"}
    assert body["previous"]["lcp"]["p75"] == 2000
    assert body["changes"]["lcp"] == 150.0
    assert [r["value"] for r in body["results"]] == ["desktop", "mobile"]


def test_countries_as_csv(client, token):
    rows = csv_rows(client, DAY + "&report=countries", token)
    assert rows[0][:8] == ["value", "page_loads", "lcp_p75", "lcp_rating", "lcp_samples",
                           "lcp_good", "lcp_needs_improvement", "lcp_poor"]
    assert len(rows[0]) == 2 + 4 * 6
    assert rows[1][:8] == ["FR", "3", "5000", "poor", "3", "66.7", "0.0", "33.3"]
    assert rows[2][:3] == ["DE", "2", "3000"]


@pytest.mark.parametrize("query, message", [
    ("&report=browsers", "report: 'browsers' is not one of pages, devices, countries"),
    ("&limit=1000&page=2", "page: a web vitals table goes 1000 rows deep"),
    ("&f_nope=1", "unknown filter 'nope'"),
])
def test_bad_parameters_are_named(client, token, query, message):
    answer = get(client, DAY + query, token)
    assert answer.status_code == 400 and message in answer.get_json()["error"], answer.get_json()
