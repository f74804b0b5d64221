"""Alert state: one current row per alert, and every transition kept for good.

ClickHouse cannot update a row, so the two needs are stored apart:
- `alerts` (ReplacingMergeTree(version)) holds each alert's latest state; a
  change writes the whole row again with a higher version and every read
  uses FINAL, so exactly one row per alert_id comes back;
- `alert_transitions` (MergeTree, append-only) records who did what and when
  (opened, acknowledged, snoozed, woken, resolved, assigned). It is the audit
  trail the team measures alerts with and is never rewritten.
Changes to one alert are expected from one writer at a time (the scheduler or
a person at the CLI or dashboard); the last write wins.
"""
import dataclasses
import datetime
import itertools
import secrets
from dataclasses import dataclass

from vigie.alerts.clock import NEVER, aware, is_never, next_version, utcnow

STATES = ("open", "acknowledged", "snoozed", "resolved")
OUTCOMES = ("retained", "churned", "other")
SYSTEM_ACTOR = "vigie"


class AlertError(ValueError):
    """An alert cannot change as asked (unknown id, wrong state, bad value)."""


@dataclass(frozen=True)
class Alert:
    site: str
    alert_id: str
    customer_id: str
    rule_id: str
    rule_kind: str
    rule_name: str
    severity: str
    owner: str
    state: str
    detail: str
    value: float
    probability: float
    reasons: tuple
    last_purchase: datetime.datetime
    opened_at: datetime.datetime
    updated_at: datetime.datetime
    snoozed_until: datetime.datetime
    resolved_at: datetime.datetime
    outcome: str
    note: str

    @property
    def has_score(self):
        return self.probability >= 0


_COLUMNS = [f.name for f in dataclasses.fields(Alert)]
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM alerts FINAL"
_TIMES = ("last_purchase", "opened_at", "updated_at", "snoozed_until", "resolved_at")
_TRANSITION_COLUMNS = ["site", "alert_id", "ts", "actor", "action", "from_state", "to_state",
                       "outcome", "note"]


def _alert(row):
    values = dict(zip(_COLUMNS, row))
    values["reasons"] = tuple(values["reasons"])
    for name in _TIMES:
        values[name] = aware(values[name])
    return Alert(**values)


def _row(alert):
    row = [getattr(alert, c) for c in _COLUMNS]
    row[_COLUMNS.index("reasons")] = list(alert.reasons)
    row[_COLUMNS.index("last_purchase")] = alert.last_purchase or NEVER
    return row + [next_version()]


def _write(store, *alerts):
    """One batched insert: a run rewrites many alerts, and ClickHouse wants few, large inserts."""
    if alerts:
        store.insert("alerts", _COLUMNS + ["version"], [_row(a) for a in alerts])


def _record(store, alert, at, actor, action, from_state, outcome="", note=""):
    store.insert("alert_transitions", _TRANSITION_COLUMNS,
                 [(alert.site, alert.alert_id, at, actor or SYSTEM_ACTOR, action, from_state,
                   alert.state, outcome, note)])


def new_alert(rule, hit, facts, now):
    """An open alert for a client meeting `rule`; the owner is the client's, else the rule's."""
    return Alert(
        site=rule.site, alert_id="a" + secrets.token_hex(6), customer_id=hit.customer_id,
        rule_id=rule.rule_id, rule_kind=rule.kind, rule_name=rule.name, severity=rule.severity,
        owner=facts.owner or rule.owner, state="open", detail=hit.detail, value=float(hit.value),
        probability=facts.probability, reasons=tuple(facts.reasons),
        last_purchase=facts.last_purchase or NEVER, opened_at=now, updated_at=now,
        snoozed_until=NEVER, resolved_at=NEVER, outcome="", note="")


def refreshed(alert, hit, facts, now):
    """The alert with the latest values, or None when nothing changed (no rewrite needed).

    Its state and owner stay as they are: the team may be working on it.
    """
    latest = dict(detail=hit.detail, value=float(hit.value), probability=facts.probability,
                  reasons=tuple(facts.reasons), last_purchase=facts.last_purchase or NEVER)
    if all(getattr(alert, k) == v for k, v in latest.items()):
        return None
    return dataclasses.replace(alert, updated_at=now, **latest)


def save_run(store, opened, updated, now):
    """Write a run's new and refreshed alerts, then the 'opened' transitions: two inserts."""
    _write(store, *opened, *updated)
    if opened:
        store.insert("alert_transitions", _TRANSITION_COLUMNS,
                     [(a.site, a.alert_id, now, SYSTEM_ACTOR, "opened", "", a.state, "", "")
                      for a in opened])


def get_alert(store, alert_id):
    rows = store.query(_SELECT + " WHERE alert_id = %(id)s", {"id": (alert_id or "").strip()})
    return _alert(rows[0]) if rows else None


