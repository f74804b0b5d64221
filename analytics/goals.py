"""Conversion goals of a site (table `goals`) and what they converted.

A goal is a pageview goal (a path pattern, see warehouse.path_patterns) or a
custom-event goal (an event name); an event goal may be a revenue goal, whose
events carry an amount and a currency. Goals are rows of a
ReplacingMergeTree: a removal writes the same goal with deleted = 1.
Definitions of every number: docs/metrics.md, "Goals and conversions".
"""
import datetime
import re
import secrets
import statistics
import time
from dataclasses import dataclass, replace

from vigie.warehouse.path_patterns import pattern_to_regex
from vigie.analytics.sessionize import recount_goals
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds
from vigie.analytics.visit_scope import ID_LIFETIME, period_events
from vigie.warehouse.sites import get_site

# The report period's UTC days (bound as 'period'): lets ClickHouse 18.16 skip other days.
_PERIOD_DAYS = day_bounds("ts", "period")

KINDS = ("pageview", "event")
MAX_PATTERN = 500
MAX_NAME = 200
_EVENT_NAME_RE = re.compile(r"^[^\x00-\x1f]+$")
_COLUMNS = ["site", "goal_id", "name", "kind", "pattern", "revenue_goal", "created_at",
            "version", "deleted"]


class GoalError(ValueError):
    """A goal cannot be added or removed as asked; the message says why."""


@dataclass(frozen=True)
class Goal:
    site: str
    goal_id: str
    name: str
    kind: str
    pattern: str
    revenue_goal: bool
    created_at: datetime.datetime


def _site_or_error(store, domain):
    site = get_site(store, domain)
    if site is None:
        raise GoalError(f"no site {domain!r} is registered")
    return site


def check_step(kind, pattern):
    """A cleaned goal or funnel-step pattern, or GoalError naming what is wrong."""
    if kind not in KINDS:
        raise GoalError(f"unknown goal kind {kind!r}: use one of {', '.join(KINDS)}")
    pattern = (pattern or "").strip()
    if not pattern:
        raise GoalError("the pattern is empty: give a page path like /signup/** or an event name")
    if len(pattern) > MAX_PATTERN:
        raise GoalError(f"the pattern is longer than {MAX_PATTERN} characters")
    if kind == "pageview" and not pattern.startswith("/"):
        raise GoalError(f"page pattern {pattern!r} must start with / (e.g. /thank-you or /blog/*)")
    if kind == "event" and not _EVENT_NAME_RE.match(pattern):
        raise GoalError(f"event name {pattern!r} contains control characters")
    if kind == "event" and pattern == "engagement":
        # Sent by the tracker when a tab is hidden: not something a visitor does.
        raise GoalError("'engagement' is the tracker's own event; pick a custom event name")
    return pattern


