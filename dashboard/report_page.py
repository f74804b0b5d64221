"""The frame of a report page (Pages, Audience): access checks, report bar, message, report.

Every report page has the same life: the layout is a function of the query
string; it checks the account, picks the site, and draws the report bar
(dashboard/controls.py) above an empty report whose panels a callback fills
from a Store holding the query. That callback checks the account and the
site again (`resolve_query`): a callback can be posted by anyone holding a
session cookie, so the layout's checks are not enough.
"""
from dash import dcc, html
from flask import current_app

from dashboard.auth import signed_in_user
from dashboard.controls import report_controls
from dashboard.selection import SelectionError, resolve, selection_from_query
from warehouse import StoreError
from warehouse.sites import list_sites

STORE_DOWN = "Vigie cannot reach its database right now; reload in a moment."
HIDDEN = {"display": "none"}
SHOWN = {}


def context():
    return current_app.extensions["vigie"]


def message(text):
    return html.P(text, className="message message-error")


def _empty_state(component_id, title, *lines):
    return html.Div(className="empty-state", id=component_id,
                    children=[html.H2(title)] + [html.P(line) for line in lines])


def _no_sites():
    return html.Div(className="empty-state", id="no-sites", children=[
        html.H2("No site yet"),
        html.P("Register the site you want to measure, then paste the tracking snippet in its pages:"),
        html.Pre(html.Code("vigie sites add DOMAIN --timezone Europe/Paris")),
        html.P("Reload this page once it is added."),
    ])


def report_layout(page, path, query, report_children):
    """The page for a query string, or the empty state that explains why there is none.

    `report_children(selection)` returns the panels; they may use the
    selection for links (CSV exports) but get their numbers from callbacks.
    """
    store = context().store
    try:
        user = signed_in_user(store)
        if user is None:
            return message("Your session has ended; sign in again.")
        if not user.can("analytics"):
            return _empty_state("no-analytics", "Web analytics are not part of this account",
                                f"Your role is {user.role}; ask an admin for the marketer role "
                                "to see traffic.")
        all_sites = list_sites(store)
        if not all_sites:
            return _no_sites()
        sites = user.visible_sites(all_sites)
        if not sites:
            return _empty_state("no-visible-sites", "No site shared with you yet",
                                "Ask an admin to give your account access to a site "
                                "(vigie users access EMAIL --site DOMAIN).")
        selection = selection_from_query(query, default_site=sites[0].domain)
        try:
            # Only to prefill the date picker with the chosen period's days.
            _, period = resolve(store, selection, user)
        except SelectionError:
            period = None
    except StoreError:
        return message(STORE_DOWN)
    return html.Div(className=page, children=[
        dcc.Location(id=f"{page}-url", refresh="callback-nav"),
        dcc.Store(id=f"{page}-selection", data=selection.as_query()),
        report_controls(page, path, sites, selection, period, compare=False),
        html.Div(id=f"{page}-message", role="status"),
        # Hidden while the URL cannot be shown, so the message stands alone.
        html.Div(id=f"{page}-report", children=report_children(selection)),
    ])


def resolve_query(query):
    """(site, period, selection) for a callback's query; SelectionError says what is wrong."""
    store = context().store
    user = signed_in_user(store)
    if user is not None and not user.can("analytics"):
        raise SelectionError("Web analytics are not part of this account.")
    selection = selection_from_query(query)
    site, period = resolve(store, selection, user)
    return site, period, selection


def panel(title, body_id, csv=None, extra=None):
    """A titled card whose body a callback fills, with its CSV export beside the title."""
    head = [html.H2(title)] + ([csv] if csv is not None else [])
    children = [html.Div(head, className="card-head")]
    if extra is not None:
        children.append(extra)
    children.append(dcc.Loading(html.Div(id=body_id), type="dot", delay_show=150))
    return html.Section(className="card", children=children)
