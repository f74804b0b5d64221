"""The overview: headline numbers with their change, one metric over time, the top lists.

The URL is the page's whole state (dashboard/selection.py): site, period,
comparison, filters and the charted metric (`metric=`). Changing a control
only rewrites the query string (a Location with refresh="callback-nav", so
no reload); Dash's page router then rebuilds the layout from the new query,
and the layout hands that query through a Store to `show_overview` (cards
and chart) and to one callback per panel.
Back/forward and shared links therefore behave exactly like a fresh load,
and a bad link shows a sentence saying what is wrong with it.

Numbers come from analytics.query (aggregate, timeseries) and
analytics.breakdowns (the panels); each panel row is a link that filters the
whole page, and the bar's chips remove filters again.
"""
from dataclasses import replace
from urllib.parse import parse_qs

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.analytics.breakdowns import breakdown
from vigie.analytics.period import in_progress
from vigie.analytics.query import aggregate, timeseries
from vigie.dashboard.chart_config import chart, export_title
from vigie.dashboard.controls import register_url_sync, report_controls
from vigie.dashboard.figures import (CHART_METRIC_KEYS, CHART_METRICS, DEFAULT_METRIC,
                               has_traffic, metric_figure)
from vigie.dashboard.kpis import kpi_cards
from vigie.dashboard.report_page import STORE_DOWN, ReportRequest, message, open_report, resolve_report
from vigie.dashboard.selection import SelectionError, comparison, selection_from_query
from vigie.dashboard.traffic_panels import VISITORS, VISITS, breakdown_table, panel
from vigie.warehouse import StoreError

PAGE, PATH = "overview", "/"
TOP_ROWS = 10

dash.register_page(__name__, path=PATH, title="Overview · Vigie", name="Overview", area="analytics",
                   order=0)
register_url_sync(PAGE)

_HIDDEN = {"display": "none"}
_SHOWN = {}
_NO_VISITS = "No visits in this period."

# (panel id, title, breakdown, filter name, label header, columns, bar key, empty text)
PANELS = (
    ("overview-pages", "Top pages", "pages", "page", "Page",
     (VISITORS, ("pageviews", "Pageviews")), "pageviews", "No pageviews in this period."),
    ("overview-sources", "Sources", "source", "source", "Source", (VISITORS, VISITS), "visits", _NO_VISITS),
    ("overview-channels", "Channels", "channel", "channel", "Channel", (VISITORS, VISITS), "visits",
     _NO_VISITS),
    ("overview-countries", "Countries", "country", "country", "Country", (VISITORS, VISITS), "visits",
     _NO_VISITS),
    ("overview-devices", "Devices", "device", "device", "Device", (VISITORS, VISITS), "visits", _NO_VISITS),
)


def _loading(component_id):
    return dcc.Loading(html.Div(id=component_id), type="dot", delay_show=150)


def _metric_switcher(selection):
    return dcc.RadioItems(
        id="overview-metric", className="metric-select", inline=True,
        options=[{"label": label.split(" (")[0], "value": key} for key, label, *_ in CHART_METRICS],
        value=selection.metric or DEFAULT_METRIC)


def layout(**query):
    """The page for a query string; numbers arrive through `show_overview`."""
    request = open_report(query)
    if not isinstance(request, ReportRequest):
        return request
    selection = request.selection
    panels = [panel(title, panel_id, _loading(f"{panel_id}-body"), selection, prop)
              for panel_id, title, prop, *_ in PANELS]
    return html.Div(className="overview", children=[
        dcc.Location(id="overview-url", refresh="callback-nav"),
        dcc.Store(id="overview-selection", data=selection.as_query()),
        report_controls(PAGE, PATH, request.sites, selection, request.period,
                        segments=request.segments, user=request.user),
        html.Div(id="overview-message", role="status"),
        # Hidden while the URL cannot be shown, so the message stands alone.
        html.Div(id="overview-report", children=[
            dcc.Loading(html.Div(id="overview-kpis", className="kpis"), type="dot", delay_show=150),
            html.Section(className="card", children=[
                html.Div(className="card-head", children=[html.H2("Over time"),
                                                          _metric_switcher(selection)]),
                _loading("overview-chart"),
            ]),
            html.Div(className="columns", children=panels),
        ]),
    ])


