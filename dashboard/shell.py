"""The frame around every dashboard page: brand, navigation, signed-in account, sign-out form."""
import dash
from dash import dcc, html
from flask import current_app, session

from vigie.dashboard.auth import SESSION_SHARE, session_email, signed_in_user
from vigie.dashboard.csrf import FIELD_NAME, SESSION_KEY
from vigie.warehouse import StoreError


def navigation(user):
    """Links to the pages this account's role may open, in page order.

    Each page declares its area (analytics, churn, settings) when it
    registers; the pages check access again themselves.
    """
    if user is None:
        return []
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order", 50), p["path"]))
    return [html.A(p["name"], href=p["path"], id=f"nav-{p['module'].rsplit('.', 1)[-1]}")
            for p in pages if user.can(p.get("area", "analytics"))]


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
            html.Nav(navigation(user), className="nav"),
            html.Div(account, className="account"),
        ]),
        html.Main(dash.page_container, className="page"),
    ])
