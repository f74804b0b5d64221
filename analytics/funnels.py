"""Funnels: ordered steps (page patterns or event names) and how far visitors get.

A funnel is stored per site (table `funnels`, ReplacingMergeTree read with
FINAL) and computed from raw events by analytics.funnel_depths.
Definitions: docs/metrics.md, "Funnels".
"""
import datetime
import secrets
import time
from dataclasses import dataclass, replace

from vigie.analytics.funnel_depths import depth_counts
from vigie.analytics.goals import GoalError, check_step
from vigie.warehouse.sites import get_site

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


def _checked_funnel(store, domain, name, steps, window_days, funnel_id=None):
    """(site, name, steps) checked as add and edit both require; `funnel_id` is the funnel
    being edited, whose own name does not count as taken."""
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
    if any(f.name.lower() == name.lower() and f.funnel_id != funnel_id
           for f in list_funnels(store, site.domain)):
        raise FunnelError(f"site {site.domain} already has a funnel named {name!r}")
    return site, name, steps


def add_funnel(store, domain, name, steps, window_days=0):
    """Register a funnel: 2 to 8 steps of (kind, pattern), a unique name, a window of 0-90 days."""
    site, name, steps = _checked_funnel(store, domain, name, steps, window_days)
    funnel = Funnel(site.domain, secrets.token_hex(4), name, steps, window_days,
                    datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))
    _write(store, funnel, deleted=0)
    return funnel


def edit_funnel(store, domain, funnel_id, name, steps, window_days=0):
    """Replace a funnel's name, steps and window, with the checks of add_funnel.

    Funnel reports are computed from raw events each time, so new steps apply
    to every period at once; the id (and links using it) stay the same."""
    site = get_site(store, domain)
    if site is None:
        raise FunnelError(f"no site {domain!r} is registered")
    funnel = get_funnel(store, site.domain, (funnel_id or "").strip())
    if funnel is None:
        raise FunnelError(f"site {site.domain} has no funnel {funnel_id!r} (see: vigie funnels list {site.domain})")
    _, name, steps = _checked_funnel(store, domain, name, steps, window_days, funnel.funnel_id)
    edited = replace(funnel, name=name, steps=steps, window_days=window_days)
    _write(store, edited, deleted=0)
    return edited


def _write(store, funnel, deleted):
    store.insert("funnels", _COLUMNS, [(
        funnel.site, funnel.funnel_id, funnel.name, [k for k, _ in funnel.steps],
        [p for _, p in funnel.steps], funnel.window_days, funnel.created_at,
        time.time_ns() // 1000, deleted)])


def list_funnels(store, domain):
    """In the order they were added. An edit writes a newer version but keeps
    created_at, so only funnels added within the same second can trade places."""
    rows = store.query(
        "SELECT site, funnel_id, name, step_kinds, step_patterns, window_days, created_at "
        "FROM funnels FINAL WHERE site = %(site)s AND deleted = 0 ORDER BY created_at, version",
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


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def funnel_report(store, site, funnel, period, timeout_minutes=30, filters=None):
    """Visitors reaching each step, drop-off and conversion (to previous step and to step 1),
    from the events of the visits the report filters keep."""
    lo, hi = period.utc_bounds(site.timezone)
    count = len(funnel.steps)
    reached = depth_counts(store, site, funnel, lo, hi, timeout_minutes * 60, filters)
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
