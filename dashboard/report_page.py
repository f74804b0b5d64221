"""What every traffic report page does before it shows numbers: who is asking, for what.

`open_report(query, default_site)` turns the query string of a page load into
either a readable explanation (signed out, no analytics role, no site yet, no
site shared with this account, database down) or a `ReportRequest`: the
account, the sites it may see, the Selection (with its saved segment's
filters) and its resolved Period (None when the URL is bad: the page's data
callback then says why), and the segments of the site the account may pick.

`resolve_report(query)` is the same check for a data callback: every callback
re-checks the account and its access to the site, because a callback can be
posted by hand with any query.

`report_layout(page, path, query, report_children)` is the whole frame of a
page whose panels callbacks fill (Pages, Audience): report bar
(dashboard/controls.py) above the panels, and a Store holding the query.
"""
from dataclasses import dataclass

from dash import dcc, html
from flask import current_app

from vigie.dashboard.auth import signed_in_user
from vigie.dashboard.controls import report_controls
from vigie.dashboard.selection import SelectionError, applied, resolve, segment_reader, selection_from_query
from vigie.warehouse import StoreError
from vigie.warehouse.segments import site_segments
from vigie.warehouse.sites import list_sites

STORE_DOWN = "Vigie cannot reach its database right now; reload in a moment."
NOT_ANALYTICS = "Web analytics are not part of this account."
HIDDEN = {"display": "none"}
SHOWN = {}


def context():
    return current_app.extensions["vigie"]


def message(text, kind="error", message_id=None):
    props = {"id": message_id} if message_id else {}
    return html.P(text, className=f"message message-{kind}", **props)


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


@dataclass(frozen=True)
class ReportRequest:
    user: object
    sites: list
    selection: object
    period: object  # analytics.period.Period, or None when the URL cannot be shown
    segments: tuple = ()  # warehouse.segments.Segment of the site this account may see


def open_report(query):
    """A ReportRequest for a page load, or a component explaining why there is none."""
    store = context().store
    try:
        user = signed_in_user(store)
        if user is None:
            return message("Your session has ended; sign in again.")
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
            selection = applied(store, selection, user)
        except SelectionError:
            period = None
        segments = ()
        if user.can_see_site(selection.site):
            segments = tuple(site_segments(store, selection.site, segment_reader(user)))
    except StoreError:
        return message(STORE_DOWN)
    return ReportRequest(user, sites, selection, period, segments)


def report_site(store, query):
    """(user, Site, Period) for a callback's query, checked for this account.

    Raises SelectionError with a sentence for the reader; StoreError passes through."""
    user = signed_in_user(store)
    if user is not None and not user.can("analytics"):
        raise SelectionError(NOT_ANALYTICS)
    site, period = resolve(store, selection_from_query(query), user)
    return user, site, period


def checked_selection(store, query, user):
    """The Selection of a callback's query with its saved segment's filters (SelectionError)."""
    return applied(store, selection_from_query(query), user)


def resolve_report(query):
    """(store, site, period, selection) for a data callback, checked for this account."""
    store = context().store
    user, site, period = report_site(store, query)
    return store, site, period, checked_selection(store, query, user)


def resolve_query(query):
    """(site, period, selection) for a callback's query; SelectionError says what is wrong."""
    _, site, period, selection = resolve_report(query)
    return site, period, selection


def report_layout(page, path, query, report_children, compare=False):
    """The page for a query string, or the empty state that explains why there is none.

    `report_children(selection)` returns the panels; they may use the
    selection for links (CSV exports) but get their numbers from callbacks.
    """
    request = open_report(query)
    if not isinstance(request, ReportRequest):
        return request
    return html.Div(className=page, children=[
        dcc.Location(id=f"{page}-url", refresh="callback-nav"),
        dcc.Store(id=f"{page}-selection", data=request.selection.as_query()),
        report_controls(page, path, request.sites, request.selection, request.period,
                        compare=compare, segments=request.segments, user=request.user),
        html.Div(id=f"{page}-message", role="status"),
        # Hidden while the URL cannot be shown, so the message stands alone.
        html.Div(id=f"{page}-report", children=report_children(request.selection)),
    ])


def panel(title, body_id, csv=None, extra=None):
    """A titled card whose body a callback fills, with its CSV export beside the title."""
    head = [html.H2(title)] + ([csv] if csv is not None else [])
    children = [html.Div(head, className="card-head")]
    if extra is not None:
        children.append(extra)
    children.append(dcc.Loading(html.Div(id=body_id), type="dot", delay_show=150))
    return html.Section(className="card", children=children)
