"""The frame around every dashboard page: brand, navigation, signed-in account, sign-out form."""
import dash
from dash import Input, Output, State, dcc, html
from flask import current_app, session

from vigie.dashboard.auth import SESSION_SHARE, session_email, signed_in_user
from vigie.dashboard.csrf import FIELD_NAME, SESSION_KEY
from vigie.dashboard.selection import FILTER_PREFIX
from vigie.warehouse import StoreError

# The dcc.Location Dash's page router keeps in every multi-page app.
PAGES_LOCATION = "_pages_location"


# The top bar's groups, in order: (area a page registers with, label). Traffic
# reports are for marketers, client pages for the retention team, settings for
# admins (one link, so no label); an account sees only the groups its role opens.
NAV_GROUPS = (("analytics", "Traffic"), ("churn", "Clients"), ("settings", ""))
# What moving between traffic pages keeps, as Plausible does: the site, the
# period and the filters (every f_NAME parameter). The charted metric and a
# page's own parameters (funnel, interval, event) belong to the page they were
# chosen on.
CARRIED = ("site", "period", "from", "to", "compare")

# Runs in the browser whenever the address changes (a page change, or a control
# rewriting the query without a reload) and rewrites the traffic links' hrefs
# in place. Rebuilding the links through a server callback instead made Dash
# route the page again after some pages' callbacks, in a loop.
_CARRY_QUERY_JS = """
function (search, rule) {
    var query = new URLSearchParams(search || "");
    var kept = new URLSearchParams();
    rule.keep.forEach(function (name) {
        if (query.get(name)) { kept.set(name, query.get(name)); }
    });
    Array.from(query.keys()).sort().forEach(function (name) {
        if (name.indexOf(rule.prefix) === 0 && name.length > rule.prefix.length && query.get(name)) {
            kept.set(name, query.get(name));
        }
    });
    var carried = kept.toString() ? "?" + kept.toString() : "";
    document.querySelectorAll("#nav-group-analytics a[data-path]").forEach(function (link) {
        link.setAttribute("href", link.getAttribute("data-path") + carried);
    });
    return carried;
}
"""


def navigation(user):
    """Links to the pages this account's role may open, grouped by area, in page order.

    Each page declares its area (analytics, churn, settings) when it
    registers; the pages check access again themselves. Traffic links carry
    their bare path in data-path: the browser adds the query they keep.
    """
    if user is None:
        return []
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order", 50), p["path"]))
    groups = []
    for area, label in NAV_GROUPS:
        if not user.can(area):
            continue
        links = [html.A(p["name"], id=f"nav-{p['module'].rsplit('.', 1)[-1]}", href=p["path"],
                        **({"data-path": p["path"]} if area == "analytics" else {}))
                 for p in pages if p.get("area", "analytics") == area]
        if links:
            head = [html.Span(label, className="nav-group-label")] if label else []
            groups.append(html.Div(head + links, className="nav-group", id=f"nav-group-{area}"))
    return groups


def register_navigation(app):
    """Keep the traffic links in step with the URL: on every page change and every control change."""
    app.clientside_callback(_CARRY_QUERY_JS, Output("nav-carried", "data"),
                            Input(PAGES_LOCATION, "search"), State("nav-carry-rule", "data"))


def shell_layout():
    """Called by Dash for each page load, inside the request, so it sees the session.

    Dash also calls it once at start-up on whatever request comes first (maybe
    an anonymous tracker event), so it only reads the session, never writes.
    """
    email = session_email()
    user = None
    if email or session.get(SESSION_SHARE):
        try:
            user = signed_in_user(current_app.extensions["vigie"].store)
        except StoreError:
            user = None  # the page itself says the database is unavailable
    account = []
    if email:
        account = [
            html.Span(email, id="signed-in-email", className="account-email"),
            html.A("Email reports", href="/settings#email-reports", id="email-reports-link",
                   className="account-link"),
            # A real form POST: signing out changes state, so it carries the CSRF token.
            html.Form(action="/logout", method="POST", id="logout-form", children=[
                dcc.Input(type="hidden", name=FIELD_NAME, value=session.get(SESSION_KEY, "")),
                html.Button("Sign out", type="submit", id="logout-button", className="button-quiet"),
            ]),
        ]
    elif user is not None and user.read_only:
        account = [html.Span(f"Shared read-only view of {user.sites[0]}", id="shared-view",
                             className="account-email")]
    return html.Div(className="shell", children=[
        html.Header(className="topbar", children=[
            html.A("Vigie", href="/", className="brand"),
            html.Nav(navigation(user), className="nav", id="topnav"),
            dcc.Store(id="nav-carry-rule", data={"keep": list(CARRIED), "prefix": FILTER_PREFIX}),
            dcc.Store(id="nav-carried"),
            html.Div(account, className="account"),
        ]),
        html.Main(dash.page_container, className="page"),
    ])
