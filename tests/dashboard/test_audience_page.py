"""The Audience page (/audience) through its Dash callbacks, on both backends.

Expected numbers are worked out by hand in tests/dashboard/audience_day.py.
"""
from tests.dashboard.audience_day import DAY, SITE, audience_events
from tests.dashboard.conftest import find_component
from tests.dashboard.report_helpers import (call, callback_output, outputs_of, query_of, route,
                                            row_links, sessionize, sign_in_as, table_rows)
from tests.factories import insert_events
from vigie.warehouse.sites import add_site

GEOGRAPHY = [("audience-message", "children"), ("audience-map", "children"),
             ("audience-countries", "children"), ("audience-regions", "children"),
             ("audience-report", "style")]
TECHNOLOGY = [(f"audience-{name}", "children") for name in (
    "device", "screen-class", "browser", "browser-version", "os", "os-version", "language")]
RETURNING = [("audience-returning", "children")]
DAY_QUERY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}
EMPTY_QUERY = {"site": SITE, "period": "custom", "from": "2020-01-01", "to": "2020-01-31"}


def _shop(store):
    site = add_site(store, SITE, "UTC")
    insert_events(store, audience_events())
    sessionize(store, site, "2024-02-29", "2024-03-12")
    return site


def geography(client, query):
    return outputs_of(client, GEOGRAPHY, "audience-selection", query)


def technology(client, query):
    return outputs_of(client, TECHNOLOGY, "audience-selection", query)


def returning(client, query):
    return outputs_of(client, RETURNING, "audience-selection", query)["audience-returning"]


def test_countries_and_the_map(signed_in, store):
    _shop(store)
    got = geography(signed_in, DAY_QUERY)
    assert got["audience-message"] is None and got["audience-report"] == {}
    assert table_rows(got["audience-countries"]) == [
        ["France", "2", "3", "66.7%"],
        ["(not set)", "1", "1", "100.0%"],
        ["Germany", "1", "1", "100.0%"],
        ["United States", "1", "1", "0.0%"],
    ]
    links = row_links(got["audience-countries"])
    assert query_of(links["Germany"]) == {**DAY_QUERY, "f_country": "DE"}
    assert links["(not set)"] is None

    graph = got["audience-map"]
    assert graph["props"]["id"] == "audience-map"
    trace = graph["props"]["figure"]["data"][0]
    assert trace["type"] == "choropleth" and trace["locationmode"] == "ISO-3"
    assert list(trace["locations"]) == ["FRA", "DEU", "USA"]
    assert list(trace["z"]) == [2, 1, 1]
    assert list(trace["customdata"]) == ["FR", "DE", "US"]
    config = graph["props"]["config"]
    # The map's outline is served by Vigie itself, and the PNG download stays in the modebar.
    assert config["topojsonURL"] == "/assets/"
    assert "toImage" not in config.get("modeBarButtonsToRemove", [])


def test_regions_say_why_they_are_empty(signed_in, store):
    _shop(store)
    regions = geography(signed_in, DAY_QUERY)["audience-regions"]
    assert regions["props"]["id"] == "regions-table-empty"
    assert "knows countries only" in regions["props"]["children"]


def test_devices_browsers_systems_and_languages(signed_in, store):
    _shop(store)
    got = technology(signed_in, DAY_QUERY)
    assert table_rows(got["audience-device"]) == [
        ["desktop", "3", "4", "75.0%"], ["mobile", "2", "2", "50.0%"]]
    assert table_rows(got["audience-screen-class"]) == [
        ["laptop", "1", "2", "50.0%"], ["mobile", "2", "2", "50.0%"],
        ["(not set)", "1", "1", "100.0%"], ["desktop", "1", "1", "100.0%"]]
    assert table_rows(got["audience-browser"]) == [
        ["Chrome", "3", "4", "50.0%"], ["Firefox", "1", "1", "100.0%"], ["Safari", "1", "1", "100.0%"]]
    assert table_rows(got["audience-browser-version"]) == [
        ["Chrome 124.0", "2", "3", "66.7%"], ["Chrome 123.0", "1", "1", "0.0%"],
        ["Firefox 125.0", "1", "1", "100.0%"], ["Safari 17.4", "1", "1", "100.0%"]]
    assert table_rows(got["audience-os"]) == [
        ["Windows", "1", "2", "50.0%"], ["Android", "1", "1", "0.0%"], ["Linux", "1", "1", "100.0%"],
        ["iOS", "1", "1", "100.0%"], ["macOS", "1", "1", "100.0%"]]
    assert table_rows(got["audience-os-version"]) == [
        ["Windows 10", "1", "2", "50.0%"], ["Android 14", "1", "1", "0.0%"],
        ["Linux", "1", "1", "100.0%"], ["iOS 17.4", "1", "1", "100.0%"], ["macOS 14", "1", "1", "100.0%"]]
    assert table_rows(got["audience-language"]) == [
        ["fr-fr", "2", "3", "66.7%"], ["en-us", "2", "2", "50.0%"], ["de-de", "1", "1", "100.0%"]]
    versions = row_links(got["audience-browser-version"])
    assert query_of(versions["Chrome 124.0"]) == {**DAY_QUERY, "f_browser_version": "Chrome 124.0"}
    # 'Linux ' (no version sent) would not survive the URL's trimming: shown, not linked.
    assert row_links(got["audience-os-version"])["Linux"] is None


