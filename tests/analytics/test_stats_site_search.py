"""Stats API /site-search: the site search reports of the hand-built day of test_site_search."""
import pytest

from tests.analytics.test_site_search import S, load_day
from tests.analytics.test_stats_api_reports import csv_rows, get, ok_json
from tests.factories import event, insert_events
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site

DAY = "site-search?site=shop.test&period=custom&date=2026-03-10,2026-03-10"


@pytest.fixture
def token(store):
    add_site(store, S, "UTC", search_no_results_page="/search/none", search_no_results_event="Search empty")
    load_day(store)
    return create_api_key(store, S, "tests")[1]


def test_terms_with_their_summary(client, token):
    body = ok_json(client, DAY, token)
    assert body["report"] == "terms"
    assert body["results"][0] == {"value": "shoes", "searches": 3, "visitors": 2, "visits": 3,
                                  "searches_per_visit": 1.0}
    assert [r["value"] for r in body["results"]] == ["shoes", "hats", "red shoes", "socks"]
    assert body["summary"] == {"searches": 6, "visitors": 3, "visits": 4, "searches_per_visit": 1.5,
                               "refinements": 1, "exits": 2, "no_results": 2, "no_results_rate": 33.3}


def test_compared_with_the_previous_day(client, store, token):
    insert_events(store, [event(S, "2026-03-09 09:00:00", visitor=7, pathname="/search",
                                site_search_term="shoes")])
    body = ok_json(client, DAY + "&compare=previous_period", token)
    assert body["comparison"] == {"from": "2026-03-09", "to": "2026-03-09"}
    # 6 searches against 1: +500 %; none of the day before found nothing: +33.3 points.
    assert body["summary"]["searches"] == {"value": 6, "previous": 1, "change": 500.0}
    assert body["summary"]["no_results_rate"] == {"value": 33.3, "previous": 0.0, "change": 33.3}


def test_no_results_and_next_pages_as_csv_and_pages(client, token):
    assert csv_rows(client, DAY + "&report=no_results", token) == [
        ["value", "searches", "visitors"], ["hats", "1", "1"], ["socks", "1", "1"]]
    body = ok_json(client, DAY + "&report=next_pages&limit=2&page=2", token)
    assert body["results"] == [{"value": "/p/red-shoe", "searches": 1, "visitors": 1}]


@pytest.mark.parametrize("query, message", [
    ("&report=words", "report: 'words' is not one of terms, no_results, next_pages"),
    ("&limit=1000&page=2", "page: a site search report goes 1000 rows deep"),
    ("&f_nope=1", "unknown filter 'nope'"),
])
def test_bad_parameters_are_named(client, token, query, message):
    answer = get(client, DAY + query, token)
    assert answer.status_code == 400 and message in answer.get_json()["error"], answer.get_json()
