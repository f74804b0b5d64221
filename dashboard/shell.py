"""The frame around every dashboard page: brand, signed-in account, sign-out form."""
import dash
from dash import dcc, html
from flask import session

from dashboard.auth import session_email
from dashboard.csrf import FIELD_NAME, SESSION_KEY


def shell_layout():
    """Called by Dash for each page load, inside the request, so it sees the session.

    Dash also calls it once at start-up on whatever request comes first (maybe
    an anonymous tracker event), so it only reads the session, never writes.
    """
    email = session_email()
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
    return html.Div(className="shell", children=[
        html.Header(className="topbar", children=[
            html.A("Vigie", href="/", className="brand"),
            html.Div(account, className="account"),
        ]),
        html.Main(dash.page_container, className="page"),
    ])
