"""A hand-built day of journeys on 2026-03-10 (UTC), sessionized by the sessions job.

    visitor 1  09:00  /  /pricing  /signup                  desktop
               11:00  /                                     (a second visit)
    visitor 2  10:00  /  /pricing  Trial (event)            mobile
    visitor 3  12:00  /  / (reload)  /blog  /pricing  /signup
    visitor 4  13:00  /blog
    visitor 5  14:00  /pricing  /signup  Trial  /pricing  /signup   mobile
    visitor 6  15:00  Trial (an event, no pageview)

Goals: the /signup page and the Trial event. The day before, visitor 9 views
/ then /pricing; another site's events never count.
"""
import datetime

from vigie.analytics.goals import add_goal
from vigie.analytics.period import Period
from vigie.analytics.sessionize import rebuild_sessions
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

S = "trip.test"
DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")


def _view(ts, visitor, path, **columns):
    return event(S, f"2026-03-10 {ts}", visitor=visitor, pathname=path, **columns)


def _events():
    mobile = dict(device="mobile")
    return [
        _view("09:00:00", 1, "/"), _view("09:01:00", 1, "/pricing"), _view("09:02:00", 1, "/signup"),
        _view("11:00:00", 1, "/"),
        _view("10:00:00", 2, "/", **mobile), _view("10:02:00", 2, "/pricing", **mobile),
        event(S, "2026-03-10 10:03:00", "Trial", visitor=2, pathname="/pricing", **mobile),
        _view("12:00:00", 3, "/"), _view("12:00:30", 3, "/"), _view("12:01:00", 3, "/blog"),
        _view("12:02:00", 3, "/pricing"), _view("12:03:00", 3, "/signup"),
        _view("13:00:00", 4, "/blog"),
        _view("14:00:00", 5, "/pricing", **mobile), _view("14:01:00", 5, "/signup", **mobile),
        event(S, "2026-03-10 14:01:30", "Trial", visitor=5, pathname="/signup", **mobile),
        _view("14:02:00", 5, "/pricing", **mobile), _view("14:03:00", 5, "/signup", **mobile),
        event(S, "2026-03-10 15:00:00", "Trial", visitor=6, pathname="/"),
        event(S, "2026-03-09 09:00:00", visitor=9, pathname="/"),
        event(S, "2026-03-09 09:01:00", visitor=9, pathname="/pricing"),
        event("other.test", "2026-03-10 09:00:00", visitor=1, pathname="/"),
    ]


def load_journeys_day(store):
    """(site, signup goal id, Trial goal id), the events stored and sessionized."""
    site = add_site(store, S, "UTC")
    signup = add_goal(store, S, "pageview", "/signup").goal_id
    trial = add_goal(store, S, "event", "Trial").goal_id
    insert_events(store, _events())
    rebuild_sessions(store, S, at("2026-03-09 00:00:00"), at("2026-03-11 00:00:00"), 30, 10, 1)
    return site, signup, trial
