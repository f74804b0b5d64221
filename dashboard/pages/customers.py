"""Customers (retention team): customer value, and one client's timeline.

?site=…&date=AS_OF&segment=NAME&cell=CELL&cpage=N&q=PREFIX&page=N&client=ID is the page's
whole state, so a segment's list or a client's timeline can be linked to
from the churn table, an alert or a colleague's message. The RFM matrix and
the CLV chart come from analytics.customer_value (as of `date`, default
today UTC); clicking a cell of the matrix lists that segment's clients. The
portfolio value and the loyalty-profitability matrix (dashboard/customers_matrix.py)
reuse the same history read and CLV report.
"""
import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from vigie.alerts.churn_queries import score_history
from vigie.alerts.client_data.queries import customer_transactions, get_customer, list_customers
from vigie.alerts.state import list_alerts
from vigie.analytics.customer_visits import customer_visits
from vigie.analytics.portfolio import (loyalty_matrix, matrix_overview, portfolio_overview,
                                       portfolio_report)
from vigie.analytics.value_memo import clv_overview, kept_rfm_report, one_generation, rfm_overview
from vigie.analytics.rfm import SEGMENTS
from vigie.dashboard.chart_config import chart, export_title
from vigie.dashboard.customer_value_view import (api_csv_href, clv_figure, clv_summary,
                                           rfm_matrix, segment_members, segment_table)
from vigie.dashboard.customers_matrix import matrix_card
from vigie.dashboard.customers_movement import movement_section, register_callbacks
from vigie.dashboard.customers_view import (as_of_date, customer_list, customers_href, customers_search,
                                            timeline)
from vigie.dashboard.paging import page_number
from vigie.dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                        visible_domains)
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError

register_callbacks()   # the base movement section's
dash.register_page(__name__, path="/customers", title="Customers · Vigie", name="Customers",
                   area="churn", order=22)

PAGE_SIZE = 50
_HIDDEN = {"display": "none"}


def _store():
    return current_app.extensions["vigie"].store


def _message(text, component_id):
    return html.P(text, className="message message-error", id=component_id)


def layout(**query):
    store = _store()
    try:
        user = retention_user(store)
        domains = visible_domains(store, user)
    except SelectionError as exc:
        return _message(str(exc), "customers-refused")
    except StoreError:
        return _message(STORE_DOWN, "customers-refused")
    if not domains:
        return html.Div(className="empty-state", id="no-visible-sites", children=[
            html.H2("No site shared with you yet"),
            html.P("Ask an admin to give your account access to a site.")])
    site = query_value(query, "site") or domains[0]
    prefix = query_value(query, "q")
    return html.Div(className="customers", children=[
        dcc.Location(id="customers-url", refresh="callback-nav"),
        dcc.Store(id="customers-query",
                  data={k: query_value(query, k) for k in ("page", "client", "segment", "date", "cell", "cpage")}
                  | {"site": site, "q": prefix}),
        html.Div(className="controls", children=[
            dcc.Dropdown(id="customers-site", options=domains, value=site if site in domains else None,
                         clearable=False, className="site-select", placeholder="Choose a site"),
            html.Label(["As of ", dcc.Input(id="customers-as-of", type="date", debounce=True,
                                            value=query_value(query, "date") or None,
                                            style={"width": "10rem"})]),
            dcc.Input(id="customers-search", type="search", value=prefix, debounce=True,
                      placeholder="Client id starts with…"),
        ]),
        html.Div(id="customers-message", role="status"),
        # Set once the client list is drawn: the sections that read every client's history
        # start from it (see show_value).
        dcc.Store(id="customers-listed"),
        dcc.Loading(html.Div(id="customers-value")),
        movement_section(),
        html.Div(className="columns", children=[
            html.Section(className="card", children=[html.H2("Clients"), html.Div(id="customers-list")]),
            html.Section(className="card", children=[html.Div(id="customers-timeline")]),
        ]),
    ])


@callback(Output("customers-url", "search"),
          Input("customers-site", "value"), Input("customers-search", "value"),
          Input("customers-as-of", "value"),
          State("customers-query", "data"), State("customers-url", "search"), prevent_initial_call=True)
def controls_changed(site, prefix, as_of, query, current):
    # The segment shown stays while the search or the date changes.
    search = customers_search(site or "", (prefix or "").strip(),
                              segment=query_value(query, "segment"), date=(as_of or "").strip())
    return search if search != current else no_update


def _no_purchases(site):
    return html.Div(className="empty-state", id="customers-no-value", children=[
        html.H2("No purchase to score yet"),
        html.P("RFM segments and lifetime value need transactions dated before the as-of date. "
               "Import them from the command line (docs/churn-data.md):"),
        html.Pre(html.Code(f"vigie import transactions transactions.csv --site {site}"))])


