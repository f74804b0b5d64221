"""Goals added (or removed) after the jobs ran apply to past visits at once, and every page
counts the same conversions: Overview's card, Sources' rows, the Goals page and the Stats API,
on the worked day of tests/dashboard/traffic_day.py, on both backends.

The worked day's conversions (signup: visitor 3's first visit, by email; purchase 49.50:
visitor 4, organic search) are its only ones: each converting visitor converts once, on one
goal, so the Goals page's converting visitors add up to Overview's converting visits.
"""
import pytest

from tests.dashboard.conftest import login
from tests.dashboard.dash_calls import table_rows
from tests.dashboard.test_conversions_page import report as goals_report
from tests.dashboard.test_conversions_page import table_rows as goals_table_rows
from tests.dashboard.test_overview_callbacks import kpis
from tests.dashboard.test_overview_callbacks import report as overview_report
from tests.dashboard.test_sources_page import sources
from tests.dashboard.traffic_day import DAY, SITE, TIMEZONE, traffic_events
from tests.factories import at, insert_events, past_goal_change
from vigie.analytics.goals import add_goal, remove_goal
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_scheduled, run_window
from vigie.analytics.rollups import first_outdated_day, rolled_up_days
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site

ONE_DAY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}
CONTEXT = JobContext(timeout_minutes=30, engaged_seconds=10)


@pytest.fixture
def jobs_ran_without_goals(store):
    """The worked day and the day before, sessionized and rolled up before any goal exists."""
    site = add_site(store, SITE, TIMEZONE)
    insert_events(store, traffic_events())
    run_window(store, JOBS["sessions"], site, at("2024-03-08 00:00:00"), at("2024-03-12 00:00:00"),
               CONTEXT)
    run_window(store, JOBS["rollups"], site, at("2024-03-08 23:00:00"), at("2024-03-10 23:00:00"),
               CONTEXT)
    return site


def every_page(client, token, filters=None):
    """What each page says of the worked day's conversions, with report filters {name: value}."""
    query = dict(ONE_DAY, **{f"f_{name}": value for name, value in (filters or {}).items()})
    overview = kpis(overview_report(client, query))
    channels = {row[0]: (row[4], row[5]) for row in table_rows(sources(client, query)["channels"])}
    goals = report_goals(client, query)
    period = f"site={SITE}&period=custom&date={DAY},{DAY}" + "".join(
        f"&f_{name}={value}" for name, value in (filters or {}).items())
    headers = {"Authorization": f"Bearer {token}"}
    aggregate = client.get(f"/api/v1/stats/aggregate?{period}&metrics=conversion_rate",
                           headers=headers).get_json()["results"]
    breakdown = client.get(f"/api/v1/stats/breakdown?{period}&property=channel"
                           "&metrics=conversions,conversion_rate", headers=headers).get_json()["results"]
    return {"overview": overview["conversion-rate"], "channels": channels, "goals": goals,
            "api_rate": aggregate["conversion_rate"]["value"],
            "api_channels": {r["value"]: r["conversions"] for r in breakdown}}


def report_goals(client, query):
    got = goals_report(client, query)
    if "goals-table-empty" in str(got["goals-panel"]):
        return []
    return [(row[0], row[1]) for row in goals_table_rows(got["goals-panel"], "goals-table")]


def test_goals_added_after_the_jobs_count_on_every_page(client, account, store, jobs_ran_without_goals):
    site = jobs_ran_without_goals
    assert login(client).status_code == 302
    token = create_api_key(store, SITE, "tests")[1]
    assert set(rolled_up_days(store, site, at(DAY).date(), at(DAY).date())) == {at(DAY).date()}
    before = every_page(client, token)
    assert before["overview"] == "0.0" and before["goals"] == [] and before["api_rate"] == 0.0
    assert set(before["channels"].values()) == {("0", "0.0%")}

    signup = add_goal(store, SITE, "event", "signup")
    add_goal(store, SITE, "event", "purchase", revenue=True)
    # The rolled-up days predate the goals: read from the recounted visits until rebuilt.
    assert rolled_up_days(store, site, at(DAY).date(), at(DAY).date()) == {}
    assert first_outdated_day(store, site) == at("2024-03-09 00:00:00").date()
    added = every_page(client, token)
    # 2 converting visits of 6; 1 converting visitor of 5 on each goal.
    expected = {
        "overview": "33.3",
        "channels": {"Email": ("1", "50.0%"), "Organic Search": ("1", "50.0%"),
                     "Direct": ("0", "0.0%"), "Referral": ("0", "0.0%")},
        # The goal cell shows its name over what it matches.
        "goals": [("signupevent signup", "1"), ("purchaseevent purchase", "1")],
        "api_rate": 33.3,
        "api_channels": {"Email": 1, "Organic Search": 1, "Direct": 0, "Referral": 0},
    }
    assert added == expected
    assert sum(int(n) for _, n in added["goals"]) == sum(added["api_channels"].values()) == 2
    # The same under a filter: visitor 3's two Email visits, the first one converting.
    assert every_page(client, token, {"channel": "Email"}) == {
        "overview": "50.0", "channels": {"Email": ("1", "50.0%")},
        "goals": [("signupevent signup", "1"), ("purchaseevent purchase", "0")],
        "api_rate": 50.0, "api_channels": {"Email": 1}}

    # The rollups job rebuilds the outdated days by itself; the numbers stay.
    past_goal_change(store, site)
    run_scheduled(store, JOBS["rollups"], CONTEXT, now=at("2024-03-11 12:00:00"), sites=[site])
    assert first_outdated_day(store, site) is None
    assert set(rolled_up_days(store, site, at(DAY).date(), at(DAY).date())) == {at(DAY).date()}
    assert every_page(client, token) == expected

    remove_goal(store, SITE, signup.goal_id)
    removed = every_page(client, token)
    assert removed["overview"] == "16.7" and removed["goals"] == [("purchaseevent purchase", "1")]
    assert removed["channels"]["Email"] == ("0", "0.0%") == removed["channels"]["Direct"]
    assert removed["api_channels"] == {"Email": 0, "Organic Search": 1, "Direct": 0, "Referral": 0}


def test_a_page_goal_added_later_counts_the_visits_that_viewed_it(store, jobs_ran_without_goals):
    """Pageview goals match the pages a stored visit viewed, with the pattern rules of goals."""
    from vigie.analytics.period import Period
    from vigie.analytics.query import aggregate
    site = jobs_ran_without_goals
    add_goal(store, SITE, "pageview", "/pric*")
    day = at(DAY).date()
    got = aggregate(store, site, Period(day, day, "day"))
    # /pricing was viewed in 3 of the 6 visits (tests/dashboard/worked_day.py).
    assert (got["conversions"], got["conversion_rate"]) == (3, 50.0)