def test_new_and_returning_visitors(signed_in, store):
    _shop(store)
    cards = returning(signed_in, DAY_QUERY)
    values = {card["props"]["id"]: card["props"]["data-value"] for card in cards["props"]["children"]}
    assert values == {"returning-new-visitors": "3", "returning-returning-visitors": "2",
                      "returning-new-visits": "4", "returning-returning-visits": "2",
                      "returning-returning-visit-share": "33.3"}


def test_a_country_filter_narrows_every_panel(signed_in, store):
    _shop(store)
    query = {**DAY_QUERY, "f_country": "FR"}
    got = geography(signed_in, query)
    assert table_rows(got["audience-countries"]) == [["France", "2", "3", "66.7%"]]
    tech = technology(signed_in, query)
    assert table_rows(tech["audience-browser"]) == [
        ["Chrome", "1", "2", "50.0%"], ["Firefox", "1", "1", "100.0%"]]
    # New-vs-returning follows the filters too: no note says otherwise.
    page = route(signed_in, "/audience", f"?site={SITE}&period=custom&from={DAY}&to={DAY}&f_country=FR")
    assert find_component(page, "returning-not-filtered") is None
    chip = find_component(page, {"type": "audience-chip", "name": "country"})
    assert query_of(chip["props"]["href"]) == DAY_QUERY


def test_a_click_on_the_map_writes_the_country_filter_into_the_url(signed_in, store):
    _shop(store)
    search = f"?site={SITE}&period=custom&from={DAY}&to={DAY}&f_device=mobile"
    click = {"points": [{"location": "DEU", "customdata": "DE", "z": 1}]}
    answer = call(signed_in, [("audience-url", "search")], [("audience-map", "clickData", click)],
                  state=[("audience-url", "search", search)],
                  output_name=callback_output(signed_in, "audience-map", "clickData"))
    assert query_of(answer["audience-url"]["search"]) == {
        **DAY_QUERY, "f_device": "mobile", "f_country": "DE"}


def test_csv_exports_of_every_table(signed_in, store):
    _shop(store)
    page = route(signed_in, "/audience", f"?site={SITE}&period=custom&from={DAY}&to={DAY}")
    for prop in ("country", "region", "device", "screen_class", "browser", "browser_version", "os",
                 "os_version", "language"):
        href = find_component(page, f"audience-{prop.replace('_', '-')}-csv")["props"]["href"]
        assert href.startswith("/api/v1/stats/breakdown?")
        assert query_of(href) == {**DAY_QUERY, "property": prop, "format": "csv"}
    href = find_component(page, "audience-returning-csv")["props"]["href"]
    assert href.startswith("/api/v1/stats/returning?") and query_of(href) == {**DAY_QUERY, "format": "csv"}


def test_an_empty_period_says_what_to_do(signed_in, store):
    _shop(store)
    got = geography(signed_in, EMPTY_QUERY)
    assert got["audience-map"]["props"]["id"] == "audience-map-empty"
    assert got["audience-countries"]["props"]["id"] == "countries-table-empty"
    assert got["audience-regions"]["props"]["children"].startswith("No visits in this period.")
    assert technology(signed_in, EMPTY_QUERY)["audience-language"]["props"]["id"] == "language-table-empty"
    assert returning(signed_in, EMPTY_QUERY)["props"]["id"] == "returning-empty"


def test_a_marketer_cannot_read_another_sites_audience(client, store):
    _shop(store)
    add_site(store, "a.example", "UTC")
    marketer = sign_in_as(client, store, "mia@shop.example", "marketer", ["a.example"])
    got = geography(marketer, DAY_QUERY)
    assert f"No site named “{SITE}” is registered" in got["audience-message"]["props"]["children"]
    assert got["audience-map"] is None and got["audience-countries"] is None
    assert all(value is None for value in technology(marketer, DAY_QUERY).values())
    assert returning(marketer, DAY_QUERY) is None
