"""Settings area: read-only shared links to one site's web analytics (create, revoke)."""
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import request

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import new_share_notice, notice, share_links_table
from vigie.warehouse import StoreError
from vigie.warehouse.share_links import (ShareLinkError, create_share_link, list_share_links,
                                         revoke_share_link)


def _share_revoke_button(link_id):
    return html.Button("Revoke", id={"type": "revoke-share", "link": link_id},
                       className="button-quiet", n_clicks=0)


def _share_form(sites):
    return html.Div(className="form-row", children=[
        field("Site", dcc.Dropdown(id="share-site", options=[s.domain for s in sites],
                                    className="wide-select")),
        html.Button("Create shared link", id="share-create", className="button", n_clicks=0),
    ])


def section(sites):
    return html.Section(className="card", children=[
        html.H2("Shared links"),
        html.P("A shared link shows one site's web analytics to anyone who has it, read-only: "
               "no churn, customers, alerts or settings. Revoking it locks its visitors out at "
               "their next click.", className="hint"),
        html.Div(share_links_table(list_share_links(current_store()), _share_revoke_button), id="share-panel"),
        _share_form(sites), html.Div(id="share-message", role="status")])


def change_share_links(_create, _revokes, site):
    admin = signed_in_admin()
    if admin is None:
        return notice(NOT_ADMIN, "error"), no_update
    store, trigger = current_store(), ctx.triggered_id
    try:
        if isinstance(trigger, dict):
            if not ctx.triggered or not ctx.triggered[0]["value"]:
                return no_update, no_update  # a revoke button was just drawn, not clicked
            revoke_share_link(store, trigger["link"])
            message = notice(f"Shared link {trigger['link']} revoked: its visitors now get "
                             "\u201cThis shared link was revoked\u201d.")
        else:
            _, token = create_share_link(store, site, admin.email)
            message = new_share_notice(request.host_url.rstrip("/") + f"/share/{token}")
        return message, share_links_table(list_share_links(store), _share_revoke_button)
    except ShareLinkError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("share-message", "children"), Output("share-panel", "children"),
             Input("share-create", "n_clicks"), Input({"type": "revoke-share", "link": ALL}, "n_clicks"),
             State("share-site", "value"), prevent_initial_call=True)(change_share_links)
