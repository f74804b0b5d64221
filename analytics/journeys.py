"""Journeys: the most common paths through a site, from an entry page or to a goal.

A path is a visit's pageviews in time order, a page viewed again right after
itself counted once. Steps are its pages:

- from an entry page (or from every entry): step 1 is the visit's first page,
  step 2 the next, up to `steps` (2 to 10). Read from the visits the sessions
  job stored (`sessions.journey`, the first 11 pages), never from raw events;
- to a goal: the visits that completed the goal, step 1 the page where they
  completed it first (the goal page, or the page an event goal was sent
  from), step 2 the page before it, and so on backwards. Where a goal is
  completed within a visit is only in its events, so this mode reads the
  period's events of the visitors who completed it. A visit is cut at local
  midnight too: a path lies within the day of its completion.

Per node (step, page): unique visitors who reached it, and the drop-off, those
whose path stops there (from an entry: the visit ended there; to a goal: the
visit began there). Per link between nodes of neighbouring steps: unique
visitors. Each step keeps its `pages` most visited pages (ties by page); the
rest of that step is one node, OTHER_PAGES. Aggregated in ClickHouse: what
comes back is bounded by steps x pages, whatever the traffic. Report filters
keep whole visits, as for every report. Definitions: docs/journeys.md.

The rollups job writes each local day's steps as unique-visitor states
(rollup_journeys, roll_up_journeys below): a report reads whole rolled-up days
from there and the other days raw, building the same states, and merges them,
which gives the numbers of one raw pass. With a report filter it reads raw.
"""
import datetime
import re

from vigie.analytics.filters import filter_sql
from vigie.analytics.goals import get_goal, list_goals, step_condition
from vigie.analytics.period import Period, comparison_period
from vigie.analytics.query import Plan, metric_change
from vigie.analytics.rollups import VISITORS_MERGE, VISITORS_STATE, rolled_up_days
from vigie.analytics.sessionize import JOURNEY_PAGES
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds
from vigie.analytics.visit_scope import period_events

MAX_STEPS = JOURNEY_PAGES - 1
MIN_STEPS, DEFAULT_STEPS = 2, 5
MAX_PAGES, DEFAULT_PAGES = 30, 10
# No pathname looks like this: they all start with a slash.
OTHER_PAGES = "(other pages)"


def _whole(value, name, low, high):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _entry_paths(site, period, filters, entry_page):
    """(SQL of visitor_id, path rows, params): the journeys of the visits started in the period."""
    lo, hi = period.utc_bounds(site.timezone)
    condition, params = filter_sql(filters)
    params = bind_day_bounds(dict(params, site=site.domain, lo_t=int(lo.timestamp()),
                                  hi_t=int(hi.timestamp())), "period", lo, hi)
    if entry_page is not None:
        condition += " AND journey[1] = %(entry_page)s"
        params["entry_page"] = entry_page
    sql = ("SELECT visitor_id, journey AS path FROM sessions FINAL"
           " WHERE site = %(site)s AND deleted = 0 AND notEmpty(journey)"
           " AND start >= toDateTime(%(lo_t)s) AND start < toDateTime(%(hi_t)s)"
           f" AND {day_bounds('start', 'period')}{condition}")
    return sql, params


