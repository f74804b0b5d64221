"""Alerts inbox (retention team): work through alerts and see how rules turn out.

?site=…&state=open|acknowledged|snoozed|resolved&severity=…&rule=…&owner=…&q=…
&sort=…&page=N is the page's whole state, so a filtered page of the inbox can
be shared. The store filters, sorts and pages the inbox (alerts.state.inbox_page):
the browser only ever gets one page of PAGE_SIZE rows. Rows are selected in
one table and one action bar acts on the selection (acknowledge, snooze,
assign, resolve) through alerts.state, which records the signed-in email as
the actor in each alert's audit trail. Every callback checks again on the
server that the account may see the site, and an alert of another site is
refused like an unknown one. Admins also manage the site's alert rules here.
"""
import datetime
from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from vigie.alerts.destinations import list_channels
from vigie.alerts.clock import utcnow
from vigie.alerts.delivery import latest_deliveries
from vigie.alerts.rules import KINDS, SEVERITIES, RuleError, add_rule, get_rule, list_rules, remove_rule
from vigie.alerts.state import (INBOX_SORTS, OUTCOMES, STATES, UNASSIGNED, AlertError, acknowledge,
                                assign, get_alert, inbox_page, inbox_rules, precision_by_rule,
                                resolve, snooze)
from vigie.dashboard.alerts_view import (deliveries_table, inbox_columns, inbox_rows, precision_table,
                                         rules_table)
from vigie.dashboard.paging import page_count, page_number, page_summary, page_table, pager
from vigie.dashboard.retention_access import (STORE_DOWN, query_value, retention_site, retention_user,
                                              visible_domains)
from vigie.dashboard.selection import SelectionError
from vigie.warehouse import StoreError
from vigie.warehouse.users import list_users

dash.register_page(__name__, path="/alerts", title="Alerts · Vigie", name="Alerts", area="churn",
                   order=21)

_HIDDEN = {"display": "none"}
PAGE_SIZE = 50
DELIVERIES_SHOWN = 100   # the delivery log's newest lines; the total is counted
_ACTIONS = ("alert-ack", "alert-snooze", "alert-assign", "alert-resolve")
# The states each action applies to (alerts.state refuses the others anyway).
_SHOWN_IN = {"alert-ack": ("open", "snoozed"), "alert-snooze": ("open", "acknowledged", "snoozed"),
             "alert-assign": ("open", "acknowledged", "snoozed"),
             "alert-resolve": ("open", "acknowledged", "snoozed")}
_LABELS = {"alert-ack": "Acknowledge", "alert-snooze": "Snooze", "alert-assign": "Assign",
           "alert-resolve": "Resolve"}
_SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first", "severity": "Most severe first",
                "probability": "Highest churn probability first", "client": "By client id"}
_FILTERS = ("severity", "rule", "owner", "q", "sort")
MAX_SNOOZE_DAYS = 365


def _store():
    return current_app.extensions["vigie"].store


def _message(text, kind="error", component_id=None):
    props = {"id": component_id} if component_id else {}
    return html.P(text, className=f"message message-{kind}", **props)


def _state(query, default_site=""):
    state = query_value(query, "state")
    return query_value(query, "site") or default_site, state if state in STATES else "open"


def _filters(query):
    """{severity, rule, owner, q, sort} from the query string; unknown values are dropped."""
    values = {name: query_value(query, name)[:200] for name in _FILTERS}
    if values["severity"] not in SEVERITIES:
        values["severity"] = ""
    if values["sort"] not in INBOX_SORTS:
        values["sort"] = "newest"
    return values


def alerts_search(site, state, filters, page=1):
    """The '?…' of an inbox URL; empty values and defaults are left out."""
    query = {"site": site, "state": state, **filters, "page": page if page > 1 else ""}
    if query.get("sort") == "newest":
        query["sort"] = ""
    return "?" + urlencode({k: v for k, v in query.items() if v})


def _field(label, component):
    return html.Label(className="field", children=[html.Span(label), component])


def _assignees(store, domain):
    """Accounts that may work on the site's alerts: admins and its retention team."""
    return [u.email for u in list_users(store) if u.can("churn") and u.can_see_site(domain)]


