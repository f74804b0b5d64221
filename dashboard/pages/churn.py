"""Churn (retention team): who is likely to leave, why, and how far to trust the model.

Like the overview, the URL is the page's whole state (?site=…&band=high&sort=asc):
controls only rewrite the query string, and `show_churn` draws the page
from it. Every callback checks the account again on the server.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from vigie.alerts.churn_queries import latest_scores, promoted_model_card, risk_trend
from vigie.alerts.churn_registry import list_models
from vigie.alerts.client_data.queries import MAX_PAGE, list_customers
from vigie.alerts.conditions import last_purchases
from vigie.dashboard.chart_config import chart
from vigie.dashboard.churn_view import (BANDS, SORTS, at_risk_csv, at_risk_rows, at_risk_table,
                                  band_cards, band_counts, model_card, probability_figure,
                                  risk_trend_panel)
from vigie.dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                        visible_domains)
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError

dash.register_page(__name__, path="/churn", title="Churn · Vigie", name="Churn", area="churn",
                   order=20)

_HIDDEN = {"display": "none"}


def _store():
    return current_app.extensions["vigie"].store


def _message(text, component_id="churn-refused"):
    return html.P(text, className="message message-error", id=component_id)


def _state(query, default_site=""):
    """(site, band, sort) from the query string; unknown band/sort values fall back to all/desc."""
    band, order = query_value(query, "band"), query_value(query, "sort")
    return (query_value(query, "site") or default_site, band if band in BANDS else "",
            order if order in SORTS else "desc")


def _search(site, band, order):
    query = {"site": site or "", "band": band or "", "sort": order if order != "desc" else ""}
    return "?" + urlencode({k: v for k, v in query.items() if v})


def layout(**query):
    store = _store()
    try:
        user = retention_user(store)
        domains = visible_domains(store, user)
    except SelectionError as exc:
        return _message(str(exc))
    except StoreError:
        return _message(STORE_DOWN)
    if not domains:
        return html.Div(className="empty-state", id="no-visible-sites", children=[
            html.H2("No site shared with you yet"),
            html.P("Ask an admin to give your account access to a site.")])
    site, band, order = _state(query, domains[0])
    return html.Div(className="churn", children=[
        dcc.Location(id="churn-url", refresh="callback-nav"),
        dcc.Store(id="churn-query", data={"site": site, "band": band, "sort": order}),
        html.Div(className="controls", children=[
            dcc.Dropdown(id="churn-site", options=domains, value=site if site in domains else None,
                         clearable=False, className="site-select", placeholder="Choose a site"),
            dcc.RadioItems(id="churn-band", inline=True, value=band, options=[
                {"label": "All bands", "value": ""}] + [
                {"label": b.capitalize(), "value": b} for b in BANDS]),
            dcc.RadioItems(id="churn-sort", inline=True, value=order, options=[
                {"label": "Most at risk first", "value": "desc"},
                {"label": "Least at risk first", "value": "asc"}]),
        ]),
        html.Div(id="churn-message", role="status"),
        html.Div(id="churn-report", children=[
            html.Div(id="churn-bands-panel"),
            html.Section(className="card", children=[
                html.H2("Churn probabilities"), html.Div(id="churn-histogram")]),
            html.Section(className="card", children=[
                html.H2("Clients at risk"),
                html.Button("Export CSV", id="churn-export", className="button-quiet", n_clicks=0),
                dcc.Download(id="churn-download"),
                html.Div(id="churn-export-message", role="status"),
                html.Div(id="churn-table")]),
            html.Section(className="card", children=[
                html.H2("Risk over time"), html.Div(id="churn-trend")]),
            html.Section(className="card", children=[
                html.H2("Model card"), html.Div(id="churn-model")]),
        ]),
    ])


@callback(Output("churn-url", "search"),
          Input("churn-site", "value"), Input("churn-band", "value"), Input("churn-sort", "value"),
          State("churn-url", "search"), prevent_initial_call=True)
def controls_changed(site, band, order, current):
    search = _search(site, band, order)
    return search if search != current else no_update


def _owners(store, site):
    """{customer_id: owner} for clients with one, read page by page."""
    owners, offset = {}, 0
    while True:
        page = list_customers(store, site, offset=offset, limit=MAX_PAGE)
        owners.update({c.customer_id: c.owner for c in page.customers if c.owner})
        offset += MAX_PAGE
        if offset >= page.total or not page.customers:
            return owners


def _rows(store, site, band, order, scores):
    now = datetime.datetime.now(datetime.timezone.utc)
    return at_risk_rows(scores, last_purchases(store, site, now), _owners(store, site), band, order)


def _no_model(site, models):
    """Nothing promoted: either nothing was trained, or no model beat its baseline."""
    if models:
        latest = models[-1]
        title = "No model promoted yet"
        why = (f"Model {latest.version} was trained but not promoted: {latest.promotion_note}. "
               "Train again once more history is imported:")
    else:
        title, why = "No model trained yet", "Train one from the command line; the page fills in once it is promoted:"
    return html.Div(className="empty-state", id="no-model", children=[
        html.H2(title), html.P(why), html.Pre(html.Code(f"vigie churn train --site {site}"))])


def _no_scores(site):
    return html.Div(className="empty-state", id="no-scores", children=[
        html.H2("No scores yet"),
        html.P("The promoted model has not scored this site's clients yet:"),
        html.Pre(html.Code(f"vigie churn score --site {site}"))])


@callback(Output("churn-message", "children"), Output("churn-bands-panel", "children"),
          Output("churn-histogram", "children"), Output("churn-table", "children"),
          Output("churn-model", "children"), Output("churn-report", "style"),
          Input("churn-query", "data"))
def show_churn(query):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, band, order = _state(query)
        card = promoted_model_card(store, site.domain)
        if card is None:
            return _no_model(site.domain, list_models(store, site.domain)), None, None, None, None, _HIDDEN
        scores = latest_scores(store, site.domain)
        if not scores:
            return _no_scores(site.domain), None, None, None, model_card(card), {}
        rows = _rows(store, site.domain, band, order, scores)
    except SelectionError as exc:
        return _message(str(exc), "churn-error"), None, None, None, None, _HIDDEN
    except StoreError:
        return _message(STORE_DOWN, "churn-error"), None, None, None, None, _HIDDEN
    histogram = chart("churn-probabilities", probability_figure(scores), displayModeBar=False)
    return (None, band_cards(band_counts(scores)), histogram, at_risk_table(rows, site.domain),
            model_card(card), {})


@callback(Output("churn-trend", "children"), Input("churn-query", "data"))
def show_trend(query):
    """Share of clients per risk band on each scoring date (its own callback: one more query)."""
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        return risk_trend_panel(risk_trend(store, site.domain), site.domain)
    except SelectionError as exc:
        return _message(str(exc), "churn-trend-error")
    except StoreError:
        return _message(STORE_DOWN, "churn-trend-error")


@callback(Output("churn-download", "data"), Output("churn-export-message", "children"),
          Input("churn-export", "n_clicks"), State("churn-query", "data"), prevent_initial_call=True)
def export_csv(clicks, query):
    if not clicks:
        return no_update, no_update
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, band, order = _state(query)
        rows = _rows(store, site.domain, band, order, latest_scores(store, site.domain))
    except SelectionError as exc:
        return no_update, _message(str(exc), "churn-error")
    except StoreError:
        return no_update, _message(STORE_DOWN, "churn-error")
    name = f"churn-{site.domain}{'-' + band if band else ''}.csv"
    return dcc.send_string(at_risk_csv(rows), name), no_update
