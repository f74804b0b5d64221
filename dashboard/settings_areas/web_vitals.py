"""Settings area: web vitals (whether the collector stores a site's vitals reports).

Off for every site until an admin turns it on: the vitals script on a page
sends its reports, and the collector stores them only for sites set here
(or with `vigie sites add DOMAIN --web-vitals`); other sites' reports are
counted as dropped (`vitals_off`). Saving goes through
warehouse.sites.add_site like the CLI. What is measured: docs/web-vitals.md.
"""
from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field, site_field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice, vitals_settings_table
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError, add_site, get_site, list_sites

ON, OFF = "on", "off"


def section(sites):
    domains = [s.domain for s in sites]
    return html.Section(className="card", id="vitals-settings", children=[
        html.H2("Web vitals"),
        html.Div(vitals_settings_table(sites), id="vitals-settings-panel"),
        html.Div(className="form-row", children=[
            site_field("vitals-site", domains),
            field("Store the vitals script's reports",
                  dcc.RadioItems(id="vitals-enabled", options=[{"label": " on", "value": ON},
                                                               {"label": " off", "value": OFF}],
                                 value=OFF, inline=True)),
            html.Button("Save web vitals setting", id="vitals-settings-save", className="button",
                        n_clicks=0),
        ]),
        html.Div(id="vitals-settings-message", role="status"),
    ])


def fill_form(domain):
    """The chosen site's current setting in the form."""
    if signed_in_admin() is None or not domain:
        return no_update
    try:
        site = get_site(current_store(), domain)
    except StoreError:
        return no_update
    return no_update if site is None else (ON if site.web_vitals else OFF)


def save_vitals_setting(_clicks, domain, enabled):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update
    if enabled not in (ON, OFF):
        return notice("Choose on or off.", "error"), no_update
    store = current_store()
    try:
        if not domain or get_site(store, domain) is None:
            return notice(f"No site {domain!r} is registered.", "error"), no_update
        site = add_site(store, domain, web_vitals=enabled == ON)
        return (notice(f"Web vitals of {site.domain} are {enabled}."),
                vitals_settings_table(list_sites(store)))
    except SiteError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("vitals-enabled", "value"), Input("vitals-site", "value"))(fill_form)
    callback(Output("vitals-settings-message", "children"), Output("vitals-settings-panel", "children"),
             Input("vitals-settings-save", "n_clicks"), State("vitals-site", "value"),
             State("vitals-enabled", "value"), prevent_initial_call=True)(save_vitals_setting)
