"""Funnels: ordered steps (page patterns or event names) and how far visitors get.

A funnel is stored per site (table `funnels`, ReplacingMergeTree read with
FINAL). It is computed from raw events: SQL marks each event with the steps
it matches (a bit mask), Python walks each visitor's events in time order.
ClickHouse's windowFunnel is not used: its window runs from the first step,
whereas a visit ends after 30 minutes of inactivity, however long it lasts.
Definitions: docs/metrics.md, "Funnels".
"""
import datetime
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass

from analytics.goals import GoalError, check_step, step_condition
from analytics.visit_split import timeout_of, visit_numbers
from warehouse.sites import get_site

MIN_STEPS, MAX_STEPS = 2, 8
MAX_WINDOW_DAYS = 90
_COLUMNS = ["site", "funnel_id", "name", "step_kinds", "step_patterns", "window_days",
            "created_at", "version", "deleted"]


class FunnelError(GoalError):
    """A funnel cannot be added or removed as asked; the message says why."""


@dataclass(frozen=True)
class Funnel:
    site: str
    funnel_id: str
    name: str
    steps: tuple           # ((kind, pattern), ...) in order
    window_days: int       # 0: within one visit
    created_at: datetime.datetime

    @property
    def window(self):
        return "visit" if self.window_days == 0 else f"{self.window_days} days"


def _checked(kind, pattern):
    try:
        return check_step(kind, pattern)
    except GoalError as exc:
        raise FunnelError(str(exc)) from None


def parse_step(text):
    """'page:/pricing' or 'event:signup' -> (kind, pattern)."""
    prefix, sep, pattern = (text or "").partition(":")
    kinds = {"page": "pageview", "pageview": "pageview", "event": "event"}
    if not sep or prefix.strip().lower() not in kinds:
        raise FunnelError(f"step {text!r} must look like page:/pricing or event:signup")
    kind = kinds[prefix.strip().lower()]
    return kind, _checked(kind, pattern)


def add_funnel(store, domain, name, steps, window_days=0):
    """Register a funnel: 2 to 8 steps of (kind, pattern), a unique name, a window of 0-90 days."""
    site = get_site(store, domain)
    if site is None:
        raise FunnelError(f"no site {domain!r} is registered")
    name = (name or "").strip()[:200]
    if not name:
        raise FunnelError("a funnel needs a name")
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise FunnelError(f"a funnel has {MIN_STEPS} to {MAX_STEPS} steps, not {len(steps)}")
    steps = tuple((kind, _checked(kind, pattern)) for kind, pattern in steps)
    if not isinstance(window_days, int) or not 0 <= window_days <= MAX_WINDOW_DAYS:
        raise FunnelError(f"the window is 0 (one visit) to {MAX_WINDOW_DAYS} days, not {window_days!r}")
    if any(f.name.lower() == name.lower() for f in list_funnels(store, site.domain)):
        raise FunnelError(f"site {site.domain} already has a funnel named {name!r}")
    funnel = Funnel(site.domain, secrets.token_hex(4), name, steps, window_days,
                    datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))
    _write(store, funnel, deleted=0)
    return funnel


