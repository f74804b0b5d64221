"""Stats API aggregate, timeseries and breakdown: numbers of hand-built visits, CSV, filters, errors.

The worked day of docs/metrics.md (tests/analytics/test_query.py) on
10 March 2026, plus two visits on 9 March to compare with:
- visitor 5: one pageview of / at 09:00 (a bounce, 0 s);
- visitor 6: / at 10:00 then /pricing at 10:01 (engaged, 60 s).
So 9 March has 2 visitors, 2 visits, 3 pageviews, 1.5 views per visit, a
50 % bounce rate, 30 s per visit, 0 s on page and no revenue.
"""
import csv
import io

import pytest

from tests.analytics.test_query import sessionize, worked_day
from tests.factories import event, insert_events
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site

S = "shop.test"
DAY = "period=custom&date=2026-03-10,2026-03-10"
TWO_DAYS = "period=custom&date=2026-03-09,2026-03-10"


@pytest.fixture
def sites(store):
    add_site(store, "other.test", "UTC")
    return add_site(store, S, "UTC")


@pytest.fixture
def shop(store, sites):
    site = sites
    insert_events(store, worked_day() + [
        event(S, "2026-03-09 09:00:00", visitor=5, pathname="/"),
        event(S, "2026-03-09 10:00:00", visitor=6, pathname="/"),
        event(S, "2026-03-09 10:01:00", visitor=6, pathname="/pricing"),
    ])
    sessionize(store, site)
    return site


@pytest.fixture
def token(store, sites):
    return create_api_key(store, S, "tests")[1]


def get(client, query, token):
    return client.get(f"/api/v1/stats/{query}", headers={"Authorization": f"Bearer {token}"})


def ok_json(client, query, token):
    answer = get(client, query, token)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def csv_rows(client, query, token):
    answer = get(client, query + "&format=csv", token)
    assert answer.status_code == 200 and answer.mimetype == "text/csv", answer.get_data(as_text=True)
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True))))


def test_aggregate_of_the_worked_day(client, shop, token):
    body = ok_json(client, f"aggregate?site={S}&{DAY}", token)
    assert body["results"] == {
        "visitors": {"value": 4}, "visits": {"value": 5}, "pageviews": {"value": 8},
        "views_per_visit": {"value": 1.6}, "bounce_rate": {"value": 40.0},
        "visit_duration": {"value": 523}, "time_on_page": {"value": 4},
        # The worked day has no goal: no visit converts.
        "conversions": {"value": 0}, "conversion_rate": {"value": 0.0}, "revenue": {"value": 120.0}}
    assert body["filters"] == {} and "ignored" not in body


def test_aggregate_against_the_previous_day(client, shop, token):
    body = ok_json(client, f"aggregate?site={S}&{DAY}&compare=previous_period", token)
    assert body["compare"] == "previous_period"
    assert body["comparison"] == {"from": "2026-03-09", "to": "2026-03-09"}
    assert body["results"] == {
        "visitors": {"value": 4, "previous": 2, "change": 100.0},
        "visits": {"value": 5, "previous": 2, "change": 150.0},
        "pageviews": {"value": 8, "previous": 3, "change": 166.7},      # 5 / 3
        "views_per_visit": {"value": 1.6, "previous": 1.5, "change": 6.7},
        "bounce_rate": {"value": 40.0, "previous": 50.0, "change": -10.0},   # points
        "visit_duration": {"value": 523, "previous": 30, "change": 1643.3},  # 493 / 30
        "time_on_page": {"value": 4, "previous": 0, "change": None},    # no change from zero
        "conversions": {"value": 0, "previous": 0, "change": None},
        "conversion_rate": {"value": 0.0, "previous": 0.0, "change": 0.0},   # points
        "revenue": {"value": 120.0, "previous": 0.0, "change": None}}
    rows = csv_rows(client, f"aggregate?site={S}&{DAY}&compare=previous_period&metrics=visits,bounce_rate",
                    token)
    assert rows == [["metric", "value", "previous", "change"], ["visits", "5", "2", "150.0"],
                    ["bounce_rate", "40.0", "50.0", "-10.0"]]


