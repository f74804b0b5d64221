"""Audience: where visitors are, what they browse with, and whether they come back.

A world map and country / region tables, then devices, screen sizes,
browsers, operating systems (each with versions) and languages, all counted
over visits that started in the period by the visit's first event
(analytics.breakdowns), and new versus returning visitors
(analytics.retention). A table row or a country on the map filters the
whole view. Three callbacks fill the page so the browser asks for the
geography, technology and loyalty panels at once.
"""
from urllib.parse import parse_qs

import dash
from dash import Input, Output, State, callback, html, no_update

from vigie.analytics.breakdowns import breakdown
from vigie.analytics.retention import new_vs_returning
from vigie.dashboard.audience_view import map_figure, mappable, returning_cards
from vigie.dashboard.breakdown_view import COUNT, PERCENT, breakdown_table, linked_label
from vigie.dashboard.chart_config import chart, export_title
from vigie.dashboard.controls import register_url_sync
from vigie.dashboard.countries import country_name
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, context, message, panel,
                                   report_layout, resolve_query)
from vigie.dashboard.selection import SelectionError, selection_from_query
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE = "audience"
PATH = "/audience"
ROWS = 15

dash.register_page(__name__, path=PATH, title="Audience · Vigie", name="Audience",
                   area="analytics", order=30)
register_url_sync(PAGE)

COLUMNS = [("visitors", "Visitors", COUNT), ("visits", "Visits", COUNT),
           ("bounce_rate", "Bounce rate", PERCENT)]
# (breakdown and filter name, panel title, label column header)
TECHNOLOGY = (
    ("device", "Devices", "Device"),
    ("screen_class", "Screen sizes", "Screen"),
    ("browser", "Browsers", "Browser"),
    ("browser_version", "Browser versions", "Browser version"),
    ("os", "Operating systems", "OS"),
    ("os_version", "OS versions", "OS version"),
    ("language", "Languages", "Language"),
)
_NO_VISITS = ("No visits in this period. Try a longer period, or check that the tracking "
              "snippet is on the site's pages.")
NO_REGIONS = ("No regions recorded. The IP database Vigie ships knows countries only, so visits "
              "carry no region; the country table above is the finest level available.")


def _dom_id(name):
    return name.replace("_", "-")


def _export(selection, prop):
    return csv_link("breakdown", selection, f"{PAGE}-{_dom_id(prop)}-csv", property=prop)


def _panels(selection):
    technology = [panel(title, f"{PAGE}-{_dom_id(name)}", _export(selection, name))
                  for name, title, _ in TECHNOLOGY]
    return [
        panel("Visitors by country", f"{PAGE}-map"),
        html.Div(className="columns pairs", children=[
            panel("Countries", f"{PAGE}-countries", _export(selection, "country")),
            panel("Regions", f"{PAGE}-regions", _export(selection, "region")),
        ]),
        panel("New and returning visitors", f"{PAGE}-returning",
              csv_link("returning", selection, f"{PAGE}-returning-csv")),
    ] + [html.Div(className="columns pairs", children=technology[i:i + 2])
         for i in range(0, len(technology), 2)]


def layout(**query):
    return report_layout(PAGE, PATH, query, _panels)


def _map(rows, site, period):
    if not mappable(rows):
        return html.P("No visits from a known country in this period. Countries come from the "
                      "visitor's IP address when the event is collected.", className="empty",
                      id="audience-map-empty")
    return chart("audience-map", map_figure(rows), scrollZoom=False,
                 title=export_title("Visitors by country", site.domain, period.start, period.end),
                 # The world outline ships in dashboard/assets: the dashboard never calls a CDN.
                 topojsonURL=dash.get_asset_url(""),
                 modeBarButtons=[["zoomInGeo", "zoomOutGeo", "resetGeo", "toImage"]])


def _regions(rows, selection):
    if not any(row["value"] for row in rows):
        return html.P(NO_REGIONS if rows else _NO_VISITS, className="empty", id="regions-table-empty")
    return breakdown_table("regions-table", "Region", COLUMNS, rows,
                           linked_label(PATH, selection, "region"), "visits", _NO_VISITS)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-map", "children"),
    Output(f"{PAGE}-countries", "children"),
    Output(f"{PAGE}-regions", "children"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-selection", "data"),
)
def show_geography(query):
    try:
        site, period, selection = resolve_query(query)
        store, filters = context().store, selection.filter_dict()
        countries = breakdown(store, site, period, "country", filters, limit=250)
        regions = breakdown(store, site, period, "region", filters, limit=ROWS)
    except SelectionError as exc:
        return message(str(exc)), None, None, None, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, None, HIDDEN
    table = breakdown_table("countries-table", "Country", COLUMNS, countries[:ROWS],
                            linked_label(PATH, selection, "country", country_name), "visits",
                            _NO_VISITS)
    return None, _map(countries, site, period), table, _regions(regions, selection), SHOWN


@callback(
    [Output(f"{PAGE}-{_dom_id(name)}", "children") for name, _, _ in TECHNOLOGY],
    Input(f"{PAGE}-selection", "data"),
)
def show_technology(query):
    try:
        site, period, selection = resolve_query(query)
        store, filters = context().store, selection.filter_dict()
        found = [breakdown(store, site, period, name, filters, limit=ROWS) for name, _, _ in TECHNOLOGY]
    except (SelectionError, StoreError):
        # show_geography tells the reader what is wrong; these panels stay hidden with it.
        return [None] * len(TECHNOLOGY)
    return [breakdown_table(f"{_dom_id(name)}-table", header, COLUMNS, rows,
                            linked_label(PATH, selection, name), "visits", _NO_VISITS)
            for (name, _, header), rows in zip(TECHNOLOGY, found)]


@callback(Output(f"{PAGE}-returning", "children"), Input(f"{PAGE}-selection", "data"))
def show_returning(query):
    try:
        site, period, selection = resolve_query(query)
        # The visits the filters keep, each still new or returning by all earlier events.
        counts = new_vs_returning(context().store, site, period,
                                  context().settings.visit_timeout_minutes, selection.filter_dict())
    except (SelectionError, StoreError):
        return None
    if not counts["visits"]:
        return html.P(_NO_VISITS, className="empty", id="returning-empty")
    return returning_cards(counts)


@callback(
    Output(f"{PAGE}-url", "search", allow_duplicate=True),
    Input("audience-map", "clickData"),
    State(f"{PAGE}-url", "search"),
    prevent_initial_call=True,
)
def country_clicked(click, search):
    """A click on a country adds (or replaces) the country filter in the URL."""
    points = (click or {}).get("points") or [{}]
    code = points[0].get("customdata")
    if not isinstance(code, str) or len(code) != 2:
        return no_update
    current = selection_from_query(parse_qs((search or "").lstrip("?")))
    return current.with_filter("country", code).search()
