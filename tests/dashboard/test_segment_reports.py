"""Saved segments on the report pages, on both backends: a segment in the URL shows the same numbers
as its filters given explicitly, its chips and picker show it, and the segment tools save, share and
delete under the owner/admin rule (docs/segments.md).

The day is tests/dashboard/traffic_day.py: visitors 1 and 4 come from organic search on desktops.
"""
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard.conftest import PASSWORD, dash_post, find_component, login
from tests.dashboard.dash_calls import route, table_rows
from tests.dashboard.test_overview_callbacks import ONE_DAY, kpis, report as overview
from tests.dashboard.test_sources_page import sources
from tests.dashboard.traffic_day import SITE, load_traffic_day
from vigie.analytics.segments import save_segment
from vigie.warehouse.segments import Reader, site_segments
from vigie.warehouse.users import add_user

SEARCH_DESKTOP = {"channel": "Organic Search", "device": "desktop"}
EXPLICIT = {"f_channel": "Organic Search", "f_device": "desktop"}


@pytest.fixture
def segment(store, account):
    load_traffic_day(store)
    return save_segment(store, SITE, account.email, "Desktop search", SEARCH_DESKTOP, "shared")


def shown_rows(panel):
    """A table's rows as text, or what the panel shows instead of one."""
    is_table = isinstance(panel, dict) and panel.get("type") == "Table"
    return table_rows(panel) if is_table else json.dumps(panel)


def test_a_segment_shows_the_numbers_of_its_filters(signed_in, segment):
    by_segment = overview(signed_in, {**ONE_DAY, "segment": segment.segment_id})
    explicit = overview(signed_in, {**ONE_DAY, **EXPLICIT})
    # Visitors 1 and 4: 2 visits, 5 pageviews, 1 conversion with 49.50.
    assert kpis(by_segment) == kpis(explicit)
    assert (kpis(by_segment)["visitors"], kpis(by_segment)["pageviews"], kpis(by_segment)["revenue"]) == (
        "2", "5", "49.5")
    assert table_rows(by_segment["overview-channels-body"]) == [["Organic Search", "2", "2"]]
    source_tables = sources(signed_in, {**ONE_DAY, "segment": segment.segment_id})
    explicit_tables = sources(signed_in, {**ONE_DAY, **EXPLICIT})
    # The rows' links differ (segment=ID or f_ filters), their numbers may not.
    assert {name: shown_rows(table) for name, table in source_tables.items()} == {
        name: shown_rows(table) for name, table in explicit_tables.items()}
    assert table_rows(source_tables["search-engines"]) == [["Google", "2", "2", "0.0%", "1", "50.0%", "49.50"]]


def test_the_page_shows_the_segment_in_the_picker_and_its_filters_as_chips(signed_in, segment):
    search = f"?site={SITE}&period=custom&from={ONE_DAY['from']}&to={ONE_DAY['to']}&segment={segment.segment_id}"
    page = route(signed_in, "/sources", search + "&f_country=FR")
    picker = find_component(page, "sources-segment")["props"]
    assert picker["value"] == segment.segment_id
    assert picker["options"] == [{"label": "Desktop search (shared)", "value": segment.segment_id}]
    chip = find_component(page, "sources-segment-chip")
    assert "Desktop search" in json.dumps(chip)
    # Removing the segment keeps the filter added on top of it.
    assert parse_qs(urlsplit(chip["props"]["href"]).query) == {
        "site": [SITE], "period": ["custom"], "from": [ONE_DAY["from"]], "to": [ONE_DAY["to"]],
        "f_country": ["FR"]}
    for name, value in SEARCH_DESKTOP.items():
        assert value in json.dumps(find_component(page, {"type": "sources-segment-filter", "name": name}))
    assert find_component(page, {"type": "sources-chip", "name": "country"}) is not None
    csv = find_component(page, "sources-channels-csv")["props"]["href"]
    assert f"segment={segment.segment_id}" in csv


