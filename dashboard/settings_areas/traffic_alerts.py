"""Settings area: traffic alerts (a spike of current visitors, a day far below its usual).

Per site: the current visitors that make a spike, the share of the usual
weekday below which a day is a drop, how many weeks the usual looks back, and
the alert channels to notify (none named: every channel of the site that sends
one message per alert). The alerts run checks them; at most two traffic
notifications a day per site (docs/alerts.md, "Traffic alerts").
"""
from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.alerts.traffic_settings import (BASELINE_WEEKS, MAX_SPIKE_VISITORS, TrafficAlertError,
                                           get_traffic_settings, set_traffic_settings)
from vigie.dashboard.settings_areas.common import (NOT_ADMIN, STORE_DOWN, current_store, field, site_field,
                                                   signed_in_admin)
from vigie.dashboard.settings_view import notice
from vigie.warehouse import StoreError


def section(sites):
    domains = [s.domain for s in sites]
    return html.Section(className="card", id="traffic-alert-settings", children=[
        html.H2("Traffic alerts"),
        html.P("A spike: current visitors (last 5 minutes) at or above the threshold. A drop: "
               "yesterday's visitors below a share of the usual for that weekday (the median of the "
               "same weekday over the weeks before). 0 turns either off; at most two notifications a "
               "day per site.", className="muted"),
        html.Div(className="form-row", children=[
            site_field("traffic-site", domains),
            field("Spike: current visitors", dcc.Input(id="traffic-spike", type="number", min=0,
                                                       max=MAX_SPIKE_VISITORS, step=1)),
            field("Drop: below % of the usual", dcc.Input(id="traffic-drop", type="number", min=0,
                                                          max=99, step=1)),
            field("Usual over (weeks)", dcc.Input(id="traffic-weeks", type="number", min=BASELINE_WEEKS[0],
                                                  max=BASELINE_WEEKS[1], step=1)),
            field("Channels (comma-separated; empty: every per-alert channel)",
                  dcc.Input(id="traffic-channels", type="text", placeholder="team-mail, ops-hook")),
            html.Button("Save traffic alerts", id="traffic-save", className="button", n_clicks=0),
        ]),
        html.Div(id="traffic-message", role="status"),
    ])


def fill_form(domain):
    """The chosen site's traffic alert settings in the form."""
    if signed_in_admin() is None or not domain:
        return no_update, no_update, no_update, no_update
    try:
        found = get_traffic_settings(current_store(), domain)
    except StoreError:
        return no_update, no_update, no_update, no_update
    return found.spike_visitors, found.drop_percent, found.baseline_weeks, ", ".join(found.channels)


def _number(value, name):
    """A whole number from a number field (Dash sends None when empty, a float when typed so)."""
    if value is None or value == "":
        return 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raise TrafficAlertError(f"{name} must be a whole number")


def save(_clicks, domain, spike, drop, weeks, channels):
    if signed_in_admin() is None:
        return notice(NOT_ADMIN, "error")
    if not domain:
        return notice("Add a site first: traffic alerts belong to a site.", "error")
    try:
        saved = set_traffic_settings(
            current_store(), domain, spike_visitors=_number(spike, "the spike threshold"),
            drop_percent=_number(drop, "the drop threshold"),
            baseline_weeks=_number(weeks, "the weeks of the usual") or None,
            channels=(channels or "").split(","))
    except TrafficAlertError as exc:
        return notice(str(exc), "error")
    except StoreError:
        return notice(STORE_DOWN, "error")
    parts = [f"spike at {saved.spike_visitors} current visitors" if saved.spike_visitors else "no spike alert",
             f"drop below {saved.drop_percent} % of the usual over {saved.baseline_weeks} weeks"
             if saved.drop_percent else "no drop alert"]
    return notice(f"Traffic alerts of {saved.site} saved: {'; '.join(parts)}.")


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("traffic-spike", "value"), Output("traffic-drop", "value"),
             Output("traffic-weeks", "value"), Output("traffic-channels", "value"),
             Input("traffic-site", "value"))(fill_form)
    callback(Output("traffic-message", "children"), Input("traffic-save", "n_clicks"),
             State("traffic-site", "value"), State("traffic-spike", "value"), State("traffic-drop", "value"),
             State("traffic-weeks", "value"), State("traffic-channels", "value"),
             prevent_initial_call=True)(save)
