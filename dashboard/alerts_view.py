"""What the alerts page draws: the inbox, the delivery log and precision by rule.

Built from alerts.state / alerts.delivery results only; Dash escapes every cell.
"""
from dash import html

from vigie.alerts.clock import is_never
from vigie.dashboard.customers_view import client_link_markdown


def _when(moment):
    return "—" if is_never(moment) else f"{moment:%Y-%m-%d %H:%M}"


def _latest(alert):
    probability = f"{alert.probability:.0%}" if alert.has_score else "not scored"
    return f"{alert.detail} · churn {probability}"


def _table(table_id, headers, rows, empty):
    if not rows:
        return html.P(empty, className="empty", id=f"{table_id}-empty")
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in headers])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
                      className="ranked", id=table_id)


def inbox_columns(state):
    """The inbox table's (key, title); the last one says when a snoozed alert wakes, else its outcome."""
    return [("alert_id", "Alert"), ("client", "Client"), ("rule", "Rule"), ("severity", "Severity"),
            ("owner", "Owner"), ("opened", "Opened (UTC)"), ("latest", "Latest values"),
            ("last", "Snoozed until" if state == "snoozed" else "Outcome")]


def inbox_rows(alerts, site, state):
    """One dict per alert for the inbox table; `id` is the alert id the selection hands back."""
    return [{"id": a.alert_id, "alert_id": a.alert_id,
             "client": client_link_markdown(site, a.customer_id),
             "rule": a.rule_name, "severity": a.severity, "owner": a.owner or "—",
             "opened": _when(a.opened_at), "latest": _latest(a),
             "last": _when(a.snoozed_until) if state == "snoozed" else (a.outcome or "—")}
            for a in alerts]


def rules_table(rules, remove_button):
    """alerts.rules.list_rules results; remove_button(rule_id) -> the control removing it."""
    rows = [[r.name, r.describe(), r.severity, r.owner or "—", ", ".join(r.channels) or "every channel",
             f"{r.created_at:%Y-%m-%d}", remove_button(r.rule_id)] for r in rules]
    return _table("rules-table", ["Rule", "Condition", "Severity", "Default owner", "Sends to",
                                  "Created", ""], rows,
                  "No rule yet: this site raises no alert. Add one below.")


def deliveries_table(rows, total):
    """The newest deliveries first (`rows`), and how many there are in all: the log of a
    busy site runs to thousands of lines, which a page must not draw at once."""
    table = _table("deliveries-table", ["When (UTC)", "Alert", "Channel", "Target", "Attempt", "Status",
                                        "Error"],
                   [[f"{r['ts']:%Y-%m-%d %H:%M}", r["alert_id"] or "digest", r["channel"], r["target"],
                     str(r["attempt"]), r["status"], r["error"] or "—"] for r in rows],
                   "Nothing has been sent for this site yet.")
    if len(rows) >= total:
        return table
    return html.Div([html.P(f"The latest {len(rows):,} of {total:,} deliveries, newest first; an alert's own "
                            "are all listed by `vigie alerts show ALERT_ID`.",
                            className="empty", id="deliveries-count"), table])


def precision_table(rules):
    return _table("precision-table", ["Rule", "Resolved", "Churned", "Retained", "Other", "Precision"],
                  [[r.rule_name, str(r.resolved), str(r.churned), str(r.retained), str(r.other),
                    "—" if r.precision is None else f"{r.precision:.0%}"] for r in rules],
                  "No alert has been resolved yet, so no rule can be measured.")