@callback(
    Output("overview-url", "search", allow_duplicate=True),
    Input("overview-metric", "value"),
    State("overview-url", "search"),
    prevent_initial_call=True,
)
def metric_changed(metric, current_search):
    """The switcher writes `metric=` into the URL; the rest of the query is kept."""
    current = selection_from_query(parse_qs((current_search or "").lstrip("?")))
    if metric == (current.metric or DEFAULT_METRIC):
        return no_update
    return replace(current, metric="" if metric == DEFAULT_METRIC else metric or "").search()


def _failure(text):
    return message(text), [], None, _HIDDEN


def _resolve(query):
    """(store, site, period, selection, metric); SelectionError says what is wrong with the URL."""
    store, site, period, selection = resolve_report(query)
    metric = selection.metric or DEFAULT_METRIC
    if metric not in CHART_METRIC_KEYS:
        raise SelectionError(f"Cannot chart metric {metric!r}: use one of {', '.join(CHART_METRIC_KEYS)}.")
    return store, site, period, selection, metric


# The cards and the chart, then one callback per panel: the browser sends them together, so the
# cards show as soon as their own queries are done instead of after the slowest top list's, and a
# clickhouse-server store can run the panels' queries side by side. bench/dashboard_browser.py.
@callback(
    [Output(name, "children") for name in ("overview-message", "overview-kpis", "overview-chart")]
    + [Output("overview-report", "style")],
    Input("overview-selection", "data"),
)
def show_overview(query):
    try:
        store, site, period, selection, metric = _resolve(query)
        filters = selection.filter_dict()
        numbers = aggregate(store, site, period, filters, compare=selection.compare or None)
        rows = timeseries(store, site, period, filters)
        previous = comparison(selection, period)
        previous_rows = timeseries(store, site, previous, filters) if previous else None
    except SelectionError as exc:
        return _failure(str(exc))
    except StoreError:
        return _failure(STORE_DOWN)
    now = in_progress(period, site.timezone)
    return (period_note(period, previous, numbers, now), kpi_cards(numbers),
            _chart(rows, metric, period, previous_rows, now, site.domain), _SHOWN)


def period_note(period, previous, numbers, now):
    """What the numbers cannot say by themselves: that the period is not over (its last
    bucket holds what happened so far), and that the comparison period has no data."""
    notes = []
    if now is not None:
        unit = {"hour": "hour", "month": "month"}.get(period.interval, "day")
        note = (f"Today so far: the period runs until now ({now:%H:%M}, site time), so its "
                f"last {unit} is not over")
        notes.append(note + (", while the comparison period's is." if previous else "."))
    if previous and not numbers["visits"]["previous"]:
        notes.append(f"No data in the previous period ({previous.start:%b %d, %Y} – "
                     f"{previous.end:%b %d, %Y}): there is nothing to compare with.")
    return message(" ".join(notes), "note", "overview-note") if notes else None


def _register_panel(panel_id, prop, filter_name, header, columns, bar_key, empty):
    @callback([Output(f"{panel_id}-body", "children")], Input("overview-selection", "data"))
    def show_panel(query):
        """The panel's table; nothing when the URL is wrong or the store down (show_overview says so)."""
        try:
            store, site, period, selection, _ = _resolve(query)
            rows = breakdown(store, site, period, prop, selection.filter_dict(), limit=TOP_ROWS)
        except (SelectionError, StoreError):
            return [None]
        return [breakdown_table(f"{panel_id}-table", header, columns, rows, PATH, selection,
                                filter_name, empty, bar_key)]
    return show_panel


for _panel_id, _, _prop, *_rest in PANELS:
    _register_panel(_panel_id, _prop, *_rest)


def _chart(rows, metric, period, previous_rows, now, domain):
    if not has_traffic(rows) and not (previous_rows and has_traffic(previous_rows)):
        return html.P("No visits in this period. Try a longer period, or check that the "
                      "tracking snippet is on the site's pages.", className="empty", id="chart-empty")
    label = next(name for key, name, *_ in CHART_METRICS if key == metric)
    return chart("traffic-chart", metric_figure(rows, metric, period.interval, previous_rows, now),
                 title=export_title(label, domain, period.start, period.end))