def _action_bar(assignees, state):
    """One bar of actions for the rows selected in the table (none for resolved alerts)."""
    buttons = [html.Button(_LABELS[action], id=action, n_clicks=0,
                           className="button" if action == "alert-ack" else "button-quiet",
                           style=None if state in _SHOWN_IN[action] else _HIDDEN)
               for action in _ACTIONS]
    return html.Div(id="alerts-action-bar", style=None if state != "resolved" else _HIDDEN, children=[
        html.P("Select alerts in the table, then act on them all at once:", className="hint"),
        html.Div(className="form-row", children=[
            _field("Snooze for (days)", dcc.Input(id="alert-snooze-days", type="number", value=7,
                                                  min=1, max=MAX_SNOOZE_DAYS, step=1)),
            _field("Assign to", dcc.Dropdown(id="alert-owner", options=assignees,
                                             placeholder="Choose an account", className="wide-select")),
            _field("Outcome", dcc.Dropdown(id="alert-outcome", options=list(OUTCOMES), value="retained",
                                           clearable=False)),
            _field("Resolution note", dcc.Input(id="alert-note", type="text")),
        ]),
        html.Div(className="form-row", children=buttons),
    ])


def _filter_bar(filters, rules, assignees):
    owners = [{"label": "Unassigned", "value": UNASSIGNED}] + assignees
    return html.Div(className="controls", id="alerts-filters", children=[
        dcc.Dropdown(id="alerts-severity", options=list(SEVERITIES), value=filters["severity"] or None,
                     placeholder="Any severity", className="site-select"),
        dcc.Dropdown(id="alerts-rule", value=filters["rule"] or None, placeholder="Any rule",
                     options=[{"label": name, "value": rule_id} for rule_id, name in rules],
                     className="wide-select"),
        dcc.Dropdown(id="alerts-owner-filter", options=owners, value=filters["owner"] or None,
                     placeholder="Any owner", className="wide-select"),
        dcc.Input(id="alerts-client", type="search", value=filters["q"], debounce=True,
                  placeholder="Client id starts with…"),
        dcc.Dropdown(id="alerts-sort", value=filters["sort"], clearable=False, className="wide-select",
                     options=[{"label": _SORT_LABELS[k], "value": k} for k in INBOX_SORTS]),
    ])


def _inbox_table(state):
    """Drawn once; show_alerts fills it with a page of rows. Sorting and paging are the store's."""
    return page_table("alerts-table", inbox_columns(state), [], row_selectable="multi",
                      selected_rows=[])


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
    filters = _filters(query)
    try:
        visible = site in domains
        assignees = _assignees(store, site) if visible else []
        rules = inbox_rules(store, site) if visible else []
        rules_card = _rules_card(store, user, site, assignees) if visible else None
    except StoreError:
        return _message(STORE_DOWN, component_id="alerts-refused")
    return html.Div(className="alerts", children=[
        dcc.Location(id="alerts-url", refresh="callback-nav"),
        dcc.Store(id="alerts-query", data={"site": site, "state": state, **filters,
                                           "page": query_value(query, "page")}),
        dcc.Store(id="alerts-changed"),
        html.Div(className="controls", children=[
            dcc.Dropdown(id="alerts-site", options=domains, value=site if visible else None,
                         clearable=False, className="site-select", placeholder="Choose a site"),
            dcc.RadioItems(id="alerts-state", inline=True, value=state,
                           options=[{"label": s.capitalize(), "value": s} for s in STATES]),
        ]),
        _filter_bar(filters, rules, assignees),
        html.Div(id="alerts-message", role="status"),
        html.Div(id="alerts-report", children=[
            html.Section(className="card", children=[
                html.H2("Inbox"), _action_bar(assignees, state),
                html.Div(id="alert-action-message", role="status"), html.Div(id="alerts-inbox"),
                _inbox_table(state), html.Div(id="alerts-pages")]),
            *([rules_card] if rules_card else []),
            html.Section(className="card", children=[
                html.H2("Precision by rule"), html.Div(id="alerts-precision")]),
            html.Section(className="card", children=[
                html.H2("Delivery log"), html.Div(id="alerts-deliveries")]),
        ]),
    ])


@callback(Output("alerts-url", "search"),
          Input("alerts-site", "value"), Input("alerts-state", "value"),
          Input("alerts-severity", "value"), Input("alerts-rule", "value"),
          Input("alerts-owner-filter", "value"), Input("alerts-client", "value"),
          Input("alerts-sort", "value"),
          State("alerts-url", "search"), prevent_initial_call=True)
def controls_changed(site, state, severity, rule, owner, prefix, sort, current):
    # Any change of site, state, filter or sort goes back to the first page.
    filters = {"severity": severity or "", "rule": rule or "", "owner": owner or "",
               "q": (prefix or "").strip(), "sort": sort or "newest"}
    search = alerts_search(site or "", state or "open", filters)
    return search if search != current else no_update


