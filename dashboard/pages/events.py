"""Events: what visitors did besides reading pages.

Four tables from analytics.breakdowns: custom events by name, the links to
other sites and to files that visitors clicked (the tracker reports both by
itself, as `outbound` and `download` events carrying the link's `url`), and
the properties of one custom event. The event whose properties show is part
of the URL (`event=NAME`); without it, the most frequent custom event that is
not a link click. Each row label filters the whole page (by event, or by the
property it shows), each table has its CSV from the Stats API, and the same
rows come from GET /api/v1/stats/breakdown (docs/stats-api.md).
"""
from urllib.parse import urlencode

import dash
from dash import Input, Output, callback, dcc, html

from vigie.analytics.breakdowns import LINK_EVENTS, LINK_PROPERTY, breakdown
from vigie.dashboard.breakdown_view import COUNT, NOT_SET, breakdown_table
from vigie.dashboard.controls import filter_link, page_path, register_url_sync, report_controls
from vigie.dashboard.formatting import format_ratio
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, ReportRequest, context, message,
                                         open_report, panel, resolve_query)
from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE, PATH = "events", "/events"
ROWS = 20
EVENT_PARAM = "event"
_LINK_EVENT_NAMES = set(LINK_EVENTS.values())

dash.register_page(__name__, path=PATH, title="Events · Vigie", name="Events", area="analytics",
                   order=35)
register_url_sync(PAGE, keep=(EVENT_PARAM,))

EVENT_COLUMNS = [("visitors", "Visitors", COUNT), ("events", "Events", COUNT),
                 ("revenue", "Revenue", format_ratio)]
CLICK_COLUMNS = [("visitors", "Visitors", COUNT), ("events", "Clicks", COUNT)]
PROP_COLUMNS = [("visitors", "Visitors", COUNT), ("events", "Events", COUNT)]

NO_EVENTS = ("No custom events in this period. Send them from your pages with "
             "vigie('event', 'signup', {props: {plan: 'pro'}}) (docs/snippet.md).")
NO_OUTBOUND = ("No clicks on links to other sites in this period. The tracker reports them by "
               "itself: nothing to set up.")
NO_DOWNLOADS = ("No file downloads in this period. The tracker reports clicks on links to files "
                "(.pdf, .zip, .csv, ... or links with a download attribute) by itself.")


def layout(**query):
    """The page for a query string; the tables arrive through `show_events`."""
    request = open_report(query)
    if not isinstance(request, ReportRequest):
        return request
    selection = request.selection

    def export(prop, link_id):
        return csv_link("breakdown", selection, link_id, property=prop)
    return html.Div(className=PAGE, children=[
        dcc.Location(id=f"{PAGE}-url", refresh="callback-nav"),
        dcc.Store(id=f"{PAGE}-query", data=dict(selection.as_query(), event=query_value(query, EVENT_PARAM))),
        report_controls(PAGE, PATH, request.sites, selection, request.period, compare=False,
                        segments=request.segments, user=request.user),
        html.Div(id=f"{PAGE}-message", role="status"),
        html.Div(id=f"{PAGE}-report", children=[
            panel("Custom events", "events-names", export("events", "events-names-csv")),
            html.Div(className="columns pairs", children=[
                panel("Outbound links", "events-outbound", export("outbound_links", "events-outbound-csv")),
                panel("File downloads", "events-downloads",
                      export("file_downloads", "events-downloads-csv")),
            ]),
            panel("Event properties", "events-props", html.Div(id="events-props-tools")),
        ]),
    ])


def chosen_event(asked, event_rows):
    """The event whose properties show: the one asked for, else the first that is not a link click."""
    if asked:
        return asked
    names = [row["value"] for row in event_rows]
    return next((n for n in names if n not in _LINK_EVENT_NAMES), names[0] if names else "")


def _label(selection, event, filter_name, text_of=None):
    """Row labels that filter the page by `filter_name` (the chosen event stays chosen)."""
    keep = {EVENT_PARAM: event} if event else None

    def label(row):
        value = row["value"]
        name = f"prop:{row['key']}" if filter_name == "prop" else filter_name
        text = text_of(row) if text_of else value
        if not value or value != value.strip():
            return html.Span(text.strip() or NOT_SET, className="not-set")
        return filter_link(PATH, selection, name, value, text=text, keep=keep)
    return label


def _event_chooser(selection, event_rows, event):
    """One link per custom event of the period; the chosen one is marked."""
    names = [row["value"] for row in event_rows]
    if event and event not in names:
        names.append(event)
    links = [dcc.Link(name, href=page_path(PATH, selection) + "&" + urlencode({EVENT_PARAM: name}),
                      className="chip chip-chosen" if name == event else "chip",
                      id={"type": "events-choice", "name": name})
             for name in names]
    return html.Div([html.Span("Event: ", className="muted")] + links, className="chips",
                    id="events-chooser")


def _props_panel(selection, event_rows, event, props):
    if not event:
        return html.P(NO_EVENTS, className="empty", id="events-props-table-empty")
    return html.Div([
        _event_chooser(selection, event_rows, event),
        breakdown_table("events-props-table", "Property", PROP_COLUMNS, props,
                        _label(selection, event, "prop", lambda r: f"{r['key']} = {r['value']}"),
                        "events", f"No event {event!r} with properties in this period."),
    ])


@callback(
    Output(f"{PAGE}-message", "children"),
    Output("events-names", "children"),
    Output("events-outbound", "children"),
    Output("events-downloads", "children"),
    Output("events-props", "children"),
    Output("events-props-tools", "children"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-query", "data"),
)
def show_events(query):
    try:
        site, period, selection = resolve_query(query)
        store, filters = context().store, selection.filter_dict()
        names = breakdown(store, site, period, "events", filters, limit=ROWS)
        outbound = breakdown(store, site, period, "outbound_links", filters, limit=ROWS)
        downloads = breakdown(store, site, period, "file_downloads", filters, limit=ROWS)
        event = chosen_event(query_value(query, EVENT_PARAM), names)
        props = (breakdown(store, site, period, "props", filters, limit=ROWS, event_name=event)
                 if event else [])
    except SelectionError as exc:
        return message(str(exc)), None, None, None, None, None, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, None, None, None, HIDDEN
    tools = (csv_link("breakdown", selection, "events-props-csv", property="props", event=event)
             if event else None)
    return (None,
            breakdown_table("events-names-table", "Event", EVENT_COLUMNS, names,
                            _label(selection, event, "event"), "events", NO_EVENTS),
            breakdown_table("events-outbound-table", "Link", CLICK_COLUMNS, outbound,
                            _label(selection, event, f"prop:{LINK_PROPERTY}"), "events", NO_OUTBOUND),
            breakdown_table("events-downloads-table", "File", CLICK_COLUMNS, downloads,
                            _label(selection, event, f"prop:{LINK_PROPERTY}"), "events", NO_DOWNLOADS),
            _props_panel(selection, names, event, props),
            tools, SHOWN)
