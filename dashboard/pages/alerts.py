"""Alerts inbox (retention team): work through alerts and see how rules turn out.

?site=…&state=open|acknowledged|snoozed|resolved is the page's whole state.
Each inbox row has its own buttons (acknowledge, snooze, assign, resolve);
they go through alerts.state, which records the signed-in email as the actor
in the alert's audit trail. Every callback checks again on the server that
the account may see the site, and an alert of another site is refused like an
unknown one. Admins also manage the site's alert rules here.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from vigie.alerts.destinations import list_channels
from vigie.alerts.clock import utcnow
from vigie.alerts.delivery import deliveries
from vigie.alerts.rules import KINDS, SEVERITIES, RuleError, add_rule, get_rule, list_rules, remove_rule
from vigie.alerts.state import (OUTCOMES, STATES, AlertError, acknowledge, assign, get_alert,
                                list_alerts, precision_by_rule, resolve, snooze)
from vigie.dashboard.alerts_view import deliveries_table, inbox_table, precision_table, rules_table
from vigie.dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                              visible_domains)
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError
from vigie.warehouse.users import list_users

dash.register_page(__name__, path="/alerts", title="Alerts · Vigie", name="Alerts", area="churn",
                   order=21)

_HIDDEN = {"display": "none"}
_INBOX_LIMIT = 500
_ACTIONS = ("alert-ack", "alert-snooze", "alert-assign", "alert-resolve")
# The states each row button applies to (alerts.state refuses the others anyway).
_SHOWN_IN = {"alert-ack": ("open", "snoozed"), "alert-snooze": ("open", "acknowledged", "snoozed"),
             "alert-assign": ("open", "acknowledged", "snoozed"),
             "alert-resolve": ("open", "acknowledged", "snoozed")}
_LABELS = {"alert-ack": "Acknowledge", "alert-snooze": "Snooze", "alert-assign": "Assign",
           "alert-resolve": "Resolve"}
MAX_SNOOZE_DAYS = 365


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


def _row_actions(alert):
    return html.Span(className="row-actions", children=[
        html.Button(_LABELS[action], id={"type": action, "id": alert.alert_id}, n_clicks=0,
                    className="button" if action == "alert-ack" else "button-quiet")
        for action in _ACTIONS if alert.state in _SHOWN_IN[action]])


def _assignees(store, domain):
    """Accounts that may work on the site's alerts: admins and its retention team."""
    return [u.email for u in list_users(store) if u.can("churn") and u.can_see_site(domain)]


def _actions(assignees):
    return html.Div(children=[
        html.P("The row buttons use these values:", className="hint"),
        html.Div(className="form-row", children=[
            _field("Snooze for (days)", dcc.Input(id="alert-snooze-days", type="number", value=7,
                                                  min=1, max=MAX_SNOOZE_DAYS, step=1)),
            _field("Assign to", dcc.Dropdown(id="alert-owner", options=assignees,
                                             placeholder="Choose an account", className="wide-select")),
            _field("Outcome", dcc.Dropdown(id="alert-outcome", options=list(OUTCOMES), value="retained",
                                           clearable=False)),
            _field("Resolution note", dcc.Input(id="alert-note", type="text")),
        ]),
    ])


def _remove_rule_button(rule_id):
    return html.Button("Remove", id={"type": "rule-remove", "id": rule_id}, n_clicks=0,
                       className="button-quiet")


def _rule_form(assignees, channel_names):
    return html.Div(className="form-row", children=[
        _field("Condition", dcc.Dropdown(id="rule-kind", value="risk_above", clearable=False,
                                         className="wide-select", options=[
                                             {"label": description, "value": kind}
                                             for kind, (description, _) in KINDS.items()])),
        _field("Threshold", dcc.Input(id="rule-threshold", type="number", placeholder="0.7")),
        _field("Months", dcc.Input(id="rule-months", type="number", step=1, placeholder="3")),
        _field("Baseline months", dcc.Input(id="rule-baseline", type="number", step=1,
                                            placeholder="12")),
        _field("Severity", dcc.Dropdown(id="rule-severity", options=list(SEVERITIES), value="medium",
                                        clearable=False)),
        _field("Default owner", dcc.Dropdown(id="rule-owner", options=assignees)),
        _field("Channels (none: all)", dcc.Dropdown(id="rule-channels", options=channel_names,
                                                    multi=True, className="wide-select")),
        _field("Name", dcc.Input(id="rule-name", type="text", placeholder="VIP at risk")),
        html.Button("Add rule", id="rule-add", className="button", n_clicks=0),
    ])


def _rules_card(store, user, domain, assignees):
    """The rule settings, for admins only (the callback checks again)."""
    if not user.can("settings"):
        return None
    return html.Section(className="card", id="rules-card", children=[
        html.H2("Alert rules"),
        html.Div(rules_table(list_rules(store, domain), _remove_rule_button), id="rules-panel"),
        _rule_form(assignees, [c.name for c in list_channels(store, domain)]),
        html.Div(id="rule-message", role="status")])


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
    try:
        assignees = _assignees(store, site) if site in domains else []
        rules_card = _rules_card(store, user, site, assignees) if site in domains else None
    except StoreError:
        return _message(STORE_DOWN, component_id="alerts-refused")
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
                html.H2("Inbox"), _actions(assignees),
                html.Div(id="alert-action-message", role="status"), html.Div(id="alerts-inbox")]),
            *([rules_card] if rules_card else []),
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
    return inbox_table(list_alerts(store, site=site, state=state, limit=_INBOX_LIMIT), site, state,
                       _row_actions)


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


