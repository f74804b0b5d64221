"""The Events page (/events), its CSVs and the Stats API agree, on both backends.

One hand-built day (UTC) on shop.test, three visitors:

  visitor 1 (FR)  /, outbound partner/a twice, download guide.pdf, signup plan=pro
  visitor 2 (DE)  /, outbound partner/a, outbound other/, signup plan=free, purchase 20.00
  visitor 3 (FR)  /docs, download guide.pdf, download price-list.xlsx, signup plan=pro

  custom events   outbound 4 events / 2 visitors, download 3 / 2, signup 3 / 3, purchase 1 / 1 (20.00)
  outbound links  partner/a 3 clicks / 2 visitors, other/ 1 / 1
  file downloads  guide.pdf 2 / 2, price-list.xlsx 1 / 1
  signup props    plan = pro 2 / 2, plan = free 1 / 1
  with country FR (visitors 1 and 3 only): outbound 2 / 1, download 3 / 2, signup 2 / 2;
                  partner/a 2 / 1; plan = pro 2 / 2
"""
import csv
import io

import pytest

from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import outputs_of, route, row_links, sessionize, table_rows
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
DAY = "2026-03-10"
PARTNER, OTHER = "https://partner.example/a", "https://other.example/"
GUIDE, PRICES = "https://shop.test/files/guide.pdf", "https://shop.test/files/price-list.xlsx"
QUERY = {"site": S, "period": "custom", "from": DAY, "to": DAY}
OUTPUTS = [("events-message", "children"), ("events-names", "children"),
           ("events-outbound", "children"), ("events-downloads", "children"),
           ("events-props", "children"), ("events-props-tools", "children"), ("events-report", "style")]


def _url(name, visitor, ts, url, country):
    return event(S, f"{DAY} {ts}", name, visitor=visitor, country=country,
                 prop_keys=["url"], prop_values=[url])


@pytest.fixture
def day(store):
    site = add_site(store, S, "UTC")
    fr, de = "FR", "DE"
    insert_events(store, [
        event(S, f"{DAY} 09:00:00", visitor=1, country=fr),
        _url("outbound", 1, "09:01:00", PARTNER, fr),
        _url("outbound", 1, "09:02:00", PARTNER, fr),
        _url("download", 1, "09:03:00", GUIDE, fr),
        event(S, f"{DAY} 09:04:00", "signup", visitor=1, country=fr, prop_keys=["plan"], prop_values=["pro"]),
        event(S, f"{DAY} 10:00:00", visitor=2, country=de),
        _url("outbound", 2, "10:01:00", PARTNER, de),
        _url("outbound", 2, "10:02:00", OTHER, de),
        event(S, f"{DAY} 10:03:00", "signup", visitor=2, country=de, prop_keys=["plan"], prop_values=["free"]),
        event(S, f"{DAY} 10:04:00", "purchase", visitor=2, country=de, revenue=20.0, currency="EUR"),
        event(S, f"{DAY} 11:00:00", visitor=3, country=fr, pathname="/docs"),
        _url("download", 3, "11:01:00", GUIDE, fr),
        _url("download", 3, "11:02:00", PRICES, fr),
        event(S, f"{DAY} 11:03:00", "signup", visitor=3, country=fr, prop_keys=["plan"], prop_values=["pro"]),
    ])
    sessionize(store, site, "2026-03-09", "2026-03-12")
    return site


def _page(client, query):
    got = outputs_of(client, OUTPUTS, "events-query", query)
    assert got["events-message"] is None and got["events-report"] == {}
    return got


def _props_table(got):
    return find_component(got["events-props"], "events-props-table")


def _api(client, prop, query, fmt="json", **extra):
    params = {**query, "property": prop, "format": fmt, **extra}
    answer = client.get("/api/v1/stats/breakdown", query_string=params)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _api_rows(client, prop, query, **extra):
    return [(r["value"], r["events"], r["visitors"]) for r in
            _api(client, prop, query, **extra).get_json()["results"]]


def _csv_rows(client, prop, query, **extra):
    answer = _api(client, prop, query, "csv", **extra)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    return answer.headers["Content-Disposition"], [(r["value"], int(r["events"]), int(r["visitors"]))
                                                   for r in rows]


