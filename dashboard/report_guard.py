"""Who may see an analytics report page, checked in its layout and again in every callback.

A callback can be posted by hand without its page ever being shown, so each
one calls `report_site` itself. A site the account may not see reads exactly
like a site that does not exist (dashboard.selection.resolve).
"""
from dataclasses import dataclass

from dash import html

from dashboard.auth import signed_in_user
from dashboard.selection import SelectionError, resolve, selection_from_query
from warehouse.sites import list_sites

STORE_DOWN = "Vigie cannot reach its database right now; reload in a moment."
NOT_ANALYTICS = "Web analytics are not part of this account."


@dataclass(frozen=True)
class ReportPage:
    """What a report page's layout needs: the account, its sites, the selection and its period."""
    user: object
    sites: list
    selection: object
    period: object   # None when the URL cannot be shown; the callback then says why


def message(text, kind="error", message_id=None):
    props = {"id": message_id} if message_id else {}
    return html.P(text, className=f"message message-{kind}", **props)


def _empty_state(state_id, title, *lines):
    return html.Div(className="empty-state", id=state_id, children=[html.H2(title), *lines])


def report_page(store, query):
    """A ReportPage for the signed-in account, or a component explaining why there is none.

    Raises StoreError when the database is down (the page shows STORE_DOWN).
    """
    user = signed_in_user(store)
    if user is None:
        return message("Your session has ended; sign in again.")
    if not user.can("analytics"):
        return _empty_state("no-analytics", "Web analytics are not part of this account",
                            html.P(f"Your role is {user.role}; ask an admin for the marketer "
                                   "role to see traffic, goals and retention."))
    all_sites = list_sites(store)
    if not all_sites:
        return _empty_state("no-sites", "No site yet",
                            html.P("Register the site you want to measure, then paste the "
                                   "tracking snippet in its pages:"),
                            html.Pre(html.Code("vigie sites add DOMAIN --timezone Europe/Paris")))
    sites = user.visible_sites(all_sites)
    if not sites:
        return _empty_state("no-visible-sites", "No site shared with you yet",
                            html.P("Ask an admin to give your account access to a site "
                                   "(vigie users access EMAIL --site DOMAIN)."))
    selection = selection_from_query(query, default_site=sites[0].domain)
    try:
        _, period = resolve(store, selection, user)
    except SelectionError:
        period = None
    return ReportPage(user, sites, selection, period)


def report_site(store, query):
    """(user, Site, Period) for a callback's query, or SelectionError saying why not."""
    user = signed_in_user(store)
    if user is not None and not user.can("analytics"):
        raise SelectionError(NOT_ANALYTICS)
    site, period = resolve(store, selection_from_query(query), user)
    return user, site, period
