"""Settings area: dashboard accounts, their roles and sites."""
from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice, users_table
from vigie.warehouse import StoreError
from vigie.warehouse.sites import list_sites
from vigie.warehouse.users import ROLES, UserError, add_user, get_user, list_users, set_access


def _user_form(sites):
    domains = [s.domain for s in sites]
    return html.Div(className="form-row", children=[
        field("Email", dcc.Input(id="user-email", type="email", placeholder="mia@example.com")),
        field("Role", dcc.Dropdown(id="user-role", options=list(ROLES), value="marketer",
                                    clearable=False)),
        field("Sites", dcc.Dropdown(id="user-sites", options=domains, multi=True,
                                     className="wide-select")),
        field("Password (new accounts, or to reset)",
               dcc.Input(id="user-password", type="password", autoComplete="new-password")),
        html.Button("Save account", id="user-save", className="button", n_clicks=0),
    ])


def section(sites):
    return html.Section(className="card", children=[
        html.H2("Accounts"),
        html.Div(users_table(list_users(current_store())), id="users-panel"),
        _user_form(sites), html.Div(id="user-message", role="status")])


def save_user(_clicks, email, role, sites, password):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update, ""
    store = current_store()
    try:
        registered = {s.domain for s in list_sites(store)}
        unknown = [d for d in sites or [] if d not in registered]
        if unknown:
            return notice(f"No site {unknown[0]!r} is registered.", "error"), no_update, ""
        if password:
            user = add_user(store, email, password, role=role, sites=sites or [])
        elif get_user(store, email) is None:
            return notice("A new account needs a password (8 characters or more).", "error"), no_update, ""
        else:
            user = set_access(store, email, role=role, sites=sites or [])
        return notice(f"Account {user.email} saved as {user.role}."), users_table(list_users(store)), ""
    except UserError as exc:
        return notice(str(exc), "error"), no_update, ""
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update, ""


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("user-message", "children"), Output("users-panel", "children"),
             Output("user-password", "value"),
             Input("user-save", "n_clicks"),
             State("user-email", "value"), State("user-role", "value"), State("user-sites", "value"),
             State("user-password", "value"),
             prevent_initial_call=True)(save_user)