def _inbox(store, site, state, query):
    """(what the inbox says, the table's rows, the page links) for one page of the inbox."""
    filters, number = _filters(query), page_number(query)
    page = inbox_page(store, site, state, severity=filters["severity"], rule_id=filters["rule"],
                      owner=filters["owner"], client_prefix=filters["q"], sort=filters["sort"],
                      offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not page.alerts:
        filtered = any(filters[k] for k in ("severity", "rule", "owner", "q"))
        empty = (f"No {state} alert on page {number:,}." if page.total else
                 f"No {state} alert matches these filters." if filtered else f"No {state} alert.")
        return html.P(empty, className="empty", id="alerts-table-empty"), [], None
    pages = page_count(page.total, PAGE_SIZE)
    summary = html.P(page_summary(page.offset + 1, page.offset + len(page.alerts), page.total,
                                  f"{state} alerts"), id="alerts-count", className="empty")
    links = pager(number, pages, lambda n: "/alerts" + alerts_search(site, state, filters, n),
                  "alerts")
    return summary, inbox_rows(page.alerts, site, state), links


@callback(Output("alerts-message", "children"), Output("alerts-inbox", "children"),
          Output("alerts-table", "data"), Output("alerts-table", "selected_rows"),
          Output("alerts-table", "style_table"), Output("alerts-pages", "children"),
          Output("alerts-precision", "children"), Output("alerts-deliveries", "children"),
          Output("alerts-report", "style"),
          Input("alerts-query", "data"), Input("alerts-changed", "data"))
def show_alerts(query, _changed=None):
    store = _store()
    try:
        _, site = retention_site(store, query_value(query, "site"))
        _, state = _state(query)
        said, rows, links = _inbox(store, site.domain, state, query)
        return (None, said, rows, [], {} if rows else _HIDDEN, links,
                precision_table(precision_by_rule(store, site.domain)),
                deliveries_table(*latest_deliveries(store, site.domain, DELIVERIES_SHOWN)), {})
    except (SelectionError, AlertError) as exc:
        return (_message(str(exc), component_id="alerts-error"), None, [], [], _HIDDEN, None, None,
                None, _HIDDEN)
    except StoreError:
        return (_message(STORE_DOWN, component_id="alerts-error"), None, [], [], _HIDDEN, None, None,
                None, _HIDDEN)


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


def _selected(store, site, selected_ids):
    """The selected alerts, each checked to be one of this site's; AlertError names any other."""
    ids = [str(i) for i in selected_ids or [] if i]
    if not ids:
        raise AlertError("Select one or more alerts in the table first.")
    if len(ids) > PAGE_SIZE:
        raise AlertError(f"Act on at most {PAGE_SIZE} alerts at once (one page).")
    for alert_id in ids:
        alert = get_alert(store, alert_id)
        if alert is None or alert.site != site:
            raise AlertError(f"no alert {alert_id!r} on {site}")
    return ids


@callback(Output("alert-action-message", "children"), Output("alerts-changed", "data"),
          *(Input(action, "n_clicks") for action in _ACTIONS),
          State("alerts-table", "selected_row_ids"),
          State("alert-snooze-days", "value"), State("alert-owner", "value"),
          State("alert-outcome", "value"), State("alert-note", "value"), State("alerts-query", "data"),
          prevent_initial_call=True)
def act(_ack, _snooze, _assign, _resolve, selected_ids, days, owner, outcome, note, query):
    action = ctx.triggered_id
    if action not in _ACTIONS or not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update, no_update
    store = _store()
    done, changed = [], []
    try:
        user, site = retention_site(store, query_value(query, "site"))
        for alert_id in _selected(store, site.domain, selected_ids):
            alert, what = _apply(store, site.domain, action, alert_id, user.email, days, owner,
                                 outcome, note)
            done.append(what)
            changed.append(f"{alert.alert_id}:{alert.updated_at.isoformat()}")
        said = (f"Alert {alert.alert_id} {done[0]}." if len(done) == 1
                else f"{len(done)} alerts {done[-1]}.")
        # A new value in the Store makes show_alerts redraw the page.
        return _message(said, "ok", "alert-action-done"), ",".join(changed)
    except (SelectionError, AlertError) as exc:
        said = str(exc) if not done else f"{len(done)} alert(s) {done[-1]}; then: {exc}"
        return _message(said, component_id="alert-action-error"), ",".join(changed) or no_update
    except StoreError:
        return _message(STORE_DOWN, component_id="alert-action-error"), ",".join(changed) or no_update


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
