"""Settings (admins): sites and their snippet, accounts and roles, API keys.

Every callback re-checks on the server that the signed-in account is an
admin; the page hiding itself from others is a courtesy, not the guard.
Changes go through the same warehouse functions as the CLI, so both refuse
the same bad input with the same words.
"""
import zoneinfo

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app, request

from dashboard.auth import signed_in_user
from dashboard.settings_view import (api_keys_table, new_key_notice, notice, sites_table,
                                     users_table)
from warehouse import StoreError
from warehouse.api_keys import ApiKeyError, create_api_key, list_api_keys, revoke_api_key
from warehouse.sites import SiteError, add_site, get_site, list_sites, normalise_domain
from warehouse.users import ROLES, UserError, add_user, get_user, list_users, set_access

dash.register_page(__name__, path="/settings", title="Settings · Vigie", name="Settings",
                   area="settings", order=90)

_NOT_ADMIN = "Settings are for admins. Ask an admin to change sites, accounts or keys."
_STORE_DOWN = "Vigie cannot reach its database right now; try again in a moment."
_TIMEZONES = sorted(zoneinfo.available_timezones())


def _store():
    return current_app.extensions["vigie"].store


def _admin():
    user = signed_in_user(_store())
    return user if user is not None and user.can("settings") else None


def _revoke_button(key_id):
    return html.Button("Revoke", id={"type": "revoke-key", "key": key_id}, className="button-quiet",
                       n_clicks=0)


def _field(label, component):
    return html.Label(className="field", children=[html.Span(label), component])


def _site_form(sites):
    return html.Div(className="form-row", children=[
        _field("Domain", dcc.Input(id="site-domain", type="text", placeholder="shop.example.com")),
        _field("Time zone", dcc.Dropdown(id="site-timezone", options=_TIMEZONES, value="UTC",
                                         clearable=False, className="wide-select")),
        _field("Extra hostnames (comma-separated)",
               dcc.Input(id="site-hostnames", type="text", placeholder="checkout.example.net")),
        dcc.Checklist(id="site-flags", className="flags", value=["respect"], options=[
            {"label": "Accept customer ids (links visits to clients for churn)", "value": "identify"},
            {"label": "Respect Do-Not-Track and Global Privacy Control", "value": "respect"}]),
        html.Button("Save site", id="site-save", className="button", n_clicks=0),
    ])


def _user_form(sites):
    domains = [s.domain for s in sites]
    return html.Div(className="form-row", children=[
        _field("Email", dcc.Input(id="user-email", type="email", placeholder="mia@example.com")),
        _field("Role", dcc.Dropdown(id="user-role", options=list(ROLES), value="marketer",
                                    clearable=False)),
        _field("Sites", dcc.Dropdown(id="user-sites", options=domains, multi=True,
                                     className="wide-select")),
        _field("Password (new accounts, or to reset)",
               dcc.Input(id="user-password", type="password", autoComplete="new-password")),
        html.Button("Save account", id="user-save", className="button", n_clicks=0),
    ])


def _key_form(sites):
    return html.Div(className="form-row", children=[
        _field("Site", dcc.Dropdown(id="key-site", options=[s.domain for s in sites],
                                    className="wide-select")),
        _field("Name", dcc.Input(id="key-name", type="text", placeholder="nightly CRM export")),
        html.Button("Create key", id="key-create", className="button", n_clicks=0),
    ])


def layout(**_query):
    store = _store()
    try:
        admin = _admin()
        if admin is None:
            return html.Div(notice(_NOT_ADMIN, "error"), id="settings-refused")
        sites, users, keys = list_sites(store), list_users(store), list_api_keys(store)
    except StoreError:
        return notice(_STORE_DOWN, "error")
    return html.Div(className="settings", children=[
        html.H1("Settings"),
        html.Section(className="card", children=[
            html.H2("Sites"),
            html.Div(sites_table(sites, request.host_url), id="sites-panel"),
            _site_form(sites), html.Div(id="site-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("Accounts"),
            html.Div(users_table(users), id="users-panel"),
            _user_form(sites), html.Div(id="user-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("API keys"),
            html.Div(api_keys_table(keys, _revoke_button), id="keys-panel"),
            _key_form(sites), html.Div(id="key-message", role="status")]),
    ])


def _hostnames(text):
    return [h.strip() for h in (text or "").split(",") if h.strip()]


@callback(Output("site-message", "children"), Output("sites-panel", "children"),
          Input("site-save", "n_clicks"),
          State("site-domain", "value"), State("site-timezone", "value"),
          State("site-hostnames", "value"), State("site-flags", "value"),
          prevent_initial_call=True)
def save_site(_clicks, domain, timezone, hostnames, flags):
    if _admin() is None:
        return notice(_NOT_ADMIN, "error"), no_update
    store, flags = _store(), flags or []
    try:
        existed = get_site(store, normalise_domain(domain)) is not None
        site = add_site(store, domain, timezone=timezone or "UTC", extra_hostnames=_hostnames(hostnames),
                        identify_customers="identify" in flags,
                        respect_privacy_signals="respect" in flags)
        return (notice(f"Site {site.domain} {'updated' if existed else 'added'}."),
                sites_table(list_sites(store), request.host_url))
    except SiteError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(_STORE_DOWN, "error"), no_update


@callback(Output("user-message", "children"), Output("users-panel", "children"),
          Output("user-password", "value"),
          Input("user-save", "n_clicks"),
          State("user-email", "value"), State("user-role", "value"), State("user-sites", "value"),
          State("user-password", "value"),
          prevent_initial_call=True)
def save_user(_clicks, email, role, sites, password):
    if _admin() is None:
        return notice(_NOT_ADMIN, "error"), no_update, ""
    store = _store()
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
        return notice(_STORE_DOWN, "error"), no_update, ""


@callback(Output("key-message", "children"), Output("keys-panel", "children"),
          Input("key-create", "n_clicks"), Input({"type": "revoke-key", "key": ALL}, "n_clicks"),
          State("key-site", "value"), State("key-name", "value"),
          prevent_initial_call=True)
def change_keys(_create, _revokes, site, name):
    if _admin() is None:
        return notice(_NOT_ADMIN, "error"), no_update
    store, trigger = _store(), ctx.triggered_id
    try:
        if isinstance(trigger, dict):
            if not ctx.triggered or not ctx.triggered[0]["value"]:
                return no_update, no_update  # a revoke button was just drawn, not clicked
            revoke_api_key(store, trigger["key"])
            message = notice(f"Key {trigger['key']} revoked: requests using it now get 401.")
        else:
            if not site or get_site(store, site) is None:
                return notice("Choose the site the key is for.", "error"), no_update
            _, token = create_api_key(store, site, name or "")
            message = new_key_notice(token)
        return message, api_keys_table(list_api_keys(store), _revoke_button)
    except ApiKeyError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(_STORE_DOWN, "error"), no_update