def _goal_paths(site, period, filters, goal, timeout_minutes):
    """(SQL of visitor_id, path rows, params): per visit that completed the goal in the period,
    its pages up to the first completion, latest first.

    Per visitor who completed it, the period's events in time order (arrays: no window
    functions in ClickHouse 18.16; a pageview before an event of the same second), a visit
    number that grows at each gap over the timeout and at each local midnight, then one
    row per first completion of a visit with the pageviews of that visit up to it. The
    cut at midnight makes a path belong to the day of its completion, so that days
    rolled up one by one add up to the raw read of the whole period (docs/journeys.md).
    """
    lo, hi = period.utc_bounds(site.timezone)
    source, params = period_events(filters, lo, hi)
    params = bind_day_bounds(dict(params, site=site.domain, lo=lo, hi=hi, tz=site.timezone,
                                  timeout=timeout_minutes * 60, keep=JOURNEY_PAGES), "period", lo, hi)
    hit, params["goal"] = step_condition(goal.kind, goal.pattern, "goal")
    where = f"site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {day_bounds('ts', 'period')}"
    # d[i]: event i's local day; first[i]: the index of the first event of event i's visit;
    # done[i]: completions up to i; firsts: the first completion of each visit (none before
    # it since the visit began).
    per_visitor = (
        "SELECT visitor_id,"
        f" arraySort(groupArray((toUInt32(ts), name != 'pageview', pathname, toUInt8({hit}),"
        "  toDate(ts, %(tz)s)))) AS s,"
        " arrayMap(x -> x.1, s) AS m, arrayMap(x -> x.4, s) AS h, arrayMap(x -> x.5, s) AS d,"
        " arrayCumSum(h) AS done,"
        " arrayCumSum(arrayMap(i -> toUInt32(i = 1 OR m[i] - m[i - 1] > %(timeout)s OR d[i] != d[i - 1]),"
        "  arrayEnumerate(m))) AS v,"
        " arrayFilter(i -> i = 1 OR v[i] != v[i - 1], arrayEnumerate(v)) AS starts,"
        " arrayMap(i -> starts[v[i]], arrayEnumerate(v)) AS first,"
        " arrayFilter(i -> h[i] = 1 AND done[i] - 1 = done[first[i]] - h[first[i]],"
        "  arrayEnumerate(s)) AS firsts"
        f" FROM {source} WHERE {where} AND name != 'engagement'"
        f" AND visitor_id IN (SELECT visitor_id FROM {source} WHERE {where} AND {hit})"
        " GROUP BY visitor_id")
    # The visit's pageviews up to the completion. ClickHouse 18.16 misses the columns of a
    # subquery that a query names only inside lambdas: a slice, not a filter on indices.
    pages_before = ("arrayMap(x -> tupleElement(x, 3), arrayFilter(x -> NOT tupleElement(x, 2),"
                    " arraySlice(s, first[i], i - first[i] + 1)))")
    collapsed = "arrayFilter((p, k) -> k = 1 OR p != b[k - 1], b, arrayEnumerate(b))"
    sql = (
        "SELECT visitor_id, arrayReverse(arraySlice(c, -least(length(c), %(keep)s))) AS path FROM ("
        f" SELECT visitor_id, {pages_before} AS b, {collapsed} AS c"
        f" FROM ({per_visitor}) ARRAY JOIN firsts AS i)"
        " WHERE notEmpty(c)")
    return sql, params


def _steps_sql(paths, steps):
    """One row per (visitor, step) of every path: step, page, the page before ('' at step 1),
    whether the path stops there, and its entry page (its first page)."""
    return (
        "SELECT visitor_id, toUInt8(n) AS step, path[n] AS page, if(n > 1, path[n - 1], '') AS prev,"
        " toUInt8(n = length(path)) AS ended, path[1] AS entry"
        f" FROM ({paths}) ARRAY JOIN arrayEnumerate(arraySlice(path, 1, {int(steps)})) AS n")


# States per node (step, page; link 0): the visitors whose path reached it and those whose
# path stopped there; per link (step, page, page before; link 1): its visitors. They merge
# over days (analytics.rollups); top pages and nodes read the few node rows only.
_STATES = (f"{VISITORS_STATE} AS v,"
           " uniqCombinedStateIf(17)(visitor_id, ended = 1 AND link = 0) AS e")
_NODES, _NODES_AND_LINKS = "[toUInt8(0)]", "if(step = 1, [toUInt8(0)], [toUInt8(0), toUInt8(1)])"


def _state_rows(steps_sql, kinds, entry_join=""):
    """SQL of rows (entry_key if entry_join,) link, step, page, link_prev, v, e: the states
    of the node rows, and of the link rows with kinds=_NODES_AND_LINKS."""
    keys = "entry_key, " if entry_join else ""
    return (f"SELECT {keys}link, step, page, if(link = 1, prev, '') AS link_prev, {_STATES}"
            " FROM (SELECT visitor_id, step, page, prev, ended, entry, link"
            f" FROM ({steps_sql}) ARRAY JOIN {kinds} AS link){entry_join}"
            f" GROUP BY {keys}link, step, page, link_prev")


