"""Alerts inbox (retention team): work through alerts and see how rules turn out.

?site=…&state=open|acknowledged|snoozed|resolved is the page's whole state.
Actions go through alerts.state, which records the signed-in email as the
actor in the alert's audit trail; an alert id of another site is refused
like an unknown one.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from alerts.delivery import deliveries
from alerts.state import (OUTCOMES, STATES, AlertError, acknowledge, assign, get_alert,
                          list_alerts, precision_by_rule, resolve, snooze)
from dashboard.alerts_view import deliveries_table, inbox_table, precision_table
from dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                        visible_domains)
from dashboard.selection import SelectionError, parse_date
from warehouse import StoreError

dash.register_page(__name__, path="/alerts", title="Alerts · Vigie", name="Alerts", area="churn",
                   order=21)

_HIDDEN = {"display": "none"}
_INBOX_LIMIT = 500


def _store():
    return current_app.extensions["vigie"].store


def _message(text, kind="error", component_id=None):
    props = {"id": component_id} if component_id else {}
    return html.P(text, className=f"message message-{kind}", **props)


def _state(query, default_site=""):
    state = query_value(query, "state")
    return query_value(query, "site") or default_site, state if state in STATES else "open"


def _field(label, component):
    return html.Label(className="field", children=[html.Span(label), component])


def _actions():
    return html.Div(className="form-row", children=[
        _field("Alert id", dcc.Input(id="alert-id", type="text", placeholder="a1b2c3d4e5f6")),
        html.Button("Acknowledge", id="alert-ack", className="button", n_clicks=0),
        _field("Snooze until", dcc.DatePickerSingle(id="alert-until", display_format="YYYY-MM-DD")),
        html.Button("Snooze", id="alert-snooze", className="button-quiet", n_clicks=0),
        _field("Owner", dcc.Input(id="alert-owner", type="text", placeholder="zoe@shop.example")),
        html.Button("Assign", id="alert-assign", className="button-quiet", n_clicks=0),
        _field("Outcome", dcc.Dropdown(id="alert-outcome", options=list(OUTCOMES), value="retained",
                                       clearable=False)),
        _field("Note", dcc.Input(id="alert-note", type="text")),
        html.Button("Resolve", id="alert-resolve", className="button-quiet", n_clicks=0),
    ])


def layout(**query):
    store = _store()
    try:
        user = retention_user(store)
        domains = visible_domains(store, user)
    except SelectionError as exc:
        return _message(str(exc), component_id="alerts-refused")
    except StoreError:
        return _message(STORE_DOWN, component_id="alerts-refused")
    if not domains:
        return html.Div(className="empty-state", id="no-visible-sites", children=[
            html.H2("No site shared with you yet"),
            html.P("Ask an admin to give your account access to a site.")])
    site, state = _state(query, domains[0])
    return html.Div(className="alerts", children=[
        dcc.Location(id="alerts-url", refresh="callback-nav"),
        dcc.Store(id="alerts-query", data={"site": site, "state": state}),
        dcc.Store(id="alerts-changed"),
        html.Div(className="controls", children=[
            dcc.Dropdown(id="alerts-site", options=domains, value=site if site in domains else None,
                         clearable=False, className="site-select", placeholder="Choose a site"),
            dcc.RadioItems(id="alerts-state", inline=True, value=state,
                           options=[{"label": s.capitalize(), "value": s} for s in STATES]),
        ]),
        html.Div(id="alerts-message", role="status"),
        html.Div(id="alerts-report", children=[
            html.Section(className="card", children=[
                html.H2("Inbox"), html.Div(id="alerts-inbox"), _actions(),
                html.Div(id="alert-action-message", role="status")]),
            html.Section(className="card", children=[
                html.H2("Precision by rule"), html.Div(id="alerts-precision")]),
            html.Section(className="card", children=[
                html.H2("Delivery log"), html.Div(id="alerts-deliveries")]),
        ]),
    ])


@callback(Output("alerts-url", "search"),
          Input("alerts-site", "value"), Input("alerts-state", "value"),
          State("alerts-url", "search"), prevent_initial_call=True)
def controls_changed(site, state, current):
    search = "?" + urlencode({"site": site or "", "state": state or "open"})
    return search if search != current else no_update


def _inbox(store, site, state):
    return inbox_table(list_alerts(store, site=site, state=state, limit=_INBOX_LIMIT), site, state)


@callback(Output("alerts-message", "children"), Output("alerts-inbox", "children"),
          Output("alerts-precision", "children"), Output("alerts-deliveries", "children"),
          Output("alerts-report", "style"),
          Input("alerts-query", "data"), Input("alerts-changed", "data"))
def show_alerts(query, _changed=None):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, state = _state(query)
        return (None, _inbox(store, site.domain, state),
                precision_table(precision_by_rule(store, site.domain)),
                deliveries_table(deliveries(store, site.domain)), {})
    except SelectionError as exc:
        return _message(str(exc), component_id="alerts-error"), None, None, None, _HIDDEN
    except StoreError:
        return _message(STORE_DOWN, component_id="alerts-error"), None, None, None, _HIDDEN


def _until(text):
    day = parse_date((text or "")[:10])
    if day is None:
        raise AlertError("choose the day the alert should come back")
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)


def _apply(store, action, alert_id, actor, until, owner, outcome, note):
    if action == "alert-ack":
        return acknowledge(store, alert_id, actor), "acknowledged"
    if action == "alert-snooze":
        changed = snooze(store, alert_id, _until(until), actor)
        return changed, f"snoozed until {changed.snoozed_until:%Y-%m-%d}"
    if action == "alert-assign":
        changed = assign(store, alert_id, owner, actor)
        return changed, f"assigned to {changed.owner}"
    return resolve(store, alert_id, outcome, actor, note or ""), f"resolved ({outcome})"


@callback(Output("alert-action-message", "children"), Output("alerts-changed", "data"),
          Input("alert-ack", "n_clicks"), Input("alert-snooze", "n_clicks"),
          Input("alert-assign", "n_clicks"), Input("alert-resolve", "n_clicks"),
          State("alert-id", "value"), State("alert-until", "date"), State("alert-owner", "value"),
          State("alert-outcome", "value"), State("alert-note", "value"), State("alerts-query", "data"),
          prevent_initial_call=True)
def act(_ack, _snooze, _assign, _resolve, alert_id, until, owner, outcome, note, query):
    store = _store()
    try:
        user, site = retention_site(store, query_value(query, "site"))
        alert_id = (alert_id or "").strip()
        alert = get_alert(store, alert_id) if alert_id else None
        if alert is None or alert.site != site.domain:
            raise AlertError(f"no alert {alert_id!r} on {site.domain}" if alert_id
                             else "type the id of the alert to change")
        changed, done = _apply(store, ctx.triggered_id, alert_id, user.email, until, owner,
                               outcome, note)
        # A new value in the Store makes show_alerts redraw the page.
        return (_message(f"Alert {changed.alert_id} {done}.", "ok", "alert-action-done"),
                f"{changed.alert_id}:{changed.updated_at.isoformat()}")
    except (SelectionError, AlertError) as exc:
        return _message(str(exc), component_id="alert-action-error"), no_update
    except StoreError:
        return _message(STORE_DOWN, component_id="alert-action-error"), no_update