def _write(store, funnel, deleted):
    store.insert("funnels", _COLUMNS, [(
        funnel.site, funnel.funnel_id, funnel.name, [k for k, _ in funnel.steps],
        [p for _, p in funnel.steps], funnel.window_days, funnel.created_at,
        time.time_ns() // 1000, deleted)])


def list_funnels(store, domain):
    """In the order they were added: a live row's version is its creation time."""
    rows = store.query(
        "SELECT site, funnel_id, name, step_kinds, step_patterns, window_days, created_at "
        "FROM funnels FINAL WHERE site = %(site)s AND deleted = 0 ORDER BY version",
        {"site": domain})
    return [Funnel(s, f, n, tuple(zip(kinds, patterns)), int(w), c)
            for s, f, n, kinds, patterns, w, c in rows]


def get_funnel(store, domain, funnel_id):
    return next((f for f in list_funnels(store, domain) if f.funnel_id == funnel_id), None)


def remove_funnel(store, domain, funnel_id):
    site = get_site(store, domain)
    if site is None:
        raise FunnelError(f"no site {domain!r} is registered")
    funnel = get_funnel(store, site.domain, (funnel_id or "").strip())
    if funnel is None:
        raise FunnelError(f"site {site.domain} has no funnel {funnel_id!r} (see: vigie funnels list {site.domain})")
    _write(store, funnel, deleted=1)
    return funnel


def _step_events(store, site, funnel, lo, hi):
    """{person: [(epoch seconds, mask), ...]} in time order; bit i of mask = matches step i+1.

    Only visitors who reached step 1 in the period are read. Within a visit,
    a person is a visitor id, and all its events count (any event keeps a
    visit alive). Within N days only step events count, and since visitor
    ids rotate daily, a person is the customer id that any event of the
    visitor id carries (so the steps before a login the same day count too),
    else the visitor id alone.
    """
    params = {"site": site.domain, "lo": lo, "hi": hi}
    terms = []
    for i, (kind, pattern) in enumerate(funnel.steps):
        condition, params[f"step{i}"] = step_condition(kind, pattern, f"step{i}")
        terms.append(f"toUInt32({condition}) * {1 << i}")
    window = "site = %(site)s AND name != 'engagement' AND ts >= %(lo)s AND ts < %(hi)s"
    if funnel.window_days == 0:
        first_step = step_condition(*funnel.steps[0], "step0")[0]
        only = f"AND visitor_id IN (SELECT visitor_id FROM events WHERE {window} AND {first_step})"
        people = {}
    else:
        only = "AND mask > 0"
        people = dict(store.query(
            f"SELECT visitor_id, any(customer_id) FROM events WHERE {window} "
            "AND customer_id != '' GROUP BY visitor_id", params))
    rows = store.query(
        f"SELECT visitor_id, toUInt32(ts) AS t, {' + '.join(terms)} AS mask FROM events "
        f"WHERE {window} {only} ORDER BY visitor_id, t", params)
    events = defaultdict(list)
    for visitor_id, ts, bits in rows:
        events[people.get(visitor_id, visitor_id)].append((ts, int(bits)))
    for visitor_events in events.values():
        # Events of the same second come in funnel order (lowest step first),
        # so the order ClickHouse returned them in never changes a result.
        visitor_events.sort(key=lambda e: (e[0], _lowest_bit(e[1])))
    return events


def _lowest_bit(mask):
    return (mask & -mask).bit_length() if mask else 99


def steps_reached(events, step_count):
    """How many steps, in order, a run of (ts, mask) events completes (greedy: each event one step)."""
    reached = 0
    for _, mask in events:
        if mask >> reached & 1:
            reached += 1
            if reached == step_count:
                break
    return reached


def visitor_depth(events, step_count, window_days, timeout):
    """The furthest step one visitor reaches: within a visit, or within N days of a step-1 event."""
    if window_days == 0:
        visits = defaultdict(list)
        for number, event in zip(visit_numbers([ts for ts, _ in events], timeout), events):
            visits[number].append(event)
        return max((steps_reached(v, step_count) for v in visits.values()), default=0)
    window = window_days * 86400
    best = 0
    for i, (start, mask) in enumerate(events):
        if mask & 1:
            run = [e for e in events[i:] if e[0] - start <= window]
            best = max(best, steps_reached(run, step_count))
            if best == step_count:
                break
    return best


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def funnel_report(store, site, funnel, period, timeout_minutes=30):
    """Visitors reaching each step, drop-off and conversion (to previous step and to step 1)."""
    lo, hi = period.utc_bounds(site.timezone)
    timeout = timeout_of(timeout_minutes)
    count = len(funnel.steps)
    reached = [0] * (count + 1)
    for events in _step_events(store, site, funnel, lo, hi).values():
        reached[visitor_depth(events, count, funnel.window_days, timeout)] += 1
    # Visitors at step i = visitors whose furthest step is i or beyond.
    at_step = [sum(reached[i:]) for i in range(1, count + 1)]
    steps = []
    for i, ((kind, pattern), visitors) in enumerate(zip(funnel.steps, at_step)):
        previous = at_step[i - 1] if i else visitors
        steps.append({
            "step": i + 1, "kind": kind, "pattern": pattern,
            "label": f"Visit {pattern}" if kind == "pageview" else pattern,
            "visitors": visitors,
            "dropoff": previous - visitors,
            "conversion_from_previous": _rate(visitors, previous),
            "conversion_from_first": _rate(visitors, at_step[0]),
        })
    return {"funnel_id": funnel.funnel_id, "name": funnel.name, "window": funnel.window,
            "steps": steps, "conversion_rate": _rate(at_step[-1], at_step[0])}