def _renamed(sql, params, suffix):
    """sql and params with every parameter name suffixed, so that parts built alike
    (one per range of days) can share one statement."""
    return (re.sub(r"%\((\w+)\)s", lambda m: f"%({m.group(1)}_{suffix})s", sql),
            {f"{name}_{suffix}": value for name, value in params.items()})


def _raw_runs(period, rolled):
    """The periods of consecutive days of `period` not in `rolled`."""
    runs, day = [], period.start
    while day <= period.end:
        if day not in rolled:
            if runs and runs[-1].end == day - datetime.timedelta(days=1):
                runs[-1] = Period(runs[-1].start, day, "day")
            else:
                runs.append(Period(day, day, "day"))
        day += datetime.timedelta(days=1)
    return runs


def _states(store, site, period, filters, entry_page, goal, steps, timeout_minutes, kinds):
    """(SQL of rows link, step, page, link_prev, v, e, params): the period's journey states
    (node rows, and link rows with kinds=_NODES_AND_LINKS), from the rollup for its
    rolled-up days (none with a filter) and raw for the others."""
    # The rollup's entry '' is every entry page; a path entering on '' is read raw (none).
    # Paths to a goal only from the days whose paths were cut with this visit timeout.
    rolled = {} if filters or entry_page == "" else rolled_up_days(
        store, site, period.start, period.end, None if goal is None else timeout_minutes)
    parts, params = [], {}
    if rolled:
        params.update(site=site.domain, first=period.start, last=period.end, steps=int(steps),
                      goal=goal.goal_id if goal else "", entry=entry_page or "",
                      links=int(kinds == _NODES_AND_LINKS))
        plan = Plan(store, site, period, None, rolled=rolled)
        params["generations"] = plan.params["generations"]
        parts.append(
            "SELECT link, step, page, prev AS link_prev, visitors AS v, ended AS e FROM rollup_journeys"
            " PREWHERE site = %(site)s AND goal = %(goal)s AND entry = %(entry)s AND link <= %(links)s"
            " AND day >= toDate(%(first)s) AND day <= toDate(%(last)s) AND step <= %(steps)s"
            f" AND {plan.current_rollup()}")
    for number, run in enumerate(_raw_runs(period, rolled)):
        if goal is None:
            paths, run_params = _entry_paths(site, run, filters, entry_page)
        else:
            paths, run_params = _goal_paths(site, run, filters, goal, timeout_minutes)
        sql, run_params = _renamed(_state_rows(_steps_sql(paths, steps), kinds), run_params, f"r{number}")
        parts.append(sql)
        params.update(run_params)
    return f"SELECT link, step, page, link_prev, v, e FROM ({' UNION ALL '.join(parts)})", params


def roll_up_journeys(store, site, day, version, params):
    """Write one local day's journey rollup rows (rollup_journeys) under `version`: from
    every entry page, from each entry page, and to each goal with the visit timeout
    params['timeout_minutes'] (analytics.rollups.rebuild_day)."""
    one_day = Period(day, day, "day")
    row = {"rollup_day": day, "rollup_version": int(version)}
    insert = ("INSERT INTO rollup_journeys (site, day, version, goal, entry, link, step, page, prev,"
              " visitors, ended) SELECT %(site)s, toDate(%(rollup_day)s), %(rollup_version)s, {goal}, {entry},"
              " link, step, page, link_prev, v, e FROM ({states})")
    paths, path_params = _entry_paths(site, one_day, None, None)
    # Every entry page together ('') and each entry page: two rows per state from one read.
    states = _state_rows(_steps_sql(paths, MAX_STEPS), _NODES_AND_LINKS, " ARRAY JOIN ['', entry] AS entry_key")
    store.execute(insert.format(goal="''", entry="entry_key", states=states), dict(path_params, **row))
    for goal in list_goals(store, site.domain):
        paths, path_params = _goal_paths(site, one_day, None, goal, params["timeout_minutes"])
        store.execute(insert.format(goal="%(goal_id)s", entry="''",
                                    states=_state_rows(_steps_sql(paths, MAX_STEPS), _NODES_AND_LINKS)),
                      dict(path_params, goal_id=goal.goal_id, **row))


def _top_pages(store, states_sql, params, pages):
    """{step: [page, ...]}: each step's most visited pages, at most `pages` (from node rows)."""
    found = {}
    for step, page in store.query(
            f"SELECT step, page FROM ({states_sql}) GROUP BY step, page"
            f" ORDER BY step, {VISITORS_MERGE}(v) DESC, page LIMIT %(pages)s BY step",
            dict(params, pages=pages)):
        found.setdefault(int(step), []).append(page)
    return found


