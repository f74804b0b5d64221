"""Settings (admins): sites, accounts, API keys, shared links, alert channels, job status.

Every callback re-checks on the server that the signed-in account is an
admin; the page hiding itself from others is a courtesy, not the guard.
Changes go through the same warehouse functions as the CLI, so both refuse
the same bad input with the same words.
"""
import zoneinfo

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app, request

from vigie.alerts.destinations import MODES, ChannelError, add_channel, list_channels, remove_channel
from vigie.alerts.engine import RUN_CLAIMS_JOB
from vigie.alerts.delivery import deliveries, notify_test
from vigie.analytics.jobs import job_status
from vigie.dashboard.auth import signed_in_user
from vigie.dashboard.settings_view import (alert_runs_table, api_keys_table, channels_table,
                                     job_status_table, new_key_notice, new_share_notice, notice,
                                     notification_outcome, share_links_table, sites_table,
                                     users_table)
from vigie.warehouse import StoreError
from vigie.warehouse.api_keys import ApiKeyError, create_api_key, list_api_keys, revoke_api_key
from vigie.warehouse.run_claims import last_runs
from vigie.warehouse.share_links import (ShareLinkError, create_share_link, list_share_links,
                                   revoke_share_link)
from vigie.warehouse.sites import SiteError, add_site, get_site, list_sites, normalise_domain
from vigie.warehouse.users import ROLES, UserError, add_user, get_user, list_users, set_access

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


def _share_revoke_button(link_id):
    return html.Button("Revoke", id={"type": "revoke-share", "link": link_id},
                       className="button-quiet", n_clicks=0)


def _channel_buttons(name):
    return html.Span(className="row-actions", children=[
        html.Button("Send test notification", id={"type": "channel-test", "name": name},
                    className="button-quiet", n_clicks=0),
        html.Button("Remove", id={"type": "channel-remove", "name": name},
                    className="button-quiet", n_clicks=0)])