def list_alerts(store, site=None, state=None, customer_id=None, opened_from=None,
                opened_before=None, limit=500):
    """Alerts, newest first; every filter is optional (opened_from <= opened_at < opened_before)."""
    if state is not None and state not in STATES:
        raise AlertError(f"state {state!r}: use one of {', '.join(STATES)}")
    where, params = [], {"limit": int(limit)}
    for column, value in (("site", site), ("state", state), ("customer_id", customer_id)):
        if value is not None:
            where.append(f"{column} = %({column})s")
            params[column] = value
    if opened_from is not None:
        where.append("opened_at >= %(opened_from)s")
        params["opened_from"] = opened_from
    if opened_before is not None:
        where.append("opened_at < %(opened_before)s")
        params["opened_before"] = opened_before
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return [_alert(row) for row in store.query(
        sql + " ORDER BY opened_at DESC, alert_id LIMIT %(limit)s", params)]


INBOX_SORTS = {
    "newest": "opened_at DESC, alert_id",
    "oldest": "opened_at, alert_id",
    "severity": "multiIf(severity = 'high', 0, severity = 'medium', 1, 2), opened_at DESC, alert_id",
    "probability": "probability DESC, opened_at DESC, alert_id",
    "client": "customer_id, opened_at DESC, alert_id",
}
MAX_INBOX_PAGE = 200
UNASSIGNED = "-"   # the owner filter's value for alerts nobody owns yet


@dataclass(frozen=True)
class AlertPage:
    alerts: list
    total: int      # alerts matching the filters, all pages together
    offset: int
    limit: int


def _inbox_where(site, state, severity, rule_id, owner, client_prefix):
    where = ["site = %(site)s", "state = %(state)s"]
    params = {"site": site, "state": state}
    for column, value in (("severity", severity), ("rule_id", rule_id)):
        if value:
            where.append(f"{column} = %({column})s")
            params[column] = value
    if owner:
        where.append("owner = %(owner)s")
        params["owner"] = "" if owner == UNASSIGNED else owner
    if client_prefix:
        # substring/length compare bytes, so the prefix matches literally (no LIKE wildcards).
        where.append("substring(customer_id, 1, length(%(prefix)s)) = %(prefix)s")
        params["prefix"] = client_prefix
    return " WHERE " + " AND ".join(where), params


