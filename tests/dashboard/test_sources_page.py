"""The Sources page over HTTP, signed in: every table checked against hand-built events
(tests/dashboard/traffic_day.py) on both backends, filters, CSV links, per-site access."""
from urllib.parse import parse_qs, urlsplit

from tests.dashboard.conftest import find_component, login
from tests.dashboard.dash_calls import call, route, row_link, table_rows
from tests.dashboard.traffic_day import DAY, SITE, load_traffic_day
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SECTIONS = ["channels", "referrers", "search-engines", "search-terms", "utm-medium", "utm-source",
            "utm-campaign", "utm-term", "utm-content"]
OUTPUTS = ([("sources-message", "children")] + [(f"sources-{s}-body", "children") for s in SECTIONS]
           + [("sources-report", "style")])
ONE_DAY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}


def sources(client, query):
    answer = call(client, OUTPUTS, [("sources-selection", "data", query)])
    return {name.removeprefix("sources-").removesuffix("-body"): answer[name][prop]
            for name, prop in OUTPUTS}


def test_every_table_of_the_worked_day(signed_in, store):
    load_traffic_day(store)
    got = sources(signed_in, ONE_DAY)
    assert got["message"] is None and got["report"] == {}
    # Label, visitors, visits, bounce rate, conversions, conversion rate, revenue.
    assert table_rows(got["channels"]) == [
        ["Email", "1", "2", "50.0%", "1", "50.0%", "0.00"],
        ["Organic Search", "2", "2", "0.0%", "1", "50.0%", "49.50"],
        ["Direct", "1", "1", "100.0%", "0", "0.0%", "0.00"],
        ["Referral", "1", "1", "100.0%", "0", "0.0%", "0.00"]]
    assert table_rows(got["referrers"]) == [
        ["Direct / None", "2", "3", "66.7%", "1", "33.3%", "0.00"],
        ["google.com", "2", "2", "0.0%", "1", "50.0%", "49.50"],
        ["news.ycombinator.com", "1", "1", "100.0%", "0", "0.0%", "0.00"]]
    assert table_rows(got["search-engines"]) == [["Google", "2", "2", "0.0%", "1", "50.0%", "49.50"]]
    assert table_rows(got["search-terms"]) == [["vigie analytics", "1", "1", "0.0%", "0", "0.0%", "0.00"]]
    for tag, value in (("utm-medium", "email"), ("utm-source", "newsletter"), ("utm-campaign", "spring")):
        assert table_rows(got[tag]) == [[value, "1", "2", "50.0%", "1", "50.0%", "0.00"]]
    # No visit carried utm_term: a sentence, not a row of untagged traffic.
    assert got["utm-term"]["props"]["id"] == "sources-utm-term-table-empty"
    assert "utm_term" in got["utm-term"]["props"]["children"]


def test_a_row_link_filters_every_table_and_a_chip_removes_it(signed_in, store):
    load_traffic_day(store)
    href = row_link(sources(signed_in, ONE_DAY)["channels"], "Email")
    url = urlsplit(href)
    assert url.path == "/sources"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {**ONE_DAY, "f_channel": "Email"}
    got = sources(signed_in, query)
    assert table_rows(got["referrers"]) == [["Direct / None", "1", "2", "50.0%", "1", "50.0%", "0.00"]]
    # Filtered to Email, no organic search visit is left for the search engines table.
    assert "leave no visit" in got["search-engines"]["props"]["children"]
    page = route(signed_in, "/sources", "?" + url.query)
    chip = find_component(page, {"type": "sources-chip", "name": "channel"})
    assert chip["props"]["href"] == f"/sources?site={SITE}&period=custom&from={DAY}&to={DAY}"
    csv = find_component(page, "sources-search-engines-csv")["props"]["href"]
    assert "property=source" in csv and "f_channel=Organic+Search" in csv and "format=csv" in csv
    assert "property=utm_campaign" in find_component(page, "sources-utm-campaign-csv")["props"]["href"]


def test_an_empty_period_and_a_bad_link(signed_in, store):
    add_site(store, SITE, "UTC")
    got = sources(signed_in, {"site": SITE, "period": "custom", "from": "2020-01-01", "to": "2020-01-02"})
    assert got["channels"]["props"]["children"] == "No visits in this period."
    got = sources(signed_in, {"site": SITE, "period": "fortnight"})
    assert "Cannot show this period" in got["message"]["props"]["children"]
    assert got["report"] == {"display": "none"} and got["channels"] is None


def test_a_marketer_of_another_site_sees_nothing_of_it(client, store):
    add_site(store, "a.example", "UTC")
    load_traffic_day(store)
    add_user(store, "mia@shop.example", "a long enough password", role="marketer", sites=["a.example"])
    assert login(client, "mia@shop.example", "a long enough password").status_code == 302
    page = route(client, "/sources", f"?site={SITE}&period=7d")
    assert [o["value"] for o in find_component(page, "sources-site")["props"]["options"]] == ["a.example"]
    got = sources(client, ONE_DAY)
    assert f"No site named “{SITE}” is registered" in got["message"]["props"]["children"]
    assert all(got[s] is None for s in SECTIONS)