def customer_value(store, site, query):
    """The customer value section: RFM matrix and segments, a segment's clients, the CLV chart."""
    as_of = as_of_date(query)
    segment = query_value(query, "segment")
    if segment and segment not in SEGMENTS:
        raise SelectionError(f"“{segment[:40]}” is not an RFM segment.")
    date = query_value(query, "date")
    settings = current_app.extensions["vigie"].settings
    # The summaries are kept until the site's data changes, for every server process
    # (analytics.value_memo); per-client rows are built only to list a segment or a cell.
    horizon, rate = settings.clv_horizon_days, settings.clv_discount_rate
    cutoffs = settings.matrix_value_cutoff, settings.matrix_tenure_cutoff_days
    with one_generation():
        rfm = (kept_rfm_report(store, site, as_of, segment, horizon, rate) if segment
               else rfm_overview(store, site, as_of, horizon, rate))
        if not rfm["customers"]:
            return _no_purchases(site)
        clv = clv_overview(store, site, as_of, horizon, rate)
        summary = portfolio_overview(store, site, as_of, horizon, rate)
        matrix = matrix_overview(store, site, as_of, horizon, rate, *cutoffs)

    def full_matrix():
        return loyalty_matrix(portfolio_report(store, site, as_of, horizon, rate)[1], *cutoffs)

    def segment_href(name):
        return customers_href(site, segment=name, date=date)

    def client_href(customer_id):
        return customers_href(site, client=customer_id, segment=segment, date=date)

    members = []
    if segment:
        members = [html.H3(f"{segment}: clients, highest net revenue first", id="rfm-members-title"),
                   html.A("Download CSV", href=api_csv_href("rfm", site, as_of, segment=segment),
                          id="rfm-members-csv", className="csv-link"),
                   segment_members(rfm, segment, client_href)]
    return html.Div([html.Div(className="columns", children=[
        html.Section(className="card", id="rfm-card", children=[
            html.H2(f"RFM segments as of {as_of:%Y-%m-%d}"),
            html.P(f"{rfm['customers']:,} clients with a purchase; click a cell to list its clients.",
                   className="empty", id="rfm-scored"),
            rfm_matrix(rfm, segment_href), segment_table(rfm, segment_href),
            html.A("Download CSV", href=api_csv_href("rfm", site, as_of), id="rfm-csv",
                   className="csv-link")] + members),
        html.Section(className="card", id="clv-card", children=[
            html.H2("Customer lifetime value"), clv_summary(clv),
            chart("clv-chart", clv_figure(clv), style={"height": "300px"},
                  title=export_title("Customer lifetime value", site, as_of)),
            html.A("Download CSV", href=api_csv_href("clv", site, as_of), id="clv-csv",
                   className="csv-link")]),
    ]), matrix_card(summary, matrix, site, query, full_matrix)])


@callback(Output("customers-value", "children"), Input("customers-listed", "data"),
          prevent_initial_call=True)
def show_value(query):
    # Runs after show_customers: reading every client's history takes about a second at
    # 100,000 clients, and the embedded store runs one statement at a time, so started
    # together it would keep a search or a client's timeline waiting behind it.
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        return customer_value(store, site.domain, query)
    except SelectionError as exc:
        return _message(str(exc), "customers-value-error")
    except StoreError:
        return _message(STORE_DOWN, "customers-value-error")


@callback(Output("customers-message", "children"), Output("customers-list", "children"),
          Output("customers-timeline", "children"), Output("customers-listed", "data"),
          Input("customers-query", "data"))
def show_customers(query):
    return _customers(query) + (query,)


def _customers(query):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        number, prefix = page_number(query), query_value(query, "q")[:200]
        page = list_customers(store, site.domain, prefix, offset=(number - 1) * PAGE_SIZE,
                              limit=PAGE_SIZE)
        listing = customer_list(page, site.domain, prefix, number)
        client = query_value(query, "client")
        if not client:
            return None, listing, html.P("Choose a client to see its timeline.", className="empty",
                                         id="customers-pick")
        customer = get_customer(store, site.domain, client)
        if customer is None:
            return (_message(f"No client “{client[:200]}” on {site.domain}.", "customers-error"),
                    listing, None)
        return None, listing, timeline(
            customer, customer_transactions(store, site.domain, client, limit=200),
            score_history(store, site.domain, client),
            list_alerts(store, site=site.domain, customer_id=client, limit=200),
            customer_visits(store, site.domain, client, limit=200))
    except SelectionError as exc:
        return _message(str(exc), "customers-error"), None, None
    except StoreError:
        return _message(STORE_DOWN, "customers-error"), None, None