def inbox_page(store, site, state="open", severity="", rule_id="", owner="", client_prefix="",
               sort="newest", offset=0, limit=50):
    """One page of a site's inbox, filtered and sorted in the store, with the matching total.

    owner="-" (UNASSIGNED) keeps alerts without an owner; empty filters keep everything.
    """
    if state not in STATES:
        raise AlertError(f"state {state!r}: use one of {', '.join(STATES)}")
    if sort not in INBOX_SORTS:
        raise AlertError(f"sort {sort!r}: use one of {', '.join(INBOX_SORTS)}")
    if not 1 <= limit <= MAX_INBOX_PAGE:
        raise AlertError(f"a page holds 1 to {MAX_INBOX_PAGE} alerts, not {limit}")
    if offset < 0:
        raise AlertError("offset cannot be negative")
    where, params = _inbox_where(site, state, severity, rule_id, owner, client_prefix)
    total = store.query_value("SELECT count() FROM alerts FINAL" + where, params)
    rows = store.query(_SELECT + where + f" ORDER BY {INBOX_SORTS[sort]} "
                       f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return AlertPage([_alert(r) for r in rows], int(total or 0), offset, limit)


def inbox_rules(store, site):
    """[(rule_id, rule_name)] of the rules that raised the site's alerts (removed rules too), by name."""
    return [tuple(r) for r in store.query(
        "SELECT rule_id, any(rule_name) AS name FROM alerts FINAL WHERE site = %(site)s "
        "GROUP BY rule_id ORDER BY name, rule_id", {"site": site})]


def transitions(store, alert_id):
    """[(ts, actor, action, from_state, to_state, outcome, note)] of one alert, oldest first."""
    rows = [(aware(r[0]),) + tuple(r[1:]) for r in store.query(
        "SELECT ts, actor, action, from_state, to_state, outcome, note FROM alert_transitions "
        "WHERE alert_id = %(id)s ORDER BY ts, action = 'opened' DESC", {"id": alert_id})]
    return in_state_order(rows)


def in_state_order(rows):
    """Rows sorted by time, with rows of the same second put in the order their
    states chain: times are whole seconds, so an acknowledgement and a snooze
    within one second would otherwise come back in either order. Each next row
    starts from the state the previous one left; a change that keeps the state
    (an assignment) goes before one that leaves it."""
    ordered = []
    for _, same_second in itertools.groupby(rows, key=lambda row: row[0]):
        waiting = list(same_second)
        while waiting:
            state = ordered[-1][4] if ordered else None
            keeps = [r for r in waiting if r[3] == state and r[4] == state]
            follows = [r for r in waiting if r[3] == state]
            chosen = (keeps or follows or waiting)[0]
            waiting.remove(chosen)
            ordered.append(chosen)
    return ordered


def _change(store, alert_id, actor, action, now, allowed_from, logged=("", ""), **values):
    """Write an alert's new state and record the transition; `logged` = (outcome, note)."""
    alert = get_alert(store, alert_id)
    if alert is None:
        raise AlertError(f"no alert {alert_id!r}")
    if alert.state not in allowed_from:
        raise AlertError(f"alert {alert_id} is {alert.state}; it cannot be {action}")
    now = now or utcnow()
    changed = dataclasses.replace(alert, updated_at=now, **values)
    _write(store, changed)
    _record(store, changed, now, actor, action, alert.state, *logged)
    return changed


def acknowledge(store, alert_id, actor, now=None):
    return _change(store, alert_id, actor, "acknowledged", now, ("open", "snoozed"),
                   state="acknowledged", snoozed_until=NEVER)


def snooze(store, alert_id, until, actor, now=None):
    """Hide an alert until `until`; the next run after that opens it again."""
    now = now or utcnow()
    until = aware(until)
    if until <= now:
        raise AlertError(f"snooze until {until:%Y-%m-%d %H:%M} UTC is not in the future")
    return _change(store, alert_id, actor, "snoozed", now, ("open", "acknowledged", "snoozed"),
                   logged=("", f"until {until:%Y-%m-%d %H:%M:%S} UTC"), state="snoozed",
                   snoozed_until=until)


def resolve(store, alert_id, outcome, actor, note="", now=None):
    """Close an alert with what happened to the client; feeds precision_by_rule."""
    if outcome not in OUTCOMES:
        raise AlertError(f"outcome {outcome!r}: use retained, churned or other")
    now = now or utcnow()
    note = (note or "").strip()[:2000]
    return _change(store, alert_id, actor, "resolved", now, ("open", "acknowledged", "snoozed"),
                   logged=(outcome, note), state="resolved", resolved_at=now,
                   snoozed_until=NEVER, outcome=outcome, note=note)


def assign(store, alert_id, owner, actor, now=None):
    owner = (owner or "").strip()
    if not owner:
        raise AlertError("an owner cannot be empty")
    return _change(store, alert_id, actor, "assigned", now, STATES,
                   logged=("", f"owner: {owner[:200]}"), owner=owner[:200])


def wake_snoozed(store, site, now):
    """Snoozed alerts whose time has come go back to open; returns them."""
    woken = []
    for alert in list_alerts(store, site=site, state="snoozed", limit=100000):
        if not is_never(alert.snoozed_until) and alert.snoozed_until <= now:
            woken.append(_change(store, alert.alert_id, SYSTEM_ACTOR, "woken", now, ("snoozed",),
                                 state="open", snoozed_until=NEVER))
    return woken


@dataclass(frozen=True)
class RulePrecision:
    rule_id: str
    rule_name: str
    resolved: int
    churned: int
    retained: int
    other: int

    @property
    def precision(self):
        """Share of resolved alerts whose client did churn: was the rule right to worry?"""
        return self.churned / self.resolved if self.resolved else None


def precision_by_rule(store, site):
    """Per rule, how its resolved alerts turned out (precision = churned / resolved)."""
    rows = store.query(
        "SELECT rule_id, any(rule_name), count(), countIf(outcome = 'churned'), "
        "countIf(outcome = 'retained'), countIf(outcome = 'other') FROM alerts FINAL "
        "WHERE site = %(site)s AND state = 'resolved' GROUP BY rule_id ORDER BY rule_id",
        {"site": site})
    return [RulePrecision(*row) for row in rows]


def cooling_and_cap(store, site, now, cooldown_days, cap_days):
    """What the run needs to decide whether a hit may open an alert.

    Returns (active, resolved_at, opened_recently): the unresolved alert per
    (customer_id, rule_id), the latest resolution time per (customer_id,
    rule_id), and how many alerts each client got since now - cap_days.
    """
    active, resolved_at, opened_recently = {}, {}, {}
    since = now - datetime.timedelta(days=max(cooldown_days, cap_days))
    for alert in (_alert(row) for row in store.query(
            _SELECT + " WHERE site = %(site)s AND (state != 'resolved' OR resolved_at >= %(since)s "
            "OR opened_at >= %(since)s)", {"site": site, "since": since})):
        key = (alert.customer_id, alert.rule_id)
        if alert.state != "resolved":
            active[key] = alert
        elif key not in resolved_at or alert.resolved_at > resolved_at[key]:
            resolved_at[key] = alert.resolved_at
        if now - datetime.timedelta(days=cap_days) < alert.opened_at <= now:
            opened_recently[alert.customer_id] = opened_recently.get(alert.customer_id, 0) + 1
    return active, resolved_at, opened_recently