def test_a_contradicting_filter_or_a_hidden_segment_is_explained(signed_in, client, store, segment, app):
    got = sources(signed_in, {**ONE_DAY, "segment": segment.segment_id, "f_channel": "Email"})
    assert "already filters channel = 'Organic Search'" in json.dumps(got["message"])
    mine = save_segment(store, SITE, "root@shop.example", "Mine", {"country": "FR"})
    add_user(store, "mia@shop.example", PASSWORD, sites=[SITE])
    mia = app.test_client()
    login(mia, "mia@shop.example", PASSWORD)
    hidden = sources(mia, {**ONE_DAY, "segment": mine.segment_id})
    assert "does not exist or is not shared with you" in json.dumps(hidden["message"])
    assert find_component(route(mia, "/sources", f"?site={SITE}"), "sources-segment")["props"]["options"] == [
        {"label": "Desktop search (shared)", "value": segment.segment_id}]


def segment_action(client, page, clicked, search, name="", visibility="private", new_name=""):
    """Press one button of the segment tools (save, rename-button, share, delete); the callback's answer."""
    output = next(d["output"] for d in client.get("/_dash-dependencies").get_json()
                  if [i["id"] for i in d["inputs"]][:1] == [f"{page}-segment-save"])
    buttons = ["save", "rename-button", "share", "delete"]
    body = {"output": output,
            "outputs": [{"id": part.split(".")[0], "property": part.split(".")[1].split("@")[0]}
                        for part in output.strip(".").split("...")],
            "inputs": [{"id": f"{page}-segment-{b}", "property": "n_clicks", "value": int(b == clicked)}
                       for b in buttons],
            "state": [{"id": f"{page}-segment-name", "property": "value", "value": name},
                      {"id": f"{page}-segment-visibility", "property": "value", "value": visibility},
                      {"id": f"{page}-segment-rename", "property": "value", "value": new_name},
                      {"id": f"{page}-url", "property": "search", "value": search}],
            "changedPropIds": [f"{page}-segment-{clicked}.n_clicks"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def test_save_share_rename_and_delete_from_the_bar(signed_in, client, store, app, account):
    load_traffic_day(store)
    search = f"?site={SITE}&period=7d&f_channel=Email"
    saved = segment_action(signed_in, "sources", "save", search, name="Newsletter", visibility="private")
    (created,) = site_segments(store, SITE, Reader(account.email))
    assert (created.name, created.filters, created.visibility) == ("Newsletter", {"channel": "Email"}, "private")
    assert saved["sources-url"]["search"] == f"?site={SITE}&period=7d&segment={created.segment_id}"
    assert saved["sources-segment"]["options"] == [{"label": "Newsletter", "value": created.segment_id}]
    nothing = segment_action(signed_in, "sources", "save", f"?site={SITE}&period=7d", name="All")
    assert "no filter to save yet" in json.dumps(nothing["sources-segment-status"])
    shown = f"?site={SITE}&period=7d&segment={created.segment_id}"
    segment_action(signed_in, "sources", "share", shown)
    segment_action(signed_in, "sources", "rename-button", shown, new_name="Newsletter readers")
    (changed,) = site_segments(store, SITE, Reader(""))
    assert (changed.name, changed.visibility) == ("Newsletter readers", "shared")
    # A marketer of the site sees the shared segment but may not change it.
    add_user(store, "mia@shop.example", PASSWORD, sites=[SITE])
    mia = app.test_client()
    login(mia, "mia@shop.example", PASSWORD)
    refused = segment_action(mia, "sources", "delete", shown)
    assert "only its owner" in json.dumps(refused["sources-segment-status"])
    gone = segment_action(signed_in, "sources", "delete", shown)
    assert gone["sources-url"]["search"] == f"?site={SITE}&period=7d"
    assert site_segments(store, SITE, Reader(account.email, True)) == []
    # Sharing a segment that is gone, or with none picked, is refused by name, never a 500.
    for search in (shown, f"?site={SITE}&period=7d"):
        late = segment_action(signed_in, "sources", "share", search)
        assert "has no segment" in json.dumps(late["sources-segment-status"])
