"""What every settings area shares: the admin check, the store, the messages, form fields.

Every callback re-checks on the server that the signed-in account is an
admin; the page hiding itself from others is a courtesy, not the guard.
"""
from dash import dcc, html
from flask import current_app

from vigie.dashboard.auth import signed_in_user

NOT_ADMIN = "Settings are for admins. Ask an admin to change sites, accounts or keys."
STORE_DOWN = "Vigie cannot reach its database right now; try again in a moment."


def current_store():
    return current_app.extensions["vigie"].store


def signed_in_admin():
    user = signed_in_user(current_store())
    return user if user is not None and user.can("settings") else None


def field(label, component):
    return html.Label(className="field", children=[html.Span(label), component])


def site_field(component_id, domains):
    """The "Site" chooser a settings area's form starts with (its first site chosen)."""
    return field("Site", dcc.Dropdown(id=component_id, options=domains,
                                      value=domains[0] if domains else None, clearable=False,
                                      className="wide-select"))