def _edit_site_button(domain):
    return html.Button("Edit", id={"type": "site-edit", "domain": domain}, className="button-quiet",
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


def _share_form(sites):
    return html.Div(className="form-row", children=[
        _field("Site", dcc.Dropdown(id="share-site", options=[s.domain for s in sites],
                                    className="wide-select")),
        html.Button("Create shared link", id="share-create", className="button", n_clicks=0),
    ])


def _channel_form(sites):
    domains = [s.domain for s in sites]
    return html.Div(children=[
        _field("Site", dcc.Dropdown(id="channel-site", options=domains,
                                    value=domains[0] if domains else None, clearable=False,
                                    className="wide-select")),
        html.Div(id="channels-panel"),
        html.Div(className="form-row", children=[
            _field("Name", dcc.Input(id="channel-name", type="text", placeholder="retention-email")),
            # The URL holds credentials: typed once, never sent back to the page.
            _field("Apprise URL", dcc.Input(id="channel-url", type="password", autoComplete="off",
                                            placeholder="mailtos://user:pass@smtp.example.com")),
            _field("Sends", dcc.Dropdown(id="channel-mode", value="each", clearable=False, options=[
                {"label": "one message per alert", "value": "each"},
                {"label": "a daily digest", "value": "digest"}])),
            html.Button("Add channel", id="channel-add", className="button", n_clicks=0),
        ]),
        html.Div(id="channel-message", role="status"),
        dcc.Loading(html.Div(id="channel-test-message", role="status")),
    ])


def layout(**_query):
    store = _store()
    try:
        admin = _admin()
        if admin is None:
            return html.Div(notice(_NOT_ADMIN, "error"), id="settings-refused")
        sites, users, keys = list_sites(store), list_users(store), list_api_keys(store)
        links, jobs, alert_runs = list_share_links(store), job_status(store), last_runs(store, RUN_CLAIMS_JOB)
    except StoreError:
        return notice(_STORE_DOWN, "error")
    return html.Div(className="settings", children=[
        html.H1("Settings"),
        html.Section(className="card", children=[
            html.H2("Sites"),
            html.Div(sites_table(sites, request.host_url, _edit_site_button), id="sites-panel"),
            _site_form(sites), html.Div(id="site-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("Accounts"),
            html.Div(users_table(users), id="users-panel"),
            _user_form(sites), html.Div(id="user-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("API keys"),
            html.Div(api_keys_table(keys, _revoke_button), id="keys-panel"),
            _key_form(sites), html.Div(id="key-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("Shared links"),
            html.P("A shared link shows one site's web analytics to anyone who has it, read-only: "
                   "no churn, customers, alerts or settings. Revoking it locks its visitors out at "
                   "their next click.", className="hint"),
            html.Div(share_links_table(links, _share_revoke_button), id="share-panel"),
            _share_form(sites), html.Div(id="share-message", role="status")]),
        html.Section(className="card", children=[
            html.H2("Alert notification channels"), _channel_form(sites)]),
        html.Section(className="card", children=[
            html.H2("Job status"),
            html.H3("Analytics jobs"), job_status_table(jobs),
            html.H3("Alerts runs"), alert_runs_table(alert_runs)]),
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
                sites_table(list_sites(store), request.host_url, _edit_site_button))
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


@callback(Output("site-domain", "value"), Output("site-timezone", "value"),
          Output("site-hostnames", "value"), Output("site-flags", "value"),
          Input({"type": "site-edit", "domain": ALL}, "n_clicks"), prevent_initial_call=True)
def edit_site(_clicks):
    """Fill the site form with a site's current settings; Save site then updates it."""
    if _admin() is None or not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0]["value"]:
        return no_update, no_update, no_update, no_update
    try:
        site = get_site(_store(), ctx.triggered_id["domain"])
    except StoreError:
        return no_update, no_update, no_update, no_update
    if site is None:
        return no_update, no_update, no_update, no_update
    flags = (["identify"] if site.identify_customers else []) + \
        (["respect"] if site.respect_privacy_signals else [])
    return site.domain, site.timezone, ", ".join(site.extra_hostnames), flags


@callback(Output("share-message", "children"), Output("share-panel", "children"),
          Input("share-create", "n_clicks"), Input({"type": "revoke-share", "link": ALL}, "n_clicks"),
          State("share-site", "value"), prevent_initial_call=True)
def change_share_links(_create, _revokes, site):
    admin = _admin()
    if admin is None:
        return notice(_NOT_ADMIN, "error"), no_update
    store, trigger = _store(), ctx.triggered_id
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
        return notice(_STORE_DOWN, "error"), no_update


@callback(Output("channel-message", "children"), Output("channels-panel", "children"),
          Output("channel-url", "value"),
          Input("channel-site", "value"), Input("channel-add", "n_clicks"),
          Input({"type": "channel-remove", "name": ALL}, "n_clicks"),
          State("channel-name", "value"), State("channel-url", "value"),
          State("channel-mode", "value"))
def change_channels(site, _add, _removes, name, url, mode):
    if _admin() is None:
        return notice(_NOT_ADMIN, "error"), no_update, ""
    store, trigger, message = _store(), ctx.triggered_id, None
    if not site:
        return None, notice("Add a site first: channels belong to a site."), ""
    try:
        if isinstance(trigger, dict):
            if not ctx.triggered[0]["value"]:
                return no_update, no_update, no_update  # a button was just drawn, not clicked
            remove_channel(store, site, trigger["name"])
            message = notice(f"Channel {trigger['name']} removed from {site}.")
        elif trigger == "channel-add":
            if mode not in MODES:
                return notice("Choose what the channel sends.", "error"), no_update, no_update
            channel = add_channel(store, site, name, url, mode)
            message = notice(f"Channel {channel.name} saved for {site}: {channel.target}.")
        return message, channels_table(list_channels(store, site), _channel_buttons), ""
    except (ChannelError, SiteError) as exc:
        # The typed URL stays in the browser (no_update) to be corrected, never echoed.
        return notice(str(exc), "error"), no_update, no_update
    except StoreError:
        return notice(_STORE_DOWN, "error"), no_update, ""


@callback(Output("channel-test-message", "children"),
          Input({"type": "channel-test", "name": ALL}, "n_clicks"), State("channel-site", "value"),
          prevent_initial_call=True)
def test_channel(_clicks, site):
    """Send a test message through one channel and say whether it got through, and why not."""
    admin = _admin()
    if admin is None:
        return notice(_NOT_ADMIN, "error")
    if not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0]["value"]:
        return no_update
    name, store = ctx.triggered_id["name"], _store()
    try:
        results = notify_test(store, current_app.extensions["vigie"].settings, site,
                              channel_name=name, sender=f"the Vigie dashboard ({admin.email})")
        if not results:
            return notice(f"Site {site} has no channel {name!r}.", "error")
        [(_, ok)] = results
        failed = [r for r in deliveries(store, site, "test")
                  if r["channel"] == name and r["status"] == "failed"]
        return notification_outcome(name, ok, failed[-1]["error"] if failed and not ok else "")
    except (ChannelError, SiteError) as exc:
        return notice(str(exc), "error")
    except StoreError:
        return notice(_STORE_DOWN, "error")