def test_aggregate_with_dashboard_filters(client, shop, token):
    # Email visits: visitor 3 (/, 25 s engaged) and visitor 4 (3 pages, 2405 s, 120 revenue).
    body = ok_json(client, f"aggregate?site={S}&{DAY}&f_channel=Email", token)
    assert {m: v["value"] for m, v in body["results"].items()} == {
        "visitors": 2, "visits": 2, "pageviews": 4, "views_per_visit": 2.0, "bounce_rate": 0.0,
        "visit_duration": 1215, "time_on_page": 6, "conversions": 0, "conversion_rate": 0.0,
        "revenue": 120.0}
    assert body["filters"] == {"channel": "Email"}
    # Filters combine with AND: Email visits from France are visitor 4's.
    both = ok_json(client, f"aggregate?site={S}&{DAY}&f_channel=Email&f_country=FR&metrics=visits", token)
    assert both["results"] == {"visits": {"value": 1}}
    # prop:KEY filters: the visits with an event carrying plan=pro (visitors 1 and 4).
    pro = ok_json(client, f"aggregate?site={S}&{DAY}&f_prop:plan=pro&metrics=visitors", token)
    assert pro["results"] == {"visitors": {"value": 2}}
    # No Email visit on 9 March: nothing to compare with.
    compared = ok_json(client, f"aggregate?site={S}&{DAY}&f_channel=Email&compare=previous_period"
                               "&metrics=visits,bounce_rate", token)
    assert compared["results"] == {"visits": {"value": 2, "previous": 0, "change": None},
                                   "bounce_rate": {"value": 0.0, "previous": None, "change": None}}


def test_timeseries_by_day_and_by_hour(client, shop, token):
    days = ok_json(client, f"timeseries?site={S}&{TWO_DAYS}&metrics=visits,pageviews", token)
    assert days["interval"] == "day"
    assert days["results"] == [{"bucket": "2026-03-09T00:00:00", "visits": 2, "pageviews": 3},
                               {"bucket": "2026-03-10T00:00:00", "visits": 5, "pageviews": 8}]
    hours = ok_json(client, f"timeseries?site={S}&{TWO_DAYS}&interval=hour&metrics=visits", token)
    assert len(hours["results"]) == 48
    assert [(r["bucket"], r["visits"]) for r in hours["results"] if r["visits"]] == [
        ("2026-03-09T09:00:00", 1), ("2026-03-09T10:00:00", 1), ("2026-03-10T09:00:00", 1),
        ("2026-03-10T10:00:00", 1), ("2026-03-10T11:00:00", 1), ("2026-03-10T12:00:00", 1),
        ("2026-03-10T13:00:00", 1)]
    # One day defaults to hours; a week interval puts both days in Monday 9 March's bucket.
    assert ok_json(client, f"timeseries?site={S}&{DAY}", token)["interval"] == "hour"
    week = ok_json(client, f"timeseries?site={S}&{TWO_DAYS}&interval=week&metrics=visitors", token)
    assert week["results"] == [{"bucket": "2026-03-09T00:00:00", "visitors": 6}]


def test_timeseries_filtered_as_csv(client, shop, token):
    rows = csv_rows(client, f"timeseries?site={S}&{DAY}&f_channel=Email&metrics=visits,revenue", token)
    assert rows[0] == ["bucket", "visits", "revenue"] and len(rows) == 25
    assert [r for r in rows[1:] if r[1] != "0"] == [["2026-03-10 12:00:00", "1", "0.0"],
                                                     ["2026-03-10 13:00:00", "1", "120.0"]]


def test_breakdown_of_a_visit_dimension(client, shop, token):
    body = ok_json(client, f"breakdown?site={S}&{DAY}&property=channel", token)
    assert body["property"] == "channel"
    assert [(r["value"], r["visits"], r["visitors"], r["revenue"]) for r in body["results"]] == [
        ("Direct", 2, 1, 0.0), ("Email", 2, 2, 120.0), ("Organic Search", 1, 1, 0.0)]
    only_fr = ok_json(client, f"breakdown?site={S}&{DAY}&property=channel&f_country=FR", token)
    assert [(r["value"], r["visits"]) for r in only_fr["results"]] == [("Email", 1)]


def test_breakdown_csv_of_countries(client, shop, token):
    # No country: visits of visitors 1, 2 (twice) and 3: 5 pageviews, 2 bounces,
    # (180 + 4 + 0 + 25) / 4 = 52.25 s, 29 s engaged over 5 pageviews = 5.8 s.
    assert csv_rows(client, f"breakdown?site={S}&{DAY}&property=country", token) == [
        ["value", "visitors", "visits", "pageviews", "views_per_visit", "bounce_rate",
         "visit_duration", "time_on_page", "conversions", "conversion_rate", "revenue"],
        ["", "3", "4", "5", "1.25", "50.0", "52", "6", "0", "0.0", "0.0"],
        ["FR", "1", "1", "3", "3.0", "0.0", "2405", "0", "0", "0.0", "120.0"]]