def _snooze_until(days):
    """Now plus a whole number of days, from the toolbar's field."""
    if days is None or days == "":
        raise AlertError("snooze: give the number of days the alert should stay hidden")
    try:
        number = float(days)
    except (TypeError, ValueError):
        raise AlertError(f"snooze: {days!r} is not a number of days") from None
    if number != int(number) or not 1 <= number <= MAX_SNOOZE_DAYS:
        raise AlertError(f"snooze: give a whole number of days from 1 to {MAX_SNOOZE_DAYS}, "
                         f"not {days!r}")
    return utcnow() + datetime.timedelta(days=int(number))


def _apply(store, site, action, alert_id, actor, days, owner, outcome, note):
    if action == "alert-ack":
        return acknowledge(store, alert_id, actor), "acknowledged"
    if action == "alert-snooze":
        changed = snooze(store, alert_id, _snooze_until(days), actor)
        return changed, f"snoozed until {changed.snoozed_until:%Y-%m-%d %H:%M} UTC"
    if action == "alert-assign":
        if not owner:
            raise AlertError("choose the account to assign the alert to")
        if owner not in _assignees(store, site):
            raise AlertError(f"{owner!r} is not an account of {site}'s retention team")
        changed = assign(store, alert_id, owner, actor)
        return changed, f"assigned to {changed.owner}"
    return resolve(store, alert_id, outcome, actor, note or ""), f"resolved ({outcome})"


@callback(Output("alert-action-message", "children"), Output("alerts-changed", "data"),
          *(Input({"type": action, "id": ALL}, "n_clicks") for action in _ACTIONS),
          State("alert-snooze-days", "value"), State("alert-owner", "value"),
          State("alert-outcome", "value"), State("alert-note", "value"), State("alerts-query", "data"),
          prevent_initial_call=True)
def act(_ack, _snooze, _assign, _resolve, days, owner, outcome, note, query):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update, no_update  # buttons were just drawn, not clicked
    store = _store()
    try:
        user, site = retention_site(store, query_value(query, "site"))
        alert_id = str(trigger.get("id") or "")
        alert = get_alert(store, alert_id) if alert_id else None
        if alert is None or alert.site != site.domain:
            raise AlertError(f"no alert {alert_id!r} on {site.domain}")
        changed, done = _apply(store, site.domain, trigger["type"], alert_id, user.email, days,
                               owner, outcome, note)
        # A new value in the Store makes show_alerts redraw the page.
        return (_message(f"Alert {changed.alert_id} {done}.", "ok", "alert-action-done"),
                f"{changed.alert_id}:{changed.updated_at.isoformat()}")
    except (SelectionError, AlertError) as exc:
        return _message(str(exc), component_id="alert-action-error"), no_update
    except StoreError:
        return _message(STORE_DOWN, component_id="alert-action-error"), no_update


def _number(value, name, whole=False):
    """A number field's value (None when empty), or RuleError naming the field."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RuleError(f"{name}: {value!r} is not a number") from None
    if whole:
        if number != int(number):
            raise RuleError(f"{name}: give a whole number of months, not {value!r}")
        return int(number)
    return number


@callback(Output("rule-message", "children"), Output("rules-panel", "children"),
          Input("rule-add", "n_clicks"), Input({"type": "rule-remove", "id": ALL}, "n_clicks"),
          State("rule-kind", "value"), State("rule-threshold", "value"), State("rule-months", "value"),
          State("rule-baseline", "value"), State("rule-severity", "value"), State("rule-owner", "value"),
          State("rule-channels", "value"), State("rule-name", "value"), State("alerts-query", "data"),
          prevent_initial_call=True)
def change_rules(_add, _removes, kind, threshold, months, baseline, severity, owner, channels, name,
                 query):
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and not ctx.triggered[0]["value"]:
        return no_update, no_update  # remove buttons were just drawn, not clicked
    store = _store()
    try:
        user, site = retention_site(store, query_value(query, "site"))
        if not user.can("settings"):
            raise SelectionError("Alert rules are set by admins. Ask an admin to change them.")
        if isinstance(trigger, dict):
            rule = get_rule(store, str(trigger.get("id") or ""))
            if rule is None or rule.site != site.domain:
                raise RuleError(f"no alert rule {trigger.get('id')!r} on {site.domain}")
            remove_rule(store, rule.rule_id)
            done = f"Rule “{rule.name}” removed; its alerts stay in the inbox."
        else:
            if owner and owner not in _assignees(store, site.domain):
                raise RuleError(f"{owner!r} is not an account of {site.domain}'s retention team")
            known = {c.name for c in list_channels(store, site.domain)}
            unknown = [c for c in channels or [] if c not in known]
            if unknown:
                raise RuleError(f"{site.domain} has no channel {unknown[0]!r}")
            rule = add_rule(store, site.domain, kind, threshold=_number(threshold, "threshold"),
                            months=_number(months, "months", whole=True),
                            baseline_months=_number(baseline, "baseline months", whole=True),
                            severity=severity, owner=owner or "", channels=channels or (),
                            name=name or "")
            done = f"Rule “{rule.name}” added ({rule.describe()})."
        return (_message(done, "ok", "rule-done"),
                rules_table(list_rules(store, site.domain), _remove_rule_button))
    except (SelectionError, RuleError) as exc:
        return _message(str(exc), component_id="rule-error"), no_update
    except StoreError:
        return _message(STORE_DOWN, component_id="rule-error"), no_update
