"""Retention: customer cohorts as a heatmap, and new versus returning visits.

The URL holds the view: the report bar's site and period, plus
`interval=week|month` for the cohort and returning-share buckets (weekly
when absent). Cohorts follow identified customers (the site's customer_id),
because anonymous visitor ids change every day by design. The report bar's
filters apply to both (docs/metrics.md, "Filters on goals, funnels and
retention").
"""
import dash
from dash import Input, Output, callback, dcc, html
from flask import current_app

from vigie.analytics.period import local_now
from vigie.analytics.retention import INTERVALS, cohorts, returning_report
from vigie.dashboard.chart_config import export_title
from vigie.dashboard.controls import register_url_sync, report_controls
from vigie.dashboard.report_page import (STORE_DOWN, ReportRequest, checked_selection, message, open_report,
                                         report_site)
from vigie.dashboard.retention_view import (PATH, cohort_panel, interval_switch, returning_cards,
                                            returning_panel)
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE = "retention"
DEFAULT_INTERVAL = "week"
dash.register_page(__name__, path=PATH, title="Retention · Vigie", name="Retention",
                   area="analytics", order=50)
register_url_sync(PAGE, keep=("interval",))

_HIDDEN, _SHOWN = {"display": "none"}, {}


def _context():
    return current_app.extensions["vigie"]


def _interval(query):
    value = (query or {}).get("interval") or DEFAULT_INTERVAL
    if isinstance(value, (list, tuple)):
        value = value[0] if value else DEFAULT_INTERVAL
    return str(value).strip()


def layout(**query):
    try:
        found = open_report(query)
    except StoreError:
        return message(STORE_DOWN)
    if not isinstance(found, ReportRequest):
        return found
    selection, interval = found.selection, _interval(query)
    return html.Div(className="retention", children=[
        dcc.Location(id=f"{PAGE}-url", refresh="callback-nav"),
        dcc.Store(id=f"{PAGE}-query", data=dict(selection.as_query(), interval=interval)),
        report_controls(PAGE, PATH, found.sites, selection, found.period, compare=False,
                        segments=found.segments, user=found.user),
        interval_switch(selection, interval),
        html.Div(id=f"{PAGE}-message", role="status"),
        html.Div(id=f"{PAGE}-report", children=[
            dcc.Loading(html.Div(id="returning-cards", className="kpis"), type="dot", delay_show=150),
            html.Section(className="card", children=[
                html.Div(className="card-head", children=[
                    html.H2("New and returning visits"), html.Div(id="returning-tools")]),
                dcc.Loading(html.Div(id="returning-panel"), type="dot", delay_show=150)]),
            html.Section(className="card", children=[
                html.Div(className="card-head", children=[
                    html.H2("Customer cohorts"), html.Div(id="cohorts-tools")]),
                html.P("Customers by the week or month they were first seen in the period; each "
                       "cell is the share of them seen again that many weeks or months later.",
                       className="help"),
                dcc.Loading(html.Div(id="cohorts-panel"), type="dot", delay_show=150)]),
        ]),
    ])


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-report", "style"),
    Output("returning-cards", "children"),
    Output("returning-panel", "children"),
    Output("returning-tools", "children"),
    Output("cohorts-panel", "children"),
    Output("cohorts-tools", "children"),
    Input(f"{PAGE}-query", "data"),
)
def show_retention(query):
    context = _context()
    timeout = context.settings.visit_timeout_minutes
    interval = _interval(query)
    try:
        user, site, period = report_site(context.store, query)
        if interval not in INTERVALS:
            raise SelectionError(f"Cannot show interval “{interval}”: use week or month.")
        selection = checked_selection(context.store, query, user)
        filters = selection.filter_dict()
        returning = returning_report(context.store, site, period, interval, timeout, filters)
        split, by_interval = returning["total"], returning["by_interval"]
        cohort_rows = cohorts(context.store, site, period, interval, filters)

        def chart_title(what):
            return export_title(what, site.domain, period.start, period.end)
    except SelectionError as exc:
        return message(str(exc)), _HIDDEN, [], None, None, None, None
    except StoreError:
        return message(STORE_DOWN), _HIDDEN, [], None, None, None, None
    today = local_now(site.timezone).date()
    return (None, _SHOWN, returning_cards(split),
            returning_panel(split, by_interval, interval, period, today, chart_title("Returning visitors")),
            csv_link("returning", selection, "returning-csv"),
            cohort_panel(cohort_rows, interval, period, today, chart_title("Customer cohorts")),
            csv_link("cohorts", selection, "cohorts-csv", interval=interval))
