"""Report filters on goals, funnels, cohorts and new-vs-returning, on both backends.

The day is tests/analytics/filtered_day.py (visits A-E); every number below
is counted by hand from its table. Filters keep or drop whole visits.
"""
import datetime

import pytest

from vigie.analytics.funnels import funnel_report
from vigie.analytics.goals import conversions
from vigie.analytics.retention import cohorts, new_vs_returning, returning_report
from tests.analytics.filtered_day import ONE_DAY, TWO_WEEKS, load_filtered_day

D = datetime.date

# name: (filters; "GOAL:x" stands for the id of goal x), kept visits in a comment.
FILTERS = {
    "none": {},                                              # A B C D E
    "source": {"source": "Google"},                          # A C D
    "country": {"country": "DE"},                            # B C
    "page": {"page": "/pricing"},                            # A B D
    "goal": {"goal": "GOAL:signup"},                         # A B
    "page_goal": {"goal": "GOAL:thank_you"},                 # E
    "prop": {"prop:plan": "pro"},                            # A
    "combined": {"source": "Google", "country": "FR"},       # A D
    "nothing": {"country": "JP"},                            # none
    "everything": {"hostname": "shop.test"},                 # A B C D E
}

# Goals: visitors of the kept visits, then per goal
# (converting visitors, conversion rate, completions, median seconds to convert).
GOALS = {
    "none": (4, (2, 50.0, 2, 240), (1, 25.0, 1, 60)),
    "source": (3, (1, 33.3, 1, 180), (0, 0.0, 0, None)),
    "country": (1, (1, 100.0, 1, 300), (0, 0.0, 0, None)),
    "page": (3, (2, 66.7, 2, 240), (0, 0.0, 0, None)),
    "goal": (2, (2, 100.0, 2, 240), (0, 0.0, 0, None)),
    "page_goal": (1, (0, 0.0, 0, None), (1, 100.0, 1, 60)),
    "prop": (1, (1, 100.0, 1, 180), (0, 0.0, 0, None)),
    "combined": (2, (1, 50.0, 1, 180), (0, 0.0, 0, None)),
    "nothing": (0, (0, None, 0, None), (0, None, 0, None)),
    "everything": (4, (2, 50.0, 2, 240), (1, 25.0, 1, 60)),
}

# Funnel /pricing -> signup within a visit: (step 1, step 2, conversion rate).
FUNNEL = {
    "none": (3, 2, 66.7), "source": (2, 1, 50.0), "country": (1, 1, 100.0), "page": (3, 2, 66.7),
    "goal": (2, 2, 100.0), "page_goal": (0, 0, None), "prop": (1, 1, 100.0),
    "combined": (2, 1, 50.0), "nothing": (0, 0, None), "everything": (3, 2, 66.7),
}

# New vs returning on the day: (new visits, returning visits, new visitors,
# returning visitors, returning visit share). B is returning (c2 seen on 9 March),
# C too (visitor 2's second visit), whatever the filter keeps.
RETURNING = {
    "none": (3, 2, 3, 1, 40.0), "source": (2, 1, 2, 1, 33.3), "country": (0, 2, 0, 1, 100.0),
    "page": (2, 1, 2, 1, 33.3), "goal": (1, 1, 1, 1, 50.0), "page_goal": (1, 0, 1, 0, 0.0),
    "prop": (1, 0, 1, 0, 0.0), "combined": (2, 0, 2, 0, 0.0), "nothing": (0, 0, 0, 0, None),
    "everything": (3, 2, 3, 1, 40.0),
}

# Weekly cohorts of 2-15 March: (week, customers, returning per week). c3 joins
# on 3 March (Google, FR) and comes back on 11 March (Twitter); c2 joins on
# 9 March (direct), c1 on 10 March (visit A).
COHORTS = {
    "none": [(D(2026, 3, 2), 1, [1, 1]), (D(2026, 3, 9), 2, [2])],
    "source": [(D(2026, 3, 2), 1, [1, 0]), (D(2026, 3, 9), 1, [1])],
    "country": [],
    "page": [(D(2026, 3, 9), 1, [1])],
    "goal": [(D(2026, 3, 9), 1, [1])],
    "page_goal": [],
    "prop": [(D(2026, 3, 9), 1, [1])],
    "combined": [(D(2026, 3, 2), 1, [1, 0]), (D(2026, 3, 9), 1, [1])],
    "nothing": [],
    "everything": [(D(2026, 3, 2), 1, [1, 1]), (D(2026, 3, 9), 2, [2])],
}


@pytest.fixture
def day(store):
    return load_filtered_day(store)


def resolved(name, goals):
    return {k: goals[v[5:]].goal_id if v.startswith("GOAL:") else v for k, v in FILTERS[name].items()}


@pytest.mark.parametrize("case", list(FILTERS))
def test_goals_under_filters(store, day, case):
    site, goals, _ = day
    rows = {row["goal_id"]: row for row in conversions(store, site, ONE_DAY, 30, resolved(case, goals))}
    visitors, signup, thank_you = GOALS[case]
    for goal, expected in ((goals["signup"], signup), (goals["thank_you"], thank_you)):
        row = rows[goal.goal_id]
        got = (row["visitors"], row["conversion_rate"], row["completions"], row["median_seconds_to_convert"])
        assert got == expected, goal.pattern
    # The denominator: converting visitors / visitors of the kept visits.
    if visitors:
        assert rows[goals["signup"].goal_id]["conversion_rate"] == round(100.0 * signup[0] / visitors, 1)


@pytest.mark.parametrize("case", list(FILTERS))
def test_funnel_under_filters(store, day, case):
    site, goals, funnel = day
    report = funnel_report(store, site, funnel, ONE_DAY, 30, resolved(case, goals))
    first, second, rate = FUNNEL[case]
    assert [s["visitors"] for s in report["steps"]] == [first, second]
    assert report["steps"][1]["dropoff"] == first - second
    assert report["conversion_rate"] == rate


@pytest.mark.parametrize("case", list(FILTERS))
def test_new_vs_returning_under_filters(store, day, case):
    site, goals, _ = day
    got = new_vs_returning(store, site, ONE_DAY, 30, resolved(case, goals))
    keys = ("new_visits", "returning_visits", "new_visitors", "returning_visitors",
            "returning_visit_share")
    assert tuple(got[k] for k in keys) == RETURNING[case]
    # The dashboard's report (total and per week) counts the same visits.
    report = returning_report(store, site, ONE_DAY, "week", 30, resolved(case, goals))
    assert report["total"] == got
    assert sum(row["visits"] for row in report["by_interval"]) == got["visits"]


@pytest.mark.parametrize("case", list(FILTERS))
def test_cohorts_under_filters(store, day, case):
    site, goals, _ = day
    rows = cohorts(store, site, TWO_WEEKS, "week", resolved(case, goals))
    assert [(r["cohort"], r["customers"], r["returning"]) for r in rows] == COHORTS[case]
    for row in rows:
        assert row["retention"] == [round(100.0 * n / row["customers"], 1) for n in row["returning"]]


def test_unknown_filter_is_refused(store, day):
    site, _, funnel = day
    for report in (lambda f: conversions(store, site, ONE_DAY, 30, f),
                   lambda f: funnel_report(store, site, funnel, ONE_DAY, 30, f),
                   lambda f: new_vs_returning(store, site, ONE_DAY, 30, f),
                   lambda f: cohorts(store, site, TWO_WEEKS, "week", f)):
        with pytest.raises(ValueError, match="unknown filter 'colour'"):
            report({"colour": "red"})
