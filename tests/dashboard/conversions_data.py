"""A worked day for the goals & funnels page: hand-built events and the numbers worked out by hand.

shop.example (UTC), 2026-03-10:

  visitor 1  09:00 /pricing, 09:02 /checkout/cart, 09:05 purchase 30 EUR
  visitor 2  10:00 /pricing, 10:01 /checkout/cart
  visitor 3  11:00 /pricing
  visitor 4  12:00 /blog/hello, 12:00:40 signup
  other.example: a purchase that never counts for shop.example

4 visitors. Goals:
  purchase (revenue)  1 converting, 25.0 %, 1 completion, 30.00 EUR, 300 s (5m 00s)
  /checkout/*         2 converting, 50.0 %, 2 completions, median of 120 s and 60 s = 90 s (1m 30s)
  signup              1 converting, 25.0 %, 1 completion, 40 s
Funnel Checkout (page:/pricing > page:/checkout/* > event:purchase, within a visit):
  step 1 3 visitors; step 2 2 (drop-off 1, 66.7 % of step 1 and of the previous);
  step 3 1 (drop-off 1, 50.0 % of step 2, 33.3 % of step 1); conversion 33.3 %.
"""
from vigie.analytics.funnels import add_funnel
from vigie.analytics.goals import add_goal
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

SITE, OTHER = "shop.example", "other.example"
DAY = "2026-03-10"
QUERY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}
CHECKOUT = [("pageview", "/pricing"), ("pageview", "/checkout/*"), ("event", "purchase")]

# (name, converting, rate, completions, revenue, time to convert) as the table shows them.
GOAL_ROWS = [("purchase", "1", "25.0%", "1", "30.00 EUR", "5m 00s"),
             ("Visit /checkout/*", "2", "50.0%", "2", "—", "1m 30s"),
             ("signup", "1", "25.0%", "1", "—", "40s")]
# (step, visitors, drop-off, from previous, from step 1)
FUNNEL_ROWS = [("1. Visit /pricing", "3", "0", "100.0%", "100.0%"),
               ("2. Visit /checkout/*", "2", "1", "66.7%", "66.7%"),
               ("3. purchase", "1", "1", "50.0%", "33.3%")]


def day_events():
    return [
        event(SITE, f"{DAY} 09:00:00", visitor=1, pathname="/pricing"),
        event(SITE, f"{DAY} 09:02:00", visitor=1, pathname="/checkout/cart"),
        event(SITE, f"{DAY} 09:05:00", "purchase", visitor=1, pathname="/checkout/cart",
              revenue=30.0, currency="EUR"),
        event(SITE, f"{DAY} 10:00:00", visitor=2, pathname="/pricing"),
        event(SITE, f"{DAY} 10:01:00", visitor=2, pathname="/checkout/cart"),
        event(SITE, f"{DAY} 11:00:00", visitor=3, pathname="/pricing"),
        event(SITE, f"{DAY} 12:00:00", visitor=4, pathname="/blog/hello"),
        event(SITE, f"{DAY} 12:00:40", "signup", visitor=4, pathname="/blog/hello"),
        event(OTHER, f"{DAY} 09:00:00", "purchase", visitor=9, revenue=99.0, currency="EUR"),
    ]


def conversions_world(store):
    """Both sites, the day's events, three goals and the Checkout funnel; returns the funnel."""
    add_site(store, SITE, "UTC")
    add_site(store, OTHER, "UTC")
    insert_events(store, day_events())
    add_goal(store, SITE, "event", "purchase", revenue=True)
    add_goal(store, SITE, "pageview", "/checkout/*")
    add_goal(store, SITE, "event", "signup")
    add_goal(store, OTHER, "event", "purchase", revenue=True)
    return add_funnel(store, SITE, "Checkout", CHECKOUT)
