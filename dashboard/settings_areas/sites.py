"""Settings area: sites (add one, edit its hostnames, customer ids and privacy signals)."""
import zoneinfo

from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import request

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice, sites_table
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError, add_site, get_site, list_sites, normalise_domain

_TIMEZONES = sorted(zoneinfo.available_timezones())


def _edit_site_button(domain):
    return html.Button("Edit", id={"type": "site-edit", "domain": domain}, className="button-quiet",
                       n_clicks=0)


def _site_form(sites):
    return html.Div(className="form-row", children=[
        field("Domain", dcc.Input(id="site-domain", type="text", placeholder="shop.example.com")),
        field("Time zone", dcc.Dropdown(id="site-timezone", options=_TIMEZONES, value="UTC",
                                         clearable=False, className="wide-select")),
        field("Extra hostnames (comma-separated)",
               dcc.Input(id="site-hostnames", type="text", placeholder="checkout.example.net, localhost")),
        dcc.Checklist(id="site-flags", className="flags", value=["respect"], options=[
            {"label": "Accept customer ids (links visits to clients for churn)", "value": "identify"},
            {"label": "Respect Do-Not-Track and Global Privacy Control", "value": "respect"}]),
        html.Button("Save site", id="site-save", className="button", n_clicks=0),
    ])


def section(sites):
    return html.Section(className="card", children=[
        html.H2("Sites"),
        html.Div(sites_table(sites, request.host_url, _edit_site_button), id="sites-panel"),
        _site_form(sites), html.Div(id="site-message", role="status")])


def _hostnames(text):
    return [h.strip() for h in (text or "").split(",") if h.strip()]


def save_site(_clicks, domain, timezone, hostnames, flags):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update
    store, flags = current_store(), flags or []
    try:
        existed = get_site(store, normalise_domain(domain)) is not None
        site = add_site(store, domain, timezone=timezone or "UTC", extra_hostnames=_hostnames(hostnames),
                        identify_customers="identify" in flags,
                        respect_privacy_signals="respect" in flags)
        return (notice(f"Site {site.domain} {'updated' if existed else 'added'}."),
                sites_table(list_sites(store), request.host_url, _edit_site_button))
    except SiteError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update


def edit_site(_clicks):
    """Fill the site form with a site's current settings; Save site then updates it."""
    if signed_in_admin() is None or not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0]["value"]:
        return no_update, no_update, no_update, no_update
    try:
        site = get_site(current_store(), ctx.triggered_id["domain"])
    except StoreError:
        return no_update, no_update, no_update, no_update
    if site is None:
        return no_update, no_update, no_update, no_update
    flags = (["identify"] if site.identify_customers else []) + \
        (["respect"] if site.respect_privacy_signals else [])
    return site.domain, site.timezone, ", ".join(site.extra_hostnames), flags


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("site-message", "children"), Output("sites-panel", "children"),
             Input("site-save", "n_clicks"),
             State("site-domain", "value"), State("site-timezone", "value"),
             State("site-hostnames", "value"), State("site-flags", "value"),
             prevent_initial_call=True)(save_site)
    callback(Output("site-domain", "value"), Output("site-timezone", "value"),
             Output("site-hostnames", "value"), Output("site-flags", "value"),
             Input({"type": "site-edit", "domain": ALL}, "n_clicks"), prevent_initial_call=True)(edit_site)
