"""The worked day of tests/dashboard/worked_day.py with sources, places, goals and revenue,
sessionized by the real sessions job: the data of the Overview and Sources pages.

Per visitor (all of its events carry these columns; a visit takes its first event's):

  visitor 1  Google, Organic Search, search term "vigie analytics", FR, desktop
  visitor 2  news.ycombinator.com referral (channel Referral), US, mobile
  visitor 3  utm_medium=email, utm_source=newsletter, utm_campaign=spring (source newsletter,
             channel Email), FR, mobile; its first visit sends `signup` (a goal)
  visitor 4  Google, Organic Search, DE, desktop; sends `purchase` with 49.50 of revenue
             at 12:20:30 (a revenue goal), before its last page's end, so durations stay
  visitor 6  direct, no country, desktop

Six visits in the day (visitor 3 has two): visitors 5, visits 6, pageviews 9,
views per visit 1.5, bounce rate 3/6 = 50.0 %, visit duration 234 s (see
worked_day.py), conversions 2 (visitor 3's first visit, visitor 4) -> 2/6 =
33.3 %, revenue 49.5.

The day before (2024-03-09 local) has two visits for comparisons: visitor 7
(one page, a bounce) and visitor 8 (two pages): visitors 2, visits 2,
pageviews 3, bounce rate 50.0 %, conversion rate 0.0 %, revenue 0.
"""
from vigie.analytics.goals import add_goal
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from tests.dashboard.worked_day import DAY, SITE, TIMEZONE, day_events
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

__all__ = ["DAY", "SITE", "TIMEZONE", "EXPECTED", "PREVIOUS", "load_traffic_day"]

PER_VISITOR = {
    1: {"source": "Google", "channel": "Organic Search", "search_term": "vigie analytics",
        "country": "FR", "device": "desktop"},
    2: {"channel": "Referral", "country": "US", "device": "mobile"},
    3: {"utm_medium": "email", "utm_source": "newsletter", "utm_campaign": "spring",
        "source": "newsletter", "channel": "Email", "country": "FR", "device": "mobile"},
    4: {"source": "Google", "channel": "Organic Search", "country": "DE", "device": "desktop"},
}

EXPECTED = {"visitors": 5, "visits": 6, "pageviews": 9, "views_per_visit": 1.5, "bounce_rate": 50.0,
            "visit_duration": 234, "conversion_rate": 33.3, "revenue": 49.5}
PREVIOUS = {"visitors": 2, "visits": 2, "pageviews": 3, "views_per_visit": 1.5, "bounce_rate": 50.0,
            "visit_duration": 30, "conversion_rate": 0.0, "revenue": 0.0}


def traffic_events():
    events = []
    for row in day_events():
        row.update(PER_VISITOR.get(row["visitor_id"], {}))
        events.append(row)
    events.append(event(SITE, "2024-03-10 12:20:30", "purchase", visitor=4, pathname="/checkout",
                        revenue=49.5, currency="EUR", **PER_VISITOR[4]))
    events += [event(SITE, "2024-03-09 10:00:00", visitor=7, pathname="/"),
               event(SITE, "2024-03-09 11:00:00", visitor=8, pathname="/"),
               event(SITE, "2024-03-09 11:01:00", visitor=8, pathname="/pricing")]
    return events


def load_traffic_day(store):
    """Register the site and its goals, insert the events and run the sessions job."""
    site = add_site(store, SITE, TIMEZONE)
    add_goal(store, SITE, "event", "signup")
    add_goal(store, SITE, "event", "purchase", revenue=True)
    insert_events(store, traffic_events())
    run_window(store, JOBS["sessions"], site, at("2024-03-08 00:00:00"), at("2024-03-12 00:00:00"),
               JobContext(timeout_minutes=30, engaged_seconds=10))
    return site
