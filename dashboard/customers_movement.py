"""The Customers page's base movement section: realised churn per month or week.

A chart (new and reactivated up, lost down, clients at the end and the churn
rate as lines) and a table with the predicted churn beside the realised one,
from analytics.base_movement, the function the Stats API's
/api/v1/stats/base-movement answers with, so the CSV link downloads exactly
the rows shown. Provisional periods (their lost count can still grow) are
drawn pale and marked in the table. The filters are the section's own; the
site and the as-of date are the page's (`customers-query`). Below, the same
waterfall in revenue (dashboard/customers_movement_revenue.py); the CSV holds both.
"""
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html
from flask import current_app

from vigie.analytics.base_movement import GRAINS, RISK_BANDS, base_movement, plans
from vigie.analytics.rfm import SEGMENTS
from vigie.dashboard.chart_config import chart, export_title
from vigie.dashboard.customer_value_view import api_csv_href
from vigie.dashboard.customers_movement_revenue import (period_label, period_series, revenue_figure,
                                                        revenue_table)
from vigie.dashboard.customers_view import as_of_date
from vigie.dashboard.formatting import format_count, format_percent
from vigie.dashboard.retention_access import STORE_DOWN, query_value, retention_site
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError

PERIODS = {"month": 12, "week": 16}
_NEW, _BACK, _LOST, _END, _RATE = "#16a34a", "#86efac", "#dc2626", "#1e293b", "#7c3aed"


def movement_section():
    """The section's frame: its filters and the place the callback draws into."""
    def select(component_id, label, options, value=None, clearable=True):
        return html.Label([label, dcc.Dropdown(id=component_id, options=options, value=value,
                                               clearable=clearable, style={"minWidth": "10rem"})])
    return html.Section(className="card", id="movement-card", children=[
        html.H2("Base movement and realised churn"),
        html.Div(className="controls", children=[
            select("movement-grain", "Per ", [{"label": g, "value": g} for g in GRAINS], "month", False),
            select("movement-segment", "Segment ", list(SEGMENTS)),
            select("movement-plan", "Plan ", []),
            select("movement-band", "Risk band at the start ", list(RISK_BANDS)),
        ]),
        dcc.Loading(html.Div(id="movement-body")),
    ])


def movement_figure(report):
    x, pale, number = period_series(report)
    figure = go.Figure([
        go.Bar(name="New", x=x, y=number("new"), marker={"color": _NEW, "opacity": pale}),
        go.Bar(name="Reactivated", x=x, y=number("reactivated"), marker={"color": _BACK, "opacity": pale}),
        go.Bar(name="Lost", x=x, y=number("lost", -1), marker={"color": _LOST, "opacity": pale}),
        go.Scatter(name="Clients at the end", x=x, y=number("end"), mode="lines+markers",
                   line={"color": _END}),
        go.Scatter(name="Churn rate %", x=x, y=number("churn_rate"), mode="lines+markers", yaxis="y2",
                   line={"color": _RATE, "dash": "dot"}),
    ])
    figure.update_layout(barmode="relative", height=320, margin={"l": 50, "r": 50, "t": 10, "b": 40},
                         legend={"orientation": "h", "y": -0.2},
                         yaxis={"title": "clients"},
                         yaxis2={"title": "churn %", "overlaying": "y", "side": "right", "rangemode": "tozero"},
                         xaxis={"type": "category"})
    return figure


_COLUMNS = [("start", "At the start"), ("new", "New"), ("reactivated", "Reactivated"), ("lost", "Lost"),
            ("lost_from_start", "Of the start"), ("end", "At the end")]


def _predicted(p):
    if p["mean_probability"] is None:
        return "—"
    return f"{100 * p['mean_probability']:.1f}% ({p['predicted_lost']:,.1f} of {p['scored']:,})"


