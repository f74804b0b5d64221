"""A hand-built day for report filters on goals, funnels and retention (docs/metrics.md,
"Filters on goals, funnels and retention"): five visits on 2026-03-10 and three
customers, sessionized by the job so that the filters have visits to keep.

    A  visitor 1, customer c1, Google, FR: /  /pricing  signup (plan=pro)
    B  visitor 2, customer c2, Twitter, DE: /pricing  signup (plan=free)
    C  visitor 2, customer c2, Google, DE: /  (1h55 after B: a second visit)
    D  visitor 3, Google, FR: /pricing
    E  visitor 4, direct, US: /  /thank-you

c2 was first seen on 2026-03-09 (visitor 20, direct), c3 on 2026-03-03
(visitor 30, Google, FR) and again on 2026-03-11 (visitor 31, Twitter, FR).
"""
import datetime

from vigie.analytics.funnels import add_funnel
from vigie.analytics.goals import add_goal
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from vigie.analytics.period import Period
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")
TWO_WEEKS = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 15), "day")


def _events():
    fr_google = dict(source="Google", channel="Organic Search", country="FR")
    return [
        # A
        event(S, "2026-03-10 09:00:00", visitor=1, customer_id="c1", pathname="/", **fr_google),
        event(S, "2026-03-10 09:02:00", visitor=1, customer_id="c1", pathname="/pricing", country="FR"),
        event(S, "2026-03-10 09:03:00", "signup", visitor=1, customer_id="c1", pathname="/pricing",
              country="FR", prop_keys=["plan"], prop_values=["pro"]),
        # B
        event(S, "2026-03-10 10:00:00", visitor=2, customer_id="c2", pathname="/pricing",
              source="Twitter", channel="Organic Social", country="DE"),
        event(S, "2026-03-10 10:05:00", "signup", visitor=2, customer_id="c2", pathname="/pricing",
              country="DE", prop_keys=["plan"], prop_values=["free"]),
        # C
        event(S, "2026-03-10 12:00:00", visitor=2, customer_id="c2", pathname="/",
              source="Google", channel="Organic Search", country="DE"),
        # D
        event(S, "2026-03-10 11:00:00", visitor=3, pathname="/pricing", **fr_google),
        # E
        event(S, "2026-03-10 13:00:00", visitor=4, pathname="/", country="US"),
        event(S, "2026-03-10 13:01:00", visitor=4, pathname="/thank-you", country="US"),
        # Earlier and later days of the customers.
        event(S, "2026-03-09 20:00:00", visitor=20, customer_id="c2", pathname="/"),
        event(S, "2026-03-03 10:00:00", visitor=30, customer_id="c3", pathname="/", **fr_google),
        event(S, "2026-03-11 10:00:00", visitor=31, customer_id="c3", pathname="/",
              source="Twitter", channel="Organic Social", country="FR"),
    ]


def load_filtered_day(store):
    """(site, {'signup': goal, 'thank_you': goal}, funnel) with the events sessionized."""
    site = add_site(store, S, "UTC")
    goals = {"signup": add_goal(store, S, "event", "signup"),
             "thank_you": add_goal(store, S, "pageview", "/thank-you")}
    funnel = add_funnel(store, S, "Pricing to signup", [("pageview", "/pricing"), ("event", "signup")])
    insert_events(store, _events())
    # Goals first: the sessions job records the goals each visit reached.
    run_window(store, JOBS["sessions"], site, at("2026-03-02 00:00:00"), at("2026-03-13 00:00:00"),
               JobContext(timeout_minutes=30, engaged_seconds=10))
    return site, goals, funnel
