"""Realtime: who is on the site now, the latest events, and the last 30 minutes' top pages and sources.

The URL holds only `site`. A dcc.Interval redraws the page every 10 seconds,
and stops after an hour so a forgotten tab does not query the database all
night. Each redraw checks the account again, like every other callback.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from vigie.analytics.realtime import current_visitors, live_events, recent_pages, recent_sources
from vigie.dashboard.realtime_view import (FEED_SIZE, TOP_SIZE, current_card, event_feed, pages_table,
                                           sources_table, updated_text)
from vigie.dashboard.report_page import STORE_DOWN, ReportRequest, message, open_report, report_site
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError

PAGE = "realtime"
REFRESH_MS = 10_000
MAX_REFRESHES = 360   # one hour of 10-second refreshes
dash.register_page(__name__, path="/realtime", title="Realtime · Vigie", name="Realtime",
                   area="analytics", order=5)

_HIDDEN, _SHOWN = {"display": "none"}, {}


def _context():
    return current_app.extensions["vigie"]


def layout(**query):
    try:
        found = open_report(query)
    except StoreError:
        return message(STORE_DOWN)
    if not isinstance(found, ReportRequest):
        return found
    known = [s.domain for s in found.sites]
    site = found.selection.site
    return html.Div(className="realtime", children=[
        dcc.Location(id=f"{PAGE}-url", refresh="callback-nav"),
        dcc.Store(id=f"{PAGE}-query", data={"site": site}),
        dcc.Interval(id=f"{PAGE}-tick", interval=REFRESH_MS, max_intervals=MAX_REFRESHES),
        html.Div(className="controls", children=[
            dcc.Dropdown(id=f"{PAGE}-site", options=[{"label": d, "value": d} for d in known],
                         value=site if site in known else None, clearable=False, searchable=True,
                         className="site-select", placeholder="Choose a site"),
            html.Span(id=f"{PAGE}-updated", className="muted")]),
        html.Div(id=f"{PAGE}-message", role="status"),
        html.Div(id=f"{PAGE}-report", children=[
            html.Div(id=f"{PAGE}-now", className="kpis"),
            html.Section(className="card", children=[
                html.H2(f"Live events (the latest {FEED_SIZE} of the last 30 minutes)"),
                html.Div(id=f"{PAGE}-events")]),
            html.Div(className="columns", children=[
                html.Section(className="card", children=[
                    html.H2("Top pages, last 30 minutes"), html.Div(id=f"{PAGE}-pages-panel")]),
                html.Section(className="card", children=[
                    html.H2("Top sources, last 30 minutes"), html.Div(id=f"{PAGE}-sources-panel")]),
            ]),
        ]),
    ])


@callback(Output(f"{PAGE}-url", "search"), Input(f"{PAGE}-site", "value"),
          State(f"{PAGE}-url", "search"), prevent_initial_call=True)
def site_changed(site, current_search):
    search = "?" + urlencode({"site": site}) if site else ""
    return search if search != current_search else no_update


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-report", "style"),
    Output(f"{PAGE}-now", "children"),
    Output(f"{PAGE}-events", "children"),
    Output(f"{PAGE}-pages-panel", "children"),
    Output(f"{PAGE}-sources-panel", "children"),
    Output(f"{PAGE}-updated", "children"),
    Input(f"{PAGE}-query", "data"),
    Input(f"{PAGE}-tick", "n_intervals"),
)
def show_realtime(query, refreshes):
    store = _context().store
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    try:
        _, site, _ = report_site(store, {"site": (query or {}).get("site") or ""})
        visitors = current_visitors(store, site, now)
        events = live_events(store, site, now, limit=FEED_SIZE)
        pages = recent_pages(store, site, now, limit=TOP_SIZE)
        sources = recent_sources(store, site, now, limit=TOP_SIZE)
    except SelectionError as exc:
        return message(str(exc)), _HIDDEN, [], None, None, None, None
    except StoreError:
        return message(STORE_DOWN), _HIDDEN, [], None, None, None, None
    paused = (refreshes or 0) >= MAX_REFRESHES
    return (None, _SHOWN, [current_card(visitors)], event_feed(events, site.timezone),
            pages_table(pages), sources_table(sources), updated_text(now, site.timezone, paused))
