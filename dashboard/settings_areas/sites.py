"""Settings area: sites (add one, edit its hostnames, customer ids and privacy signals, delete one).

Deleting a site asks for confirmation first, in a dialog that says what
happens: the site leaves every page, the collector refuses its events from
then on, and the data already stored (events, visits, client data, scores,
alerts) stays in the database, untouched and unread; adding the same domain
again shows it again. Erasing that data is a database operation, not a
dashboard button (docs/dashboard.md, "Deleting a site").
"""
import zoneinfo

from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import request

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice, sites_table
from vigie.warehouse import StoreError
from vigie.warehouse.sites import (SiteError, add_site, get_site, list_sites, normalise_domain,
                                   remove_site)

_TIMEZONES = sorted(zoneinfo.available_timezones())


def _site_buttons(domain):
    return html.Div(className="row-buttons", children=[
        html.Button("Edit", id={"type": "site-edit", "domain": domain}, className="button-quiet",
                    n_clicks=0),
        html.Button("Delete", id={"type": "site-delete", "domain": domain},
                    className="button-quiet button-danger", n_clicks=0)])


def deletion_warning(domain):
    """What the confirmation dialog says before a site is deleted."""
    return (f"Delete the site {domain}?\n\n"
            f"It disappears from every page of Vigie, for every account, and the collector "
            f"refuses its events from now on (remove the snippet from its pages). Its API keys "
            f"and shared links stop working.\n\n"
            f"The data already collected (visits, events, client data, churn scores and alerts) "
            f"is not erased: it stays in the database, unread. Adding {domain} again later "
            f"shows it again.")


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
        html.Div(sites_table(sites, request.host_url, _site_buttons), id="sites-panel"),
        _site_form(sites), html.Div(id="site-message", role="status"),
        dcc.ConfirmDialog(id="site-delete-confirm"), dcc.Store(id="site-delete-pending")])


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
                sites_table(list_sites(store), request.host_url, _site_buttons))
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


def ask_to_delete(_clicks):
    """A Delete button: open the confirmation naming the site and what happens to its data."""
    if signed_in_admin() is None or not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0]["value"]:
        return no_update, no_update, no_update
    domain = ctx.triggered_id["domain"]
    return True, deletion_warning(domain), domain


def delete_site(_submitted, domain):
    """The dialog's OK: delete the site, checked again here (the dialog is only in the browser)."""
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update
    store = current_store()
    try:
        remove_site(store, domain)
        return (notice(f"Site {normalise_domain(domain)} deleted. Its data stays in the database; "
                       f"adding it again shows it again."),
                sites_table(list_sites(store), request.host_url, _site_buttons))
    except SiteError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update


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
    callback(Output("site-delete-confirm", "displayed"), Output("site-delete-confirm", "message"),
             Output("site-delete-pending", "data"),
             Input({"type": "site-delete", "domain": ALL}, "n_clicks"), prevent_initial_call=True)(ask_to_delete)
    callback(Output("site-message", "children", allow_duplicate=True),
             Output("sites-panel", "children", allow_duplicate=True),
             Input("site-delete-confirm", "submit_n_clicks"), State("site-delete-pending", "data"),
             prevent_initial_call=True)(delete_site)
