"""Settings area: site search (which query parameters carry a search, how "no results" shows).

Per site: the query parameters of the site's search box (the collector keeps
the first one a page URL carries, nothing else of the query string), and how
a search that found nothing can be told: the path pattern of a no-results
page, or the name of a custom event the results page sends. Saving goes
through warehouse.sites.add_site like the CLI, so both refuse the same input
with the same words; the collector reads the new parameters within its site
cache's lifetime. What the reports count: docs/site-search.md.
"""
from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field, site_field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice, search_settings_table
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError, add_site, get_site, list_sites


def section(sites):
    domains = [s.domain for s in sites]
    return html.Section(className="card", id="search-settings", children=[
        html.H2("Site search"),
        html.Div(search_settings_table(sites), id="search-settings-panel"),
        html.Div(className="form-row", children=[
            site_field("search-site", domains),
            field("Search parameters (comma-separated; empty turns site search off)",
                  dcc.Input(id="search-parameters", type="text", placeholder="q, s, search, query")),
            field("No-results page (path pattern)",
                  dcc.Input(id="search-no-results-page", type="text", placeholder="/search/no-results")),
            field("No-results event (custom event name)",
                  dcc.Input(id="search-no-results-event", type="text", placeholder="Search: no results")),
            html.Button("Save search settings", id="search-settings-save", className="button", n_clicks=0),
        ]),
        html.Div(id="search-settings-message", role="status"),
    ])


def _names(text):
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def fill_form(domain):
    """The chosen site's current search settings in the form."""
    if signed_in_admin() is None or not domain:
        return no_update, no_update, no_update
    try:
        site = get_site(current_store(), domain)
    except StoreError:
        return no_update, no_update, no_update
    if site is None:
        return no_update, no_update, no_update
    return ", ".join(site.search_parameters), site.search_no_results_page, site.search_no_results_event


def save_search_settings(_clicks, domain, parameters, no_results_page, no_results_event):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update
    store = current_store()
    try:
        if not domain or get_site(store, domain) is None:
            return notice(f"No site {domain!r} is registered.", "error"), no_update
        site = add_site(store, domain, search_parameters=_names(parameters),
                        search_no_results_page=no_results_page or "",
                        search_no_results_event=no_results_event or "")
        return (notice(f"Site search settings of {site.domain} saved."),
                search_settings_table(list_sites(store)))
    except SiteError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("search-parameters", "value"), Output("search-no-results-page", "value"),
             Output("search-no-results-event", "value"), Input("search-site", "value"))(fill_form)
    callback(Output("search-settings-message", "children"), Output("search-settings-panel", "children"),
             Input("search-settings-save", "n_clicks"), State("search-site", "value"),
             State("search-parameters", "value"), State("search-no-results-page", "value"),
             State("search-no-results-event", "value"), prevent_initial_call=True)(save_search_settings)