def test_every_table_of_the_day(signed_in, day):
    got = _page(signed_in, QUERY)
    assert table_rows(got["events-names"]) == [
        ["outbound", "2", "4", "0.00"], ["download", "2", "3", "0.00"], ["signup", "3", "3", "0.00"],
        ["purchase", "1", "1", "20.00"]]
    assert table_rows(got["events-outbound"]) == [[PARTNER, "2", "3"], [OTHER, "1", "1"]]
    assert table_rows(got["events-downloads"]) == [[GUIDE, "2", "2"], [PRICES, "1", "1"]]
    # The first event that is not a link click is chosen: signup.
    assert table_rows(_props_table(got)) == [["plan = pro", "2", "2"], ["plan = free", "1", "1"]]
    assert got["events-props-tools"]["props"]["href"].endswith("property=props&event=signup&format=csv")


def test_page_csv_and_api_agree(signed_in, day):
    got = _page(signed_in, QUERY)
    tables = {"outbound_links": got["events-outbound"], "file_downloads": got["events-downloads"]}
    for prop, table in tables.items():
        shown = [(r[0], int(r[2]), int(r[1])) for r in table_rows(table)]
        assert _api_rows(signed_in, prop, QUERY) == shown
        disposition, rows = _csv_rows(signed_in, prop, QUERY)
        assert rows == shown
        assert disposition == f'attachment; filename="breakdown-{prop}-{S}-{DAY}-{DAY}.csv"'
    names = [(r[0], int(r[2]), int(r[1])) for r in table_rows(got["events-names"])]
    assert _api_rows(signed_in, "events", QUERY) == names
    disposition, props_csv = _csv_rows(signed_in, "props", QUERY, event="signup")
    assert disposition == f'attachment; filename="breakdown-props-signup-{S}-{DAY}-{DAY}.csv"'
    assert [(f"plan = {v}", e, u) for v, e, u in props_csv] == [
        (r[0], int(r[2]), int(r[1])) for r in table_rows(_props_table(got))]


def test_a_filter_narrows_every_table_alike(signed_in, day):
    query = dict(QUERY, f_country="FR")
    got = _page(signed_in, query)
    assert table_rows(got["events-names"]) == [
        ["download", "2", "3", "0.00"], ["outbound", "1", "2", "0.00"], ["signup", "2", "2", "0.00"]]
    assert table_rows(got["events-outbound"]) == [[PARTNER, "1", "2"]]
    assert table_rows(got["events-downloads"]) == [[GUIDE, "2", "2"], [PRICES, "1", "1"]]
    assert table_rows(_props_table(got)) == [["plan = pro", "2", "2"]]
    assert _api_rows(signed_in, "outbound_links", query) == [(PARTNER, 2, 1)]
    assert _csv_rows(signed_in, "file_downloads", query)[1] == [(GUIDE, 2, 2), (PRICES, 1, 1)]


def test_rows_filter_the_page_and_keep_the_chosen_event(signed_in, day):
    got = _page(signed_in, dict(QUERY, event="purchase"))
    assert find_component(got["events-props"], "events-props-table-empty") is not None
    links = row_links(got["events-outbound"])
    assert "f_prop%3Aurl=https%3A%2F%2Fpartner.example%2Fa" in links[PARTNER]
    assert "event=purchase" in links[PARTNER]
    assert "f_event=signup" in row_links(got["events-names"])["signup"]
    # Filtering by the clicked URL keeps the visitors who clicked it, 1 and 2: outbound 4,
    # signup 2, then download and purchase 1 each (ties by name).
    narrowed = _page(signed_in, dict(QUERY, **{"f_prop:url": PARTNER}))
    assert [(row[0], row[2]) for row in table_rows(narrowed["events-names"])] == [
        ("outbound", "4"), ("signup", "2"), ("download", "1"), ("purchase", "1")]
    assert table_rows(narrowed["events-downloads"]) == [[GUIDE, "1", "1"]]


def test_the_layout_and_a_bad_link(signed_in, day):
    layout = route(signed_in, "/events", f"?site={S}&period=7d")
    for link in ("events-names-csv", "events-outbound-csv", "events-downloads-csv"):
        assert find_component(layout, link)["props"]["href"].startswith("/api/v1/stats/breakdown?")
    refused = outputs_of(signed_in, OUTPUTS, "events-query", dict(QUERY, site="nowhere.test"))
    assert refused["events-report"] == {"display": "none"}
    assert "No site named" in refused["events-message"]["props"]["children"]