def _realised(p):
    if p["realised_lost"] is None:
        # No scored client under these filters: nothing was predicted, so nothing to wait for.
        return "—" if not p["scored"] else "not over yet"
    return f"{p['realised_rate']:.1f}% ({p['realised_lost']:,} of {p['scored']:,})"


def movement_table(report):
    header = html.Tr([html.Th("Period")] + [html.Th(t, className="num") for _, t in _COLUMNS]
                     + [html.Th("Churn rate", className="num"),
                        html.Th(f"Predicted churn ({report['horizon_days']} days)"),
                        html.Th(f"Realised churn ({report['horizon_days']} days)")])
    rows = []
    for p in report["periods"]:
        label = period_label(p)
        rows.append(html.Tr(className="provisional" if p["provisional"] else None, children=[
            html.Td(label)] + [html.Td(format_count(p[k]), className="num") for k, _ in _COLUMNS]
            + [html.Td(format_percent(p["churn_rate"]), className="num"), html.Td(_predicted(p)),
               html.Td(_realised(p))]))
    return html.Table([html.Thead(header), html.Tbody(rows)], className="ranked", id="movement-table")


def _legend(report):
    band = report["risk_band"]
    notes = [f"Horizon {report['horizon_days']} days: a client is lost after that many days without "
             "a purchase" + (" or visit" if report["counts_visits"] else "") + ", or when their contract "
             "ended. Provisional periods (pale) can still gain lost clients. Predicted and realised churn "
             "cover the clients scored at the period's start, over the horizon from it."]
    if band:
        notes.append(f"Risk band “{band}” as scored at each period's start; periods without scores "
                     "then have no counts.")
    notes.append(report["revenue_note"])
    return html.Div([html.P(n, className="note") for n in notes], id="movement-notes")


def movement_body(store, settings, site, query, grain, segment, plan, band):
    as_of = as_of_date(query)
    report = base_movement(store, site, as_of, settings.churn_horizon_days, grain=grain,
                           periods=PERIODS[grain], segment=segment, plan=plan, risk_band=band,
                           with_visits=settings.churn_label_requires_no_visit)
    csv = api_csv_href("base-movement", site, as_of, period=grain, periods=PERIODS[grain],
                       segment=segment, plan=plan, band=band)
    return html.Div([
        chart("movement-chart", movement_figure(report), style={"height": "360px"},
              title=export_title(f"Base movement per {grain}", site, as_of)),
        movement_table(report),
        html.H3("In revenue"),
        chart("movement-revenue-chart", revenue_figure(report), style={"height": "360px"},
              title=export_title(f"Revenue movement per {grain}", site, as_of)),
        revenue_table(report), _legend(report),
        html.A("Download CSV", href=csv, id="movement-csv", className="csv-link")])


def show_movement(query, grain, segment, plan, band):
    context = current_app.extensions["vigie"]
    store = context.store
    try:
        _, site = retention_site(store, query_value(query, "site"))
        if grain not in GRAINS or (segment and segment not in SEGMENTS) or (band and band not in RISK_BANDS):
            raise SelectionError("Choose the period, segment and risk band from their lists.")
        options = plans(store, site.domain, as_of_date(query))
        body = movement_body(store, context.settings, site.domain, query, grain, segment or None,
                             plan or None, band or None)
        return body, options
    except SelectionError as exc:
        return html.P(str(exc), className="message message-error", id="movement-error"), []
    except StoreError:
        return html.P(STORE_DOWN, className="message message-error", id="movement-error"), []


def register_callbacks():
    """Called by the page module, which Dash imports afresh for every app (dashboard/__init__.py)."""
    # From customers-listed, like the value section: after the client list is drawn.
    callback(Output("movement-body", "children"), Output("movement-plan", "options"),
             Input("customers-listed", "data"), Input("movement-grain", "value"),
             Input("movement-segment", "value"), Input("movement-plan", "value"),
             Input("movement-band", "value"), prevent_initial_call=True)(show_movement)
