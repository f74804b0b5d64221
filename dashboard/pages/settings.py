"""Settings (admins): sites, site search, accounts, API keys, shared links, alert channels,
traffic alerts, job status; and, for every signed-in account, its own email reports (the only
area other accounts see).

Each area is a module of dashboard/settings_areas: its card, and its
callbacks, registered here while Dash imports this page so that every app
gets them. Changes go through the same warehouse functions as the CLI, so
both refuse the same bad input with the same words.
"""
import dash
from dash import html

from vigie.dashboard.settings_areas import (accounts, alert_channels, api_keys, email_reports,
                                            job_status, shared_links, site_search, sites,
                                            traffic_alerts)
from vigie.dashboard.settings_areas.common import NOT_ADMIN, STORE_DOWN, current_store, signed_in_admin
from vigie.dashboard.settings_view import notice
from vigie.warehouse import StoreError
from vigie.warehouse.sites import list_sites

dash.register_page(__name__, path="/settings", title="Settings · Vigie", name="Settings",
                   area="settings", order=90)

AREAS = (sites, site_search, accounts, api_keys, shared_links, alert_channels, traffic_alerts,
         email_reports, job_status)


def layout(**_query):
    try:
        if signed_in_admin() is None:
            reporter = email_reports.reporting_user()
            if reporter is None:
                return html.Div(notice(NOT_ADMIN, "error"), id="settings-refused")
            return html.Div(className="settings", children=[
                html.H1("Settings"), email_reports.section(list_sites(current_store()), reporter)])
        registered = list_sites(current_store())
        sections = [area.section(registered) for area in AREAS]
    except StoreError:
        return notice(STORE_DOWN, "error")
    return html.Div(className="settings", children=[html.H1("Settings"), *sections])


for _area in AREAS:
    if hasattr(_area, "register_callbacks"):
        _area.register_callbacks()
