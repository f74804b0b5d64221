"""A worked day of hand-built events and the overview numbers worked out by hand.

The site is in Paris (UTC+1 in March), so the local day 2024-03-10 runs from
2024-03-09 23:00 to 2024-03-10 23:00 UTC. Events (times UTC):

  visitor 1  08:00 /, 08:01:30 /pricing (from google.com),
             engagement 40 s at 08:02:10       -> engaged, 130 s
  visitor 2  09:00 /blog/launch (from news.ycombinator.com),
             engagement 8 s                     -> bounce, 8 s
  visitor 3  10:00 /, 10:00:20 signup           -> engaged (custom event), 20 s
  visitor 3  11:00 /pricing (a new visit)       -> bounce, 0 s
  visitor 4  12:00 / (google.com), 12:05 /pricing, 12:20 /checkout,
             engagement 45 s at 12:20:45        -> engaged, 1245 s
  visitor 6  2024-03-09 23:30 / (00:30 in Paris, so inside the day) -> bounce, 0 s
  visitor 5  2024-03-10 23:30 / (00:30 on the 11th in Paris: outside)

Unique visitors 5, visits 6, pageviews 9, views per visit 1.5, bounce rate
3/6 = 50.0 %, visit duration (130 + 8 + 20 + 0 + 1245 + 0) / 6 = 233.8 -> 234 s.
Top pages: / 4, /pricing 3, /blog/launch 1, /checkout 1. Top sources (visits):
Direct / None 3 (visitors 3 and 6), google.com 2, news.ycombinator.com 1.
"""
from tests.factories import event

SITE = "shop.example"
TIMEZONE = "Europe/Paris"
DAY = "2024-03-10"

EXPECTED = {"visitors": 5, "visits": 6, "pageviews": 9, "views_per_visit": 1.5,
            "bounce_rate": 50.0, "visit_duration": 234}


def day_events():
    google, hn = {"referrer_host": "google.com"}, {"referrer_host": "news.ycombinator.com"}
    return [
        event(SITE, "2024-03-10 08:00:00", visitor=1, pathname="/", **google),
        event(SITE, "2024-03-10 08:01:30", visitor=1, pathname="/pricing"),
        event(SITE, "2024-03-10 08:02:10", "engagement", visitor=1, pathname="/pricing", engaged_ms=40_000),
        event(SITE, "2024-03-10 09:00:00", visitor=2, pathname="/blog/launch", **hn),
        event(SITE, "2024-03-10 09:00:08", "engagement", visitor=2, pathname="/blog/launch", engaged_ms=8_000),
        event(SITE, "2024-03-10 10:00:00", visitor=3, pathname="/"),
        event(SITE, "2024-03-10 10:00:20", "signup", visitor=3, pathname="/"),
        event(SITE, "2024-03-10 11:00:00", visitor=3, pathname="/pricing"),
        event(SITE, "2024-03-10 12:00:00", visitor=4, pathname="/", **google),
        event(SITE, "2024-03-10 12:05:00", visitor=4, pathname="/pricing"),
        event(SITE, "2024-03-10 12:20:00", visitor=4, pathname="/checkout"),
        event(SITE, "2024-03-10 12:20:45", "engagement", visitor=4, pathname="/checkout", engaged_ms=45_000),
        event(SITE, "2024-03-09 23:30:00", visitor=6, pathname="/"),
        event(SITE, "2024-03-10 23:30:00", visitor=5, pathname="/"),
    ]
