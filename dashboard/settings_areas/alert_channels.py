"""Settings area: where each site's alerts go (add, remove, send a test notification)."""
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from vigie.alerts.delivery import deliveries, notify_test
from vigie.alerts.destinations import MODES, ChannelError, add_channel, list_channels, remove_channel
from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field, site_field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import channels_table, notice, notification_outcome
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError


def _channel_buttons(name):
    return html.Span(className="row-actions", children=[
        html.Button("Send test notification", id={"type": "channel-test", "name": name},
                    className="button-quiet", n_clicks=0),
        html.Button("Remove", id={"type": "channel-remove", "name": name},
                    className="button-quiet", n_clicks=0)])


def _channel_form(sites):
    domains = [s.domain for s in sites]
    return html.Div(children=[
        site_field("channel-site", domains),
        html.Div(id="channels-panel"),
        html.Div(className="form-row", children=[
            field("Name", dcc.Input(id="channel-name", type="text", placeholder="retention-email")),
            # The URL holds credentials: typed once, never sent back to the page.
            field("Apprise URL", dcc.Input(id="channel-url", type="password", autoComplete="off",
                                            placeholder="mailtos://user:pass@smtp.example.com")),
            field("Sends", dcc.Dropdown(id="channel-mode", value="each", clearable=False, options=[
                {"label": "one message per alert", "value": "each"},
                {"label": "a daily digest", "value": "digest"}])),
            html.Button("Add channel", id="channel-add", className="button", n_clicks=0),
        ]),
        html.Div(id="channel-message", role="status"),
        dcc.Loading(html.Div(id="channel-test-message", role="status")),
    ])


def section(sites):
    return html.Section(className="card", children=[
        html.H2("Alert notification channels"), _channel_form(sites)])


def change_channels(site, _add, _removes, name, url, mode):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error"), no_update, ""
    store, trigger, message = current_store(), ctx.triggered_id, None
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
        return notice(STORE_DOWN, "error"), no_update, ""


def test_channel(_clicks, site):
    """Send a test message through one channel and say whether it got through, and why not."""
    admin = signed_in_admin()
    if admin is None:
        return notice(NOT_ADMIN, "error")
    if not isinstance(ctx.triggered_id, dict) or not ctx.triggered[0]["value"]:
        return no_update
    name, store = ctx.triggered_id["name"], current_store()
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
        return notice(STORE_DOWN, "error")


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("channel-message", "children"), Output("channels-panel", "children"),
             Output("channel-url", "value"),
             Input("channel-site", "value"), Input("channel-add", "n_clicks"),
             Input({"type": "channel-remove", "name": ALL}, "n_clicks"),
             State("channel-name", "value"), State("channel-url", "value"),
             State("channel-mode", "value"))(change_channels)
    callback(Output("channel-test-message", "children"),
             Input({"type": "channel-test", "name": ALL}, "n_clicks"), State("channel-site", "value"),
             prevent_initial_call=True)(test_channel)
