"""The Pages page (/pages) through its Dash callbacks, on both backends.

Numbers are those of tests/dashboard/worked_day.py worked out by hand for
pages (the day's events, times UTC, site in Paris):

  top pages   /             4 views, 4 visitors, no engaged time -> 0 s; entry of 4 visits,
                            1 bounce (visitor 6) -> 25.0 %
              /pricing      3 views, 3 visitors, 40 s engaged / 3 views -> 13 s; entry of
                            visitor 3's second visit, a bounce -> 1 entry, 100.0 %
              /blog/launch  1 view, 8 s; 1 entry, a bounce -> 100.0 %
              /checkout     1 view, 45 s; never an entry -> bounce rate undefined (—)
  entry pages /             4 visits of visitors 1, 3, 4, 6; durations 130, 20, 1245, 0 s
                            -> 349 s = 5m 49s; 1 bounce -> 25.0 %
              /blog/launch  1 visit, 8 s, bounce;  /pricing 1 visit, 0 s, bounce
  exit pages  /             visits of visitors 3 (first) and 6 end there: 2 exits of 4 views -> 50.0 %
              /pricing      visitors 1 and 3 (second visit): 2 exits of 3 views -> 66.7 %
              /blog/launch, /checkout  1 exit of 1 view -> 100.0 %
"""
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import (outputs_of, query_of, route, row_links, sessionize,
                                            sign_in_as, table_rows)
from tests.dashboard.worked_day import DAY, SITE, TIMEZONE, day_events
from tests.factories import insert_events
from vigie.warehouse.sites import add_site

OUTPUTS = [("content-message", "children"), ("content-top", "children"),
           ("content-entry", "children"), ("content-exit", "children"),
           ("content-report", "style")]
DAY_QUERY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}


def _shop(store):
    site = add_site(store, SITE, TIMEZONE)
    insert_events(store, day_events())
    sessionize(store, site, "2024-03-09", "2024-03-12")
    return site


def report(client, query):
    return outputs_of(client, OUTPUTS, "content-selection", query)


def test_pages_of_the_worked_day(signed_in, store):
    _shop(store)
    got = report(signed_in, DAY_QUERY)
    assert got["content-message"] is None and got["content-report"] == {}
    assert table_rows(got["content-top"]) == [
        ["/", "4", "4", "0s", "4", "25.0%"],
        ["/pricing", "3", "3", "13s", "1", "100.0%"],
        ["/blog/launch", "1", "1", "8s", "1", "100.0%"],
        ["/checkout", "1", "1", "45s", "0", "—"],
    ]
    assert table_rows(got["content-entry"]) == [
        ["/", "4", "4", "25.0%", "5m 49s"],
        ["/blog/launch", "1", "1", "100.0%", "8s"],
        ["/pricing", "1", "1", "100.0%", "0s"],
    ]
    assert table_rows(got["content-exit"]) == [
        ["/", "2", "2", "50.0%"],
        ["/pricing", "2", "2", "66.7%"],
        ["/blog/launch", "1", "1", "100.0%"],
        ["/checkout", "1", "1", "100.0%"],
    ]


def test_each_row_filters_the_view_by_its_page(signed_in, store):
    _shop(store)
    got = report(signed_in, DAY_QUERY)
    for output, name in (("content-top", "f_page"), ("content-entry", "f_entry_page"),
                         ("content-exit", "f_exit_page")):
        href = row_links(got[output])["/pricing"]
        assert href.startswith("/pages?")
        assert query_of(href) == {**DAY_QUERY, name: "/pricing"}


def test_a_page_filter_narrows_to_the_visits_that_viewed_it(signed_in, store):
    _shop(store)
    # Visits that viewed /pricing: visitor 1 (entry /, 130 s), visitor 3's second visit
    # (entry /pricing, bounce), visitor 4 (entry /, 1245 s) -> / 2 entries, 688 s, 0 % bounce.
    got = report(signed_in, {**DAY_QUERY, "f_page": "/pricing"})
    assert table_rows(got["content-entry"]) == [
        ["/", "2", "2", "0.0%", "11m 28s"],
        ["/pricing", "1", "1", "100.0%", "0s"],
    ]
    page = route(signed_in, "/pages", f"?site={SITE}&period=custom&from={DAY}&to={DAY}&f_page=%2Fpricing")
    chip = find_component(page, {"type": "content-chip", "name": "page"})
    assert chip is not None and query_of(chip["props"]["href"]) == DAY_QUERY


def test_the_tables_export_the_breakdowns_as_csv(signed_in, store):
    _shop(store)
    page = route(signed_in, "/pages", f"?site={SITE}&period=custom&from={DAY}&to={DAY}&f_country=FR")
    for link_id, prop in (("content-pages-csv", "pages"), ("content-entry-page-csv", "entry_page"),
                          ("content-exit-page-csv", "exit_page")):
        href = find_component(page, link_id)["props"]["href"]
        assert href.startswith("/api/v1/stats/breakdown?")
        assert query_of(href) == {**DAY_QUERY, "f_country": "FR", "property": prop, "format": "csv"}


def test_an_empty_period_says_what_to_do(signed_in, store):
    _shop(store)
    got = report(signed_in, {"site": SITE, "period": "custom", "from": "2020-01-01", "to": "2020-01-31"})
    assert got["content-top"]["props"]["id"] == "top-pages-table-empty"
    assert "check that the tracking snippet is on the site's pages" in got["content-top"]["props"]["children"]
    assert got["content-entry"]["props"]["children"].startswith("No visits in this period.")
    assert got["content-exit"]["props"]["id"] == "exit-pages-table-empty"


def test_a_bad_link_gets_a_message(signed_in, store):
    _shop(store)
    got = report(signed_in, {**DAY_QUERY, "f_nonsense": "1"})
    assert "unknown filter 'nonsense'" in got["content-message"]["props"]["children"]
    assert got["content-report"] == {"display": "none"} and got["content-top"] is None


def test_a_marketer_cannot_read_another_sites_pages(client, store):
    _shop(store)
    add_site(store, "a.example", "UTC")
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", ["a.example"])
    page = route(marketer, "/pages", f"?site={SITE}&period=7d")
    assert [o["value"] for o in find_component(page, "content-site")["props"]["options"]] == ["a.example"]
    got = report(marketer, DAY_QUERY)
    assert f"No site named “{SITE}” is registered" in got["content-message"]["props"]["children"]
    assert got["content-top"] is None and got["content-exit"] is None


def test_the_retention_role_gets_no_pages_report(client, store):
    _shop(store)
    retention = sign_in_as(client, store, "rex@shop.example", "retention", [SITE])
    assert route(retention, "/pages", f"?site={SITE}")["props"]["id"] == "no-analytics"
    got = report(retention, DAY_QUERY)
    assert "not part of this account" in got["content-message"]["props"]["children"]
    assert got["content-top"] is None
