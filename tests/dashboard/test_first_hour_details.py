"""The small things of a marketer's first hour: chart images with a title, a date picker that
stays in the past, the snippet's copy button, commands shown as code, long labels with their
whole value on hover, and deleting a site (admins only, confirmed, its data kept)."""
import datetime
from zoneinfo import ZoneInfo

from tests.dashboard.conftest import find_component
from tests.dashboard.dash_calls import text_of
from tests.dashboard.patterns import click
from tests.dashboard.report_helpers import call, callback_output, route, sign_in_as
from tests.dashboard.test_settings_page import page
from vigie.dashboard.breakdown_view import COUNT, breakdown_table
from vigie.dashboard.chart_config import PRIVATE, chart, export_title
from vigie.dashboard.settings_areas.sites import deletion_warning
from vigie.dashboard.settings_view import with_code
from vigie.warehouse.sites import add_site, get_site, list_sites

SITE, OTHER = "shop.example", "old.example"
DELETE = {"type": "site-delete", "domain": OTHER}
ASK = [("site-delete-confirm", "displayed"), ("site-delete-confirm", "message"),
       ("site-delete-pending", "data")]
DONE = [("site-message", "children"), ("sites-panel", "children")]


def test_a_titled_chart_says_what_site_and_days_and_names_its_png_after_them():
    title = export_title("Visitors", SITE, datetime.date(2026, 3, 1), datetime.date(2026, 3, 7))
    assert title == "Visitors · shop.example · 2026-03-01 to 2026-03-07"
    assert export_title("Customer lifetime value", SITE, "2026-03-01") == \
        "Customer lifetime value · shop.example · 2026-03-01"
    graph = chart("g", {"data": [], "layout": {"height": 300, "margin": {"t": 16}}}, title=title)
    layout = graph.figure.layout
    assert layout.title.text == title and layout.margin.t > 16 and layout.height > 300
    assert graph.config["toImageButtonOptions"] == {
        "format": "png", "filename": "visitors-shop.example-2026-03-01-to-2026-03-07"}
    assert all(graph.config[k] == v for k, v in PRIVATE.items())
    untitled = chart("g", {"data": []}, "vigie-x")
    assert untitled.figure == {"data": []} and untitled.config["toImageButtonOptions"]["filename"] == "vigie-x"


def test_the_date_picker_opens_on_the_periods_end_and_stops_at_today(signed_in, store):
    add_site(store, SITE, "Pacific/Kiritimati")  # UTC+14: its today is often the UTC tomorrow
    today = datetime.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    layout = route(signed_in, "/", f"?site={SITE}&period=custom&from=2026-01-05&to=2026-02-10")
    picker = find_component(layout, "overview-range")["props"]
    assert picker["max_date_allowed"] == today.isoformat()
    assert picker["initial_visible_month"] == "2026-02-10"
    last_week = find_component(route(signed_in, "/sources", f"?site={SITE}&period=7d"), "sources-range")
    assert last_week["props"]["initial_visible_month"] == today.isoformat()


def test_backquoted_words_show_as_code():
    assert with_code("plain") == ["plain"]
    parts = with_code("`vigie serve` runs them; `vigie jobs run` runs one.")
    assert [p["type"] if isinstance(p, dict) else type(p).__name__ for p in
            [c.to_plotly_json() if hasattr(c, "to_plotly_json") else c for c in parts]] == [
        "Code", "str", "Code", "str"]
    assert with_code("an unpaired ` stays") == "an unpaired ` stays"


def test_settings_shows_commands_as_code_and_a_copy_button_per_snippet(signed_in, store):
    add_site(store, SITE)
    layout = page(signed_in)
    empty = find_component(layout, "job-status-table-empty")["props"]["children"]
    assert "`" not in text_of(empty)
    assert [c["props"]["children"] for c in empty if isinstance(c, dict)] == ["vigie serve", "vigie jobs run"]
    copy = find_component(layout, {"type": "site-snippet-copy", "domain": SITE})["props"]
    assert copy["content"].startswith(f'<script defer data-domain="{SITE}" src="http://')


def test_long_labels_keep_their_whole_value_on_hover():
    path = "/docs/guides/installing-the-tracker-on-a-single-page-application/react-router"
    table = breakdown_table("t", "Page", [("visits", "Visits", COUNT)],
                            [{"value": path, "visits": 3}], lambda row: row["value"], "visits", "none")
    cell = table.to_plotly_json()["props"]["children"][1].children[0].children[0]
    assert cell.title == path and cell.className == "label"


def test_deleting_a_site_asks_first_then_hides_it_and_keeps_its_data(signed_in, store):
    add_site(store, SITE)
    add_site(store, OTHER)
    asked = click(signed_in, ASK, [[({"type": "site-delete", "domain": SITE}, "n_clicks", 0),
                                    (DELETE, "n_clicks", 1)]], (), (DELETE, "n_clicks"), by_prop=True)
    assert asked[ASK[0]] is True and asked[ASK[2]] == OTHER
    assert asked[ASK[1]] == deletion_warning(OTHER) and "is not erased" in asked[ASK[1]]
    assert get_site(store, OTHER) is not None  # nothing happens before the confirmation
    name = callback_output(signed_in, "site-delete-confirm", "submit_n_clicks")
    done = call(signed_in, DONE, [("site-delete-confirm", "submit_n_clicks", 1)],
                [("site-delete-pending", "data", OTHER)], output_name=name)
    assert "deleted" in text_of(done["site-message"]["children"])
    assert [s.domain for s in list_sites(store)] == [SITE]
    assert OTHER not in str(done["sites-panel"]["children"])
    # The tombstone hides the site; its rows stay, so adding it again brings it back.
    assert store.query_value("SELECT count() FROM sites WHERE domain = %(d)s", {"d": OTHER}) == 2


def test_the_confirmation_message_names_the_site_and_its_data():
    warning = deletion_warning(OTHER)
    assert OTHER in warning and "refuses its events" in warning and "Adding old.example again" in warning


def test_only_an_admin_may_delete_a_site_even_posting_by_hand(client, store):
    add_site(store, SITE)
    sign_in_as(client, store, "mo@shop.example", "marketer", [SITE])
    name = callback_output(client, "site-delete-confirm", "submit_n_clicks")
    refused = call(client, DONE, [("site-delete-confirm", "submit_n_clicks", 1)],
                   [("site-delete-pending", "data", SITE)], output_name=name)
    assert "Settings are for admins" in text_of(refused["site-message"]["children"])
    assert get_site(store, SITE) is not None
