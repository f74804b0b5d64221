"""The overview: headline numbers, traffic over time, top pages and sources.

The URL is the page's whole state. Changing a control only rewrites the
query string (a Location with refresh="callback-nav", so no reload); Dash's
page router then rebuilds the layout from the new query, and the layout hands
that query to `show_overview` through a Store. Back/forward and shared links
therefore behave exactly like a fresh load, and a bad link shows a sentence
saying what is wrong with it instead of a broken page.
"""
import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from dashboard.auth import signed_in_user
from dashboard.figures import has_traffic, traffic_figure
from dashboard.kpis import kpi_cards
from dashboard.overview_data import overview_data
from dashboard.selection import (PERIOD_CHOICES, SelectionError, parse_date, resolve,
                                 selection_from_controls, selection_from_query)
from dashboard.tables import top_pages_table, top_sources_table
from warehouse import StoreError
from warehouse.sites import list_sites

dash.register_page(__name__, path="/", title="Overview · Vigie", name="Overview", area="analytics",
                   order=0)

_STORE_DOWN = "Vigie cannot reach its database right now; reload in a moment."
_HIDDEN = {"display": "none"}
_SHOWN = {}


def _context():
    return current_app.extensions["vigie"]


def _no_analytics(user):
    return html.Div(className="empty-state", id="no-analytics", children=[
        html.H2("Web analytics are not part of this account"),
        html.P(f"Your role is {user.role}; ask an admin for the marketer role to see traffic."),
    ])


def _no_visible_sites():
    return html.Div(className="empty-state", id="no-visible-sites", children=[
        html.H2("No site shared with you yet"),
        html.P("Ask an admin to give your account access to a site "
               "(vigie users access EMAIL --site DOMAIN)."),
    ])


def _no_sites():
    return html.Div(className="empty-state", id="no-sites", children=[
        html.H2("No site yet"),
        html.P("Register the site you want to measure, then paste the tracking snippet in its pages:"),
        html.Pre(html.Code("vigie sites add DOMAIN --timezone Europe/Paris")),
        html.P("Reload this page once it is added."),
    ])


def _iso(day):
    return day.isoformat() if day else None


def _controls(sites, selection, period):
    known = [s.domain for s in sites]
    start, end = (period.start, period.end) if period else (parse_date(selection.start),
                                                            parse_date(selection.end))
    return html.Div(className="controls", children=[
        dcc.Dropdown(id="site-select", options=[{"label": d, "value": d} for d in known],
                     value=selection.site if selection.site in known else None,
                     clearable=False, searchable=True, className="site-select",
                     placeholder="Choose a site"),
        dcc.RadioItems(id="period-select", className="period-select", inline=True,
                       options=[{"label": label, "value": key} for key, label in PERIOD_CHOICES],
                       value=selection.period if selection.period in dict(PERIOD_CHOICES) else None),
        html.Div(id="custom-range", style=_SHOWN if selection.period == "custom" else _HIDDEN,
                 children=dcc.DatePickerRange(id="date-range", start_date=_iso(start), end_date=_iso(end),
                                              display_format="YYYY-MM-DD", first_day_of_week=1,
                                              minimum_nights=0, clearable=False,
                                              # Rebuilding the page after the first click
                                              # would close the calendar half-way.
                                              updatemode="bothdates")),
    ])


def layout(**query):
    """The page for a query string; numbers arrive through `show_overview`."""
    store = _context().store
    try:
        user = signed_in_user(store)
        if user is None:
            return _message("Your session has ended; sign in again.")
        if not user.can("analytics"):
            return _no_analytics(user)
        all_sites = list_sites(store)
        if not all_sites:
            return _no_sites()
        sites = user.visible_sites(all_sites)
        if not sites:
            return _no_visible_sites()
        selection = selection_from_query(query, default_site=sites[0].domain)
        try:
            # Only to prefill the date picker with the chosen period's days.
            _, period = resolve(store, selection, user)
        except SelectionError:
            period = None
    except StoreError:
        return _message(_STORE_DOWN)
    return html.Div(className="overview", children=[
        dcc.Location(id="overview-url", refresh="callback-nav"),
        dcc.Store(id="overview-selection", data=selection.as_query()),
        _controls(sites, selection, period),
        html.Div(id="overview-message", role="status"),
        # Hidden while the URL cannot be shown, so the message stands alone.
        html.Div(id="overview-report", children=[
            dcc.Loading(html.Div(id="overview-kpis", className="kpis"), type="dot", delay_show=150),
            html.Section(className="card", children=[
                html.H2("Visitors and pageviews"),
                dcc.Loading(html.Div(id="overview-chart"), type="dot", delay_show=150),
            ]),
            html.Div(className="columns", children=[
                html.Section(className="card", children=[
                    html.H2("Top pages"),
                    dcc.Loading(html.Div(id="overview-pages"), type="dot", delay_show=150)]),
                html.Section(className="card", children=[
                    html.H2("Top sources"),
                    dcc.Loading(html.Div(id="overview-sources"), type="dot", delay_show=150)]),
            ]),
        ]),
    ])


@callback(
    Output("overview-url", "search"),
    Input("site-select", "value"),
    Input("period-select", "value"),
    Input("date-range", "start_date"),
    Input("date-range", "end_date"),
    State("overview-url", "search"),
    prevent_initial_call=True,
)
def controls_changed(site, period, start_date, end_date, current_search):
    search = selection_from_controls(site, period, start_date, end_date).search()
    return search if search != current_search else no_update


def _message(text, kind="error"):
    return html.P(text, className=f"message message-{kind}")


@callback(
    Output("overview-message", "children"),
    Output("overview-kpis", "children"),
    Output("overview-chart", "children"),
    Output("overview-pages", "children"),
    Output("overview-sources", "children"),
    Output("overview-report", "style"),
    Input("overview-selection", "data"),
)
def show_overview(query):
    context = _context()
    try:
        user = signed_in_user(context.store)
        if user is not None and not user.can("analytics"):
            raise SelectionError("Web analytics are not part of this account.")
        site, period = resolve(context.store, selection_from_query(query), user)
        report = overview_data(context.store, site, period, context.settings)
    except SelectionError as exc:
        return _message(str(exc)), [], None, None, None, _HIDDEN
    except StoreError:
        return _message(_STORE_DOWN), [], None, None, None, _HIDDEN
    return (None, kpi_cards(report["overview"]), _chart(report["timeseries"], period.interval),
            top_pages_table(report["pages"]), top_sources_table(report["sources"]), _SHOWN)


def _chart(rows, interval):
    if not has_traffic(rows):
        return html.P("No visits in this period. Try a longer period, or check that the "
                      "tracking snippet is on the site's pages.", className="empty", id="chart-empty")
    return dcc.Graph(id="traffic-chart", figure=traffic_figure(rows, interval),
                     config={"displayModeBar": False, "responsive": True})
