"""Settings area: API keys for the server-side APIs (create, revoke)."""
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import api_keys_table, new_key_notice, notice
from vigie.warehouse import StoreError
from vigie.warehouse.api_keys import ApiKeyError, create_api_key, list_api_keys, revoke_api_key
from vigie.warehouse.sites import get_site


def _revoke_button(key_id):
    return html.Button("Revoke", id={"type": "revoke-key", "key": key_id}, className="button-quiet",
                       n_clicks=0)


def _key_form(sites):
    return html.Div(className="form-row", children=[
        field("Site", dcc.Dropdown(id="key-site", options=[s.domain for s in sites],
                                    className="wide-select")),
        field("Name", dcc.Input(id="key-name", type="text", placeholder="nightly CRM export")),
        html.Button("Create key", id="key-create", className="button", n_clicks=0),
    ])


def section(sites):
    return html.Section(className="card", children=[
        html.H2("API keys"),
        html.Div(api_keys_table(list_api_keys(current_store()), _revoke_button), id="keys-panel"),
        _key_form(sites), html.Div(id="key-message", role="status")])


def change_keys(_create, _revokes, site, name):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update
    store, trigger = current_store(), ctx.triggered_id
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
        return notice(STORE_DOWN, "error"), no_update


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("key-message", "children"), Output("keys-panel", "children"),
             Input("key-create", "n_clicks"), Input({"type": "revoke-key", "key": ALL}, "n_clicks"),
             State("key-site", "value"), State("key-name", "value"),
             prevent_initial_call=True)(change_keys)