def test_breakdown_csv_of_pages_and_paging(client, shop, token):
    assert csv_rows(client, f"breakdown?site={S}&{DAY}&property=pages", token) == [
        ["value", "visitors", "pageviews", "time_on_page", "entries", "bounce_rate"],
        ["/", "2", "2", "12", "2", "0.0"],          # 25 s over 2 views, 12.5 -> 12
        ["/blog", "1", "2", "2", "2", "100.0"],
        ["/pricing", "2", "2", "0", "1", "0.0"],
        ["/cart", "1", "1", "0", "0", ""],          # never an entry page: no bounce rate
        ["/thank-you", "1", "1", "0", "0", ""]]
    second = ok_json(client, f"breakdown?site={S}&{DAY}&property=pages&limit=2&page=2", token)
    assert [r["value"] for r in second["results"]] == ["/pricing", "/cart"]
    assert (second["page"], second["limit"]) == (2, 2)
    csv_page = csv_rows(client, f"breakdown?site={S}&{DAY}&property=pages&limit=2&page=3", token)
    assert csv_page[1:] == [["/thank-you", "1", "1", "0", "0", ""]]


def test_breakdown_of_exit_pages_events_and_props(client, shop, token):
    exits = csv_rows(client, f"breakdown?site={S}&{DAY}&property=exit_page&limit=1", token)
    assert exits[0][-2:] == ["exits", "exit_rate"] and exits[1][0] == "/blog"
    assert exits[1][-2:] == ["2", "100.0"]
    events = ok_json(client, f"breakdown?site={S}&{DAY}&property=events&f_country=FR", token)
    assert events["results"] == [{"value": "purchase", "events": 1, "visitors": 1, "revenue": 120.0}]
    props = csv_rows(client, f"breakdown?site={S}&{DAY}&property=props&event=signup", token)
    assert props == [["key", "value", "events", "visitors", "revenue"], ["plan", "pro", "1", "1", "0.0"]]


def test_a_key_of_another_site_and_no_credentials(client, store, sites):
    _, other = create_api_key(store, "other.test")
    for name in ("aggregate", "timeseries", "breakdown"):
        refused = get(client, f"{name}?site={S}&property=source", other)
        assert refused.status_code == 403
        assert refused.get_json() == {"error": "site: this API key is for other.test, not shop.test"}
        anonymous = client.get(f"/api/v1/stats/{name}?site={S}&property=source")
        assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("query, message", [
    ("breakdown?site=S", "property: missing"),
    ("breakdown?site=S&property=colour", "property: 'colour' is not one of source, referrer"),
    ("breakdown?site=S&property=source&event=signup", "event: only with property=props"),
    ("breakdown?site=S&property=props&event=", "event: empty value"),
    ("breakdown?site=S&property=pages&limit=500&page=3",
     "page: a breakdown goes 1000 rows deep; page 3 of 500 rows would need 1500"),
    ("timeseries?site=S&interval=minute", "interval: 'minute' is not one of hour, day, week, month"),
    ("timeseries?site=S&period=12mo&interval=hour", "interval: hourly buckets need a period of at most 31"),
    ("aggregate?site=S&metrics=visits,sales", "metrics: 'sales' is not one of visitors"),
    ("aggregate?site=S&compare=last_decade", "compare: 'last_decade' is not one of previous_period"),
    ("aggregate?site=S&f_colour=red", "f_colour: unknown filter 'colour'"),
    ("aggregate?site=S&f_country=", "f_country: empty value"),
    ("aggregate?site=S&f_=FR", "f_: a filter needs a name"),
    ("aggregate?site=S&f_country=FR&f_country=DE", "f_country: give it once, not 2 times"),
    ("aggregate?site=S&period=custom&from=2026-03-01", "to: missing"),
    ("aggregate?site=S&period=custom&from=2026-03-01&to=2026-02-01", "from: the period ends (2026-02-01)"),
    ("aggregate?site=S&period=custom&date=2026-03-01,2026-03-02&from=2026-03-01&to=2026-03-02",
     "date: give either"),
    ("aggregate?site=S&period=7d&from=2026-03-01", "from: only with period=custom"),
])
def test_bad_parameters_are_named(client, sites, token, query, message):
    answer = get(client, query.replace("site=S", f"site={S}"), token)
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith(message), answer.get_json()["error"]
