"""How far each person gets through a funnel: counts of people by furthest step.

The rule (docs/metrics.md, "Funnels") is a greedy walk over a person's
events in time order: step k+1 is the first event after step k's event that
matches it; events of the same second are taken in funnel order.

- Within a visit, the walk runs in ClickHouse: events of visitors who
  reached step 1 are grouped by visitor, numbered into visits with arrays
  (a gap over the timeout starts the next visit, no window functions), then
  regrouped by visit, where step k's position is an arrayFirstIndex after
  step k-1's. Only the counts by depth leave the database.
- Within N days, every step-1 event is a possible start, which arrays cannot
  express compactly; Python walks the step events of each person instead
  (one row per matching event).

Report filters keep or drop whole visits (analytics.visit_scope): only the
events of kept visits are walked, in both modes.

ClickHouse's windowFunnel is not used: its window runs a fixed time from the
first step, not until 30 minutes of inactivity, and how it orders events of
the same second differs between server versions.
"""
from collections import defaultdict

from vigie.analytics.goals import step_condition
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds
from vigie.analytics.visit_scope import period_events

# Over the report's events source ({source}): `events`, or the events of kept visits.
_SCOPE = ("site = %(site)s AND name != 'engagement' AND ts >= %(lo)s AND ts < %(hi)s AND "
          + day_bounds("ts", "period"))


def _matching(funnel, params):
    """SQL for the step mask (bit i: matches step i+1) and the first step matched (sort key)."""
    conditions = []
    for i, (kind, pattern) in enumerate(funnel.steps):
        condition, params[f"step{i}"] = step_condition(kind, pattern, f"step{i}")
        conditions.append(condition)
    mask = " + ".join(f"toUInt32({c}) * {1 << i}" for i, c in enumerate(conditions))
    first = "multiIf(" + ", ".join(f"{c}, {i}" for i, c in enumerate(conditions)) + ", 99)"
    return mask, first, conditions[0]


def depth_counts(store, site, funnel, lo, hi, timeout, filters=None):
    """[people reaching no step, exactly step 1, ..., all steps] for events in [lo, hi)
    of the visits the report filters keep."""
    source, params = period_events(filters, lo, hi)
    params.update(site=site.domain, lo=lo, hi=hi, timeout=timeout)
    bind_day_bounds(params, "period", lo, hi)
    counts = [0] * (len(funnel.steps) + 1)
    if funnel.window_days == 0:
        rows = store.query(_in_visit_sql(funnel, params, source), params)
        for depth, people in rows:
            counts[int(depth)] += int(people)
        return counts
    for events in _step_events(store, funnel, params, source).values():
        counts[_best_run(events, len(funnel.steps), funnel.window_days * 86400)] += 1
    return counts


def _in_visit_sql(funnel, params, source):
    mask, first, step1 = _matching(funnel, params)
    positions = ["arrayFirstIndex(x -> bitAnd(x, 1) != 0, m) AS p1"]
    for k in range(2, len(funnel.steps) + 1):
        positions.append(f"arrayFirstIndex((x, i) -> p{k - 1} > 0 AND i > p{k - 1} "
                         f"AND bitAnd(x, {1 << (k - 1)}) != 0, m, arrayEnumerate(m)) AS p{k}")
    depth = " + ".join(f"(p{k} > 0)" for k in range(1, len(funnel.steps) + 1))
    return (
        "SELECT depth, count() FROM ("
        " SELECT visitor_id, max(depth) AS depth FROM ("
        "  SELECT visitor_id, visit, arrayMap(e -> e.3, arraySort(groupArray(ev))) AS m, "
        f"  {', '.join(positions)}, {depth} AS depth"
        "  FROM ("
        "   SELECT visitor_id, ev, visit FROM ("
        "    SELECT visitor_id, arraySort(groupArray((t, first, mask))) AS evs,"
        "     arrayCumSum(arrayMap(i -> toUInt32(i = 1 OR evs[i].1 - evs[i - 1].1 > %(timeout)s),"
        "      arrayEnumerate(evs))) AS visits"
        f"    FROM (SELECT visitor_id, toUInt32(ts) AS t, {first} AS first, {mask} AS mask"
        f"     FROM {source} WHERE {_SCOPE}"
        f"     AND visitor_id IN (SELECT visitor_id FROM {source} WHERE {_SCOPE} AND {step1}))"
        "    GROUP BY visitor_id"
        "   ) ARRAY JOIN evs AS ev, visits AS visit"
        "   WHERE ev.3 > 0"
        "  ) GROUP BY visitor_id, visit"
        " ) GROUP BY visitor_id"
        ") GROUP BY depth")


def _step_events(store, funnel, params, source):
    """{person: [(epoch seconds, mask), ...]} in funnel order within each second.

    Visitor ids rotate daily, so a person is the customer id that any event
    of the visitor id carries (steps before a login the same day count too),
    else the visitor id alone. Who a person is does not depend on the filters,
    so the customer ids come from all events; the steps from `source`.
    """
    mask, first, _ = _matching(funnel, params)
    people = dict(store.query(
        f"SELECT visitor_id, any(customer_id) FROM events WHERE {_SCOPE} "
        "AND customer_id != '' GROUP BY visitor_id", params))
    events = defaultdict(list)
    for visitor_id, t, first_step, bits in store.query(
            f"SELECT visitor_id, toUInt32(ts) AS t, {first} AS first, {mask} AS mask FROM {source} "
            f"WHERE {_SCOPE} AND mask > 0", params):
        events[people.get(visitor_id, visitor_id)].append((t, first_step, int(bits)))
    for person_events in events.values():
        person_events.sort()
    return events


def steps_reached(events, step_count):
    """How many steps, in order, a run of (t, first, mask) events completes (each event one step)."""
    reached = 0
    for _, _, mask in events:
        if mask >> reached & 1:
            reached += 1
            if reached == step_count:
                break
    return reached


def _best_run(events, step_count, window_seconds):
    """The furthest step from any step-1 event, counting steps at most `window_seconds` after it."""
    best = 0
    for i, (start, _, mask) in enumerate(events):
        if mask & 1:
            run = [e for e in events[i:] if e[0] - start <= window_seconds]
            best = max(best, steps_reached(run, step_count))
            if best == step_count:
                break
    return best
