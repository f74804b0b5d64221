"""Churn (retention team): who is likely to leave, why, and how far to trust the model.

Like the overview, the URL is the page's whole state (?site=…&band=high&sort=asc&page=N):
controls only rewrite the query string, and `show_churn` draws the page
from it. The store counts the bands, bins the histogram and pages the at-risk
table (PAGE_SIZE clients at a time), so the browser never gets every score;
the CSV export holds them all. Every callback checks the account again on the
server.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from vigie.alerts.churn_queries import (at_risk_page, latest_scores, promoted_model_card, risk_trend,
                                        score_distribution)
from vigie.alerts.churn_registry import list_models
from vigie.alerts.client_data.queries import customer_owners
from vigie.alerts.conditions import last_purchases
from vigie.analytics.portfolio import portfolio_overview, portfolio_trend
from vigie.dashboard.chart_config import chart
from vigie.dashboard.churn_view import (BANDS, SORTS, at_risk_csv, at_risk_rows, at_risk_table,
                                  band_cards, model_card, probability_figure,
                                  risk_trend_panel)
from vigie.dashboard.paging import page_count, page_number, page_summary, pager
from vigie.dashboard.portfolio_view import portfolio_kpis, spend_model_note, trend_figure
from vigie.dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                        visible_domains)
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError

dash.register_page(__name__, path="/churn", title="Churn · Vigie", name="Churn", area="churn",
                   order=20)

_HIDDEN = {"display": "none"}
PAGE_SIZE = 50


def _store():
    return current_app.extensions["vigie"].store


def _message(text, component_id="churn-refused"):
    return html.P(text, className="message message-error", id=component_id)


def _state(query, default_site=""):
    """(site, band, sort) from the query string; unknown band/sort values fall back to all/desc."""
    band, order = query_value(query, "band"), query_value(query, "sort")
    return (query_value(query, "site") or default_site, band if band in BANDS else "",
            order if order in SORTS else "desc")


def _search(site, band, order, page=1):
    query = {"site": site or "", "band": band or "", "sort": order if order != "desc" else "",
             "page": page if page > 1 else ""}
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
        # Set once the bands and the at-risk table are drawn: the value card starts from it.
        dcc.Store(id="churn-shown"),
        dcc.Store(id="churn-query", data={"site": site, "band": band, "sort": order,
                                          "page": query_value(query, "page")}),
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
            html.Section(className="card", id="churn-value-card", children=[
                html.H2("What the clients are worth"),
                dcc.Loading(html.Div(id="churn-value")), dcc.Loading(html.Div(id="churn-value-trend"))]),
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


def _rows(store, site, scores, band="", order="desc", every_client=False):
    """Table rows of these scores with each client's last purchase and owner.

    A page asks for its own clients only; the export reads every client's at once
    (one query rather than an id list as long as the site's clients).
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    ids = None if every_client else [s.customer_id for s in scores]
    return at_risk_rows(scores, last_purchases(store, site, now, ids), customer_owners(store, site, ids),
                        band, order)


def _at_risk(store, site, band, order, number):
    """The at-risk table of page `number`: its rows, how many there are, links to the others."""
    page = at_risk_page(store, site, band, order, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not page.scores:
        return html.P(f"No client on page {number:,}." if page.total else "No client in this band.",
                      className="empty", id="at-risk-empty")
    summary = page_summary(page.offset + 1, page.offset + len(page.scores), page.total, "clients")
    links = pager(number, page_count(page.total, PAGE_SIZE),
                  lambda n: "/churn" + _search(site, band, order, n), "at-risk")
    return at_risk_table(_rows(store, site, page.scores, band, order), site, summary, links)


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
          Output("churn-shown", "data"),
          Input("churn-query", "data"))
def show_churn(query):
    return _churn(query) + (query,)


def _churn(query):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, band, order = _state(query)
        card = promoted_model_card(store, site.domain)
        if card is None:
            return _no_model(site.domain, list_models(store, site.domain)), None, None, None, None, _HIDDEN
        bands, bins = score_distribution(store, site.domain)
        if not sum(bins):
            return _no_scores(site.domain), None, None, None, model_card(card), {}
        table = _at_risk(store, site.domain, band, order, page_number(query))
    except SelectionError as exc:
        return _message(str(exc), "churn-error"), None, None, None, None, _HIDDEN
    except StoreError:
        return _message(STORE_DOWN, "churn-error"), None, None, None, None, _HIDDEN
    histogram = chart("churn-probabilities", probability_figure(bins), displayModeBar=False)
    return None, band_cards(bands), histogram, table, model_card(card), {}


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


def _as_of_today(query, error_id, draw):
    """draw(store, site domain, settings, today) for the query's site, or the message saying why not."""
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        return draw(store, site.domain, current_app.extensions["vigie"].settings,
                    datetime.datetime.now(datetime.timezone.utc).date())
    except SelectionError as exc:
        return _message(str(exc), error_id)
    except StoreError:
        return _message(STORE_DOWN, error_id)


def _value(store, site, settings, today):
    summary = portfolio_overview(store, site, today, settings.clv_horizon_days, settings.clv_discount_rate)
    if not summary["buyers"]:
        return html.P("No client with a purchase yet: import transactions to see their value.",
                      className="empty", id="portfolio-none")
    return html.Div([portfolio_kpis(summary)] + spend_model_note(summary["spend_model"]))


def _value_trend(store, site, settings, today):
    points = portfolio_trend(store, site, today, settings.portfolio_trend_months,
                             settings.clv_horizon_days, settings.clv_discount_rate)
    if not any(p["value"] is not None for p in points):
        return None
    return chart("portfolio-trend", trend_figure(points), displayModeBar=False)


# The value callbacks start after show_churn: they read every client's history (seconds at
# 100,000 clients on a first visit), and the embedded store runs one statement at a time.
@callback(Output("churn-value", "children"), Input("churn-shown", "data"), prevent_initial_call=True)
def show_value(query):
    """Portfolio value and value at risk as of today: what a month of saves is worth."""
    return _as_of_today(query, "churn-value-error", _value)


@callback(Output("churn-value-trend", "children"), Input("churn-shown", "data"),
          prevent_initial_call=True)
def show_value_trend(query):
    """The portfolio value month by month (its own callback: one history read and fit per month)."""
    return _as_of_today(query, "churn-value-trend-error", _value_trend)


@callback(Output("churn-download", "data"), Output("churn-export-message", "children"),
          Input("churn-export", "n_clicks"), State("churn-query", "data"), prevent_initial_call=True)
def export_csv(clicks, query):
    if not clicks:
        return no_update, no_update
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, band, order = _state(query)
        rows = _rows(store, site.domain, latest_scores(store, site.domain, band), band, order,
                     every_client=True)
    except SelectionError as exc:
        return no_update, _message(str(exc), "churn-error")
    except StoreError:
        return no_update, _message(STORE_DOWN, "churn-error")
    name = f"churn-{site.domain}{'-' + band if band else ''}.csv"
    return dcc.send_string(at_risk_csv(rows), name), no_update