def _counted(store, states_sql, params, top):
    """(nodes {(step, page): (visitors, drop_off)}, links {(step, from, to): visitors}) with the
    pages outside `top` of each step as OTHER_PAGES; `links` keyed by the step of `from`."""
    keys = tuple(f"{step} {page}" for step, pages in top.items() for page in pages) or ("",)
    node = "if(concat(toString({step}), ' ', {page}) IN %(top)s, {page}, %(other)s)"
    here, before = node.format(step="step", page="page"), node.format(step="step - 1", page="link_prev")
    rows = store.query(
        f"SELECT link, step, if(link = 1, {before}, {here}) AS a, if(link = 1, {here}, '') AS b,"
        f" {VISITORS_MERGE}(v), {VISITORS_MERGE}(e) FROM ({states_sql}) GROUP BY link, step, a, b",
        dict(params, top=keys, other=OTHER_PAGES))
    nodes, links = {}, {}
    for link, step, a, b, visitors, ended in rows:
        if link:
            links[(int(step) - 1, a, b)] = int(visitors)
        else:
            nodes[(int(step), a)] = (int(visitors), int(ended))
    return nodes, links


def _ordered_nodes(nodes):
    def key(item):
        (step, page), (visitors, _) = item
        return step, page == OTHER_PAGES, -visitors, page
    return [{"step": step, "page": page, "visitors": visitors, "drop_off": ended}
            for (step, page), (visitors, ended) in sorted(nodes.items(), key=key)]


def _ordered_links(links, to_goal):
    """Links in time order: from an entry, step s to s + 1; to a goal, step s + 1 to s."""
    rows = []
    def key(item):
        (step, a, b), visitors = item
        return step, -visitors, a == OTHER_PAGES, a, b == OTHER_PAGES, b
    for (step, a, b), visitors in sorted(links.items(), key=key):
        if to_goal:
            rows.append({"from_step": step + 1, "from": b, "to_step": step, "to": a, "visitors": visitors})
        else:
            rows.append({"from_step": step, "from": a, "to_step": step + 1, "to": b, "visitors": visitors})
    return rows


def journeys(store, site, period, steps=DEFAULT_STEPS, entry_page=None, goal_id=None,
             filters=None, compare=None, pages=DEFAULT_PAGES, timeout_minutes=30):
    """The period's most common paths: {'mode', 'steps', 'nodes', 'links'}.

    From `entry_page` (None: every entry page) or, with `goal_id`, to that goal (not both).
    nodes: per step, its `pages` most visited pages then OTHER_PAGES, each with visitors and
    drop_off; with `compare`, also each node's visitors of the comparison period
    (`previous`) and the change in percent. links: from_step, from, to_step, to, visitors.
    """
    _whole(steps, "steps", MIN_STEPS, MAX_STEPS)
    _whole(pages, "pages", 1, MAX_PAGES)
    if entry_page is not None and goal_id is not None:
        raise ValueError("a journey starts from an entry page or leads to a goal, not both")
    goal = None
    if goal_id is not None:
        goal = get_goal(store, site.domain, goal_id)
        if goal is None:
            raise ValueError(f"site {site.domain} has no goal {goal_id!r}")
    asked = (store, site, period, filters, entry_page, goal, steps, timeout_minutes)
    top = _top_pages(store, *_states(*asked, _NODES), pages)
    nodes, links = _counted(store, *_states(*asked, _NODES_AND_LINKS), top)
    found = _ordered_nodes(nodes)
    if compare:
        before, before_params = _states(store, site, comparison_period(period, compare), filters,
                                        entry_page, goal, steps, timeout_minutes, _NODES_AND_LINKS)
        previous, _ = _counted(store, before, before_params, top)
        for row in found:
            row["previous"] = previous.get((row["step"], row["page"]), (0, 0))[0]
            row["change"] = metric_change("visitors", row["visitors"], row["previous"])
    return {"mode": "goal" if goal_id is not None else "entry", "steps": steps, "nodes": found,
            "links": _ordered_links(links, goal_id is not None)}
