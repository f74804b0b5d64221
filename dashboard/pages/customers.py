"""Customers (retention team): find a client by id prefix and read its timeline.

?site=…&q=PREFIX&page=N&client=ID is the page's whole state, so a client's
timeline can be linked to from the churn table, an alert or a colleague's
message. Web visits are not shown: nothing in alerts/ reads one client's
visits yet, and pages do not run SQL of their own.
"""
import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app

from alerts.churn_queries import score_history
from alerts.client_data.queries import customer_transactions, get_customer, list_customers
from alerts.state import list_alerts
from dashboard.customers_view import customer_list, customers_search, timeline
from dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                        visible_domains)
from dashboard.selection import SelectionError
from warehouse import StoreError

dash.register_page(__name__, path="/customers", title="Customers · Vigie", name="Customers",
                   area="churn", order=22)

PAGE_SIZE = 50
_HIDDEN = {"display": "none"}


def _store():
    return current_app.extensions["vigie"].store


def _message(text, component_id):
    return html.P(text, className="message message-error", id=component_id)


def _page_number(query):
    text = query_value(query, "page")
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise SelectionError(f"Page “{text[:20]}” is not a page number.")
    return int(text)


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
        dcc.Store(id="customers-query", data={k: query_value(query, k) for k in ("page", "client")}
                  | {"site": site, "q": prefix}),
        html.Div(className="controls", children=[
            dcc.Dropdown(id="customers-site", options=domains, value=site if site in domains else None,
                         clearable=False, className="site-select", placeholder="Choose a site"),
            dcc.Input(id="customers-search", type="search", value=prefix, debounce=True,
                      placeholder="Client id starts with…"),
        ]),
        html.Div(id="customers-message", role="status"),
        html.Div(className="columns", children=[
            html.Section(className="card", children=[html.H2("Clients"), html.Div(id="customers-list")]),
            html.Section(className="card", children=[html.Div(id="customers-timeline")]),
        ]),
    ])


@callback(Output("customers-url", "search"),
          Input("customers-site", "value"), Input("customers-search", "value"),
          State("customers-url", "search"), prevent_initial_call=True)
def controls_changed(site, prefix, current):
    search = customers_search(site or "", (prefix or "").strip())
    return search if search != current else no_update


@callback(Output("customers-message", "children"), Output("customers-list", "children"),
          Output("customers-timeline", "children"),
          Input("customers-query", "data"))
def show_customers(query):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        number, prefix = _page_number(query), query_value(query, "q")[:200]
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
            list_alerts(store, site=site.domain, customer_id=client, limit=200))
    except SelectionError as exc:
        return _message(str(exc), "customers-error"), None, None
    except StoreError:
        return _message(STORE_DOWN, "customers-error"), None, None