def add_goal(store, domain, kind, pattern, name=None, revenue=False):
    """Register a goal; refuses unknown sites, bad kinds, empty patterns and duplicates."""
    site = _site_or_error(store, domain)
    pattern = check_step(kind, pattern)
    if revenue and kind != "event":
        raise GoalError("only custom-event goals carry revenue (the event's revenue and currency)")
    name = (name or "").strip()[:MAX_NAME] or (f"Visit {pattern}" if kind == "pageview" else pattern)
    for goal in list_goals(store, site.domain):
        if goal.kind == kind and goal.pattern == pattern:
            raise GoalError(f"site {site.domain} already has this goal: {goal.goal_id} ({goal.name})")
    goal = Goal(site.domain, secrets.token_hex(4), name, kind, pattern, bool(revenue), _now())
    _write(store, goal, deleted=0)
    return _recounted(store, goal, deleted=0)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _recounted(store, goal, deleted):
    """Apply an added or removed goal to the visits already stored, then write the goal
    again: its created_at (or the removal's version) now marks when past visits
    agree with the site's goals, and rollups built before that mark are rebuilt
    (analytics.rollups.goals_changed). The Goals report reads events and needs
    none of it; Overview, Sources and the Stats API count the visits' goals."""
    recount_goals(store, goal.site, time.time_ns() // 1000)
    if not deleted:
        goal = replace(goal, created_at=_now())
    _write(store, goal, deleted=deleted)
    return goal


def _write(store, goal, deleted):
    store.insert("goals", _COLUMNS, [(goal.site, goal.goal_id, goal.name, goal.kind, goal.pattern,
                                      int(goal.revenue_goal), goal.created_at,
                                      time.time_ns() // 1000, deleted)])


def list_goals(store, domain):
    """In the order they were added. An edit writes a newer version but keeps
    created_at, so only goals added within the same second can trade places."""
    rows = store.query(
        "SELECT site, goal_id, name, kind, pattern, revenue_goal, created_at FROM goals FINAL "
        "WHERE site = %(site)s AND deleted = 0 ORDER BY created_at, version", {"site": domain})
    return [Goal(s, g, n, k, p, bool(r), c) for s, g, n, k, p, r, c in rows]


def get_goal(store, domain, goal_id):
    return next((g for g in list_goals(store, domain) if g.goal_id == goal_id), None)


def edit_goal(store, domain, goal_id, name=None, revenue=None):
    """Rename a goal or switch its revenue flag; None leaves a field as it is.

    What a goal matches (kind and pattern) cannot change: visits stored by the
    sessions job name the goals they reached by id, so a new pattern under an
    old id would mix two definitions. Remove the goal and add another instead.
    """
    site = _site_or_error(store, domain)
    goal = get_goal(store, site.domain, (goal_id or "").strip())
    if goal is None:
        raise GoalError(f"site {site.domain} has no goal {goal_id!r} (see: vigie goals list {site.domain})")
    changes = {}
    if name is not None:
        changes["name"] = (name or "").strip()[:MAX_NAME] or (
            f"Visit {goal.pattern}" if goal.kind == "pageview" else goal.pattern)
    if revenue is not None:
        if revenue and goal.kind != "event":
            raise GoalError("only custom-event goals carry revenue (the event's revenue and currency)")
        changes["revenue_goal"] = bool(revenue)
    edited = replace(goal, **changes)
    _write(store, edited, deleted=0)
    return edited


def remove_goal(store, domain, goal_id):
    site = _site_or_error(store, domain)
    goal = get_goal(store, site.domain, (goal_id or "").strip())
    if goal is None:
        raise GoalError(f"site {site.domain} has no goal {goal_id!r} (see: vigie goals list {site.domain})")
    _write(store, goal, deleted=1)
    return _recounted(store, goal, deleted=1)


def step_condition(kind, pattern, param):
    """SQL matching the events of a goal or funnel step; binds its value under `param`."""
    if kind == "pageview":
        return f"(name = 'pageview' AND match(pathname, %({param})s))", pattern_to_regex(pattern)
    return f"(name = %({param})s)", pattern


def conversions(store, site, period, timeout_minutes=30, filters=None):
    """One row per goal of `site` for `period`, counting only the events of the visits the
    report filters keep (see docs/metrics.md for each number).

    All goals are counted in one pass over the period's events, their revenue in
    a second and their times to convert in a third: with filters every pass
    joins the events to the kept visits, which costs far more than the
    per-goal conditions.
    """
    goals = list_goals(store, site.domain)
    lo, hi = period.utc_bounds(site.timezone)
    source, scope_params = period_events(filters, lo, hi)
    params = bind_day_bounds(dict(scope_params, site=site.domain, lo=lo, hi=hi), "period", lo, hi)
    conditions = []
    for i, goal in enumerate(goals):
        condition, params[f"goal_{i}"] = step_condition(goal.kind, goal.pattern, f"goal_{i}")
        conditions.append(condition)
    period_where = f"site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {_PERIOD_DAYS}"
    counts = ", ".join(["uniqExactIf(visitor_id, name != 'engagement')"] + [
        f"uniqExactIf(visitor_id, {c}), countIf({c})" for c in conditions])
    [row] = store.query(f"SELECT {counts} FROM {source} WHERE {period_where}", params)
    visitors, row = int(row[0]), [int(n) for n in row[1:]]
    revenue = _revenue_by_currency(store, source, params, period_where, goals, conditions)
    waits = _median_times_to_convert(store, source, params, period_where, conditions, lo,
                                     timeout_minutes * 60)
    return [{
        "goal_id": goal.goal_id, "name": goal.name, "kind": goal.kind, "pattern": goal.pattern,
        "visitors": row[2 * i],
        "conversion_rate": round(100.0 * row[2 * i] / visitors, 1) if visitors else None,
        "completions": row[2 * i + 1],
        "revenue": round(sum(revenue[i].values()), 2) if goal.revenue_goal else None,
        "revenue_by_currency": revenue[i],
        "median_seconds_to_convert": waits[i],
    } for i, goal in enumerate(goals)]


def _revenue_by_currency(store, source, params, period_where, goals, conditions):
    """{goal index: {currency: amount}}, amounts rounded to cents; empty for non-revenue goals."""
    found = {i: {} for i in range(len(goals))}
    paying = [i for i, goal in enumerate(goals) if goal.revenue_goal]
    if not paying:
        return found
    sums = ", ".join(f"countIf({conditions[i]}), sumIf(revenue, {conditions[i]})" for i in paying)
    for currency, *figures in store.query(
            f"SELECT currency, {sums} FROM {source} WHERE {period_where} AND revenue != 0 "
            "GROUP BY currency ORDER BY currency", params):
        for n, i in enumerate(paying):
            if figures[2 * n]:
                found[i][currency] = round(float(figures[2 * n + 1]), 2)
    return found


def _median_times_to_convert(store, source, params, period_where, conditions, lo, timeout):
    """{goal index: median over its converting visitors of (first conversion - start of its
    visit), whole seconds, or None}.

    Per visitor who converted on any goal, in ClickHouse (arrays, no window
    functions): its events in time order, each with one hit flag per goal; a
    visit number that grows at each gap over the timeout; per goal the first
    conversion inside the period and the time since the first event carrying
    that conversion's visit number. One number per goal and visitor leaves
    the database.
    """
    if not conditions:
        return {}
    hits = ", ".join(f"toUInt8(ts >= %(lo)s AND {c})" for c in conditions)
    converted = " OR ".join(conditions)
    rows = store.query(
        "SELECT g, t[c] - t[arrayFirstIndex(n -> n = v[c], v)] FROM ("
        " SELECT g, t, v, arrayFirstIndex(x -> x[g] = 1, h) AS c FROM ("
        "  SELECT arraySort(groupArray((toUInt32(ts), hit))) AS s,"
        "   arrayMap(x -> x.1, s) AS t, arrayMap(x -> x.2, s) AS h,"
        "   arrayCumSum(arrayMap(i -> toUInt32(i = 1 OR t[i] - t[i - 1] > %(timeout)s),"
        "    arrayEnumerate(t))) AS v"
        f"  FROM (SELECT visitor_id, ts, [{hits}] AS hit FROM {source}"
        "   WHERE site = %(site)s AND name != 'engagement' AND ts >= %(back)s AND ts < %(hi)s"
        f"   AND {day_bounds('ts', 'back')}"
        f"   AND visitor_id IN (SELECT visitor_id FROM {source} WHERE {period_where}"
        f"    AND ({converted})))"
        "  GROUP BY visitor_id)"
        f" ARRAY JOIN [{', '.join(str(g) for g in range(1, len(conditions) + 1))}] AS g)"
        " WHERE c > 0",
        bind_day_bounds(dict(params, back=lo - ID_LIFETIME, timeout=timeout), "back",
                        lo - ID_LIFETIME, params["hi"]))
    waits = {i: [] for i in range(len(conditions))}
    for goal, wait in rows:
        waits[int(goal) - 1].append(wait)
    return {i: int(round(statistics.median(w))) if w else None for i, w in waits.items()}
