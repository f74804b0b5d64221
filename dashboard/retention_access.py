"""Who may see which site's clients: the one check every retention page and callback runs.

Pages call it in `layout` and again in every callback, because a callback
can be posted by hand without the page ever being shown. A site the account
may not see gets the same sentence as a site that does not exist, so a URL
cannot be used to find out which domains Vigie holds.
"""
from vigie.dashboard.auth import signed_in_user
from vigie.dashboard.selection import SelectionError
from vigie.warehouse.sites import get_site, list_sites

NOT_RETENTION = ("Churn, alerts and clients are for the retention team. "
                 "Ask an admin for the retention role.")
STORE_DOWN = "Vigie cannot reach its database right now; reload in a moment."


def retention_user(store):
    """The signed-in account if it may open the churn area, else SelectionError."""
    user = signed_in_user(store)
    if user is None:
        raise SelectionError("Your session has ended; sign in again.")
    if not user.can("churn"):
        raise SelectionError(NOT_RETENTION)
    return user


def visible_domains(store, user):
    """The domains this account may see, in the order the store lists them."""
    return [s.domain for s in user.visible_sites(list_sites(store))]


def retention_site(store, domain):
    """(user, Site) for a domain the signed-in retention account may see, or SelectionError."""
    user = retention_user(store)
    domain = (domain or "").strip()
    if not domain:
        raise SelectionError("Choose a site.")
    site = get_site(store, domain)
    if site is None or not user.can_see_site(site.domain):
        raise SelectionError(f"No site named “{domain}” is registered. Pick one from the list.")
    return user, site


def query_value(query, name):
    """One query-string value as text; Dash hands a repeated parameter over as a list."""
    value = (query or {}).get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()
