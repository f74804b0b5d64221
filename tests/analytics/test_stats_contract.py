"""The dashboard's CSV links (dashboard/tables.py csv_link) work on every Stats API endpoint.

A report page links to /api/v1/stats/<endpoint> with its own query string
(site, period, from/to, compare, f_NAME filters) and the reader's browser
session follows it. No endpoint may refuse those parameters; the ones that
cannot apply them say so in `ignored`.
"""
import csv
import io
from urllib.parse import urlsplit

import pytest

from vigie.analytics import stats_request
from vigie.analytics.funnels import add_funnel
from vigie.analytics.goals import add_goal
from vigie.dashboard import selection as dashboard_selection
from vigie.dashboard.selection import Selection
from vigie.dashboard.tables import csv_link
from tests.analytics.test_query import sessionize, worked_day
from tests.dashboard.conftest import login
from tests.factories import insert_events
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

S = "shop.test"
ENDPOINTS = {"breakdown": {"property": "source"}, "goals": {}, "funnel": None, "cohorts": {},
             "returning": {}, "realtime": {}, "aggregate": {}, "timeseries": {},
             "site-search": {"report": "next_pages"}}
# Every endpoint but realtime (raw events of the last minutes, no visits yet).
FILTERED = {"breakdown", "aggregate", "timeseries", "goals", "funnel", "cohorts", "returning",
            "site-search"}
COMPARED = {"aggregate", "site-search"}


@pytest.fixture
def signed_in(client, store):
    site = add_site(store, S, "UTC")
    insert_events(store, worked_day())
    sessionize(store, site)
    add_goal(store, S, "event", "purchase", revenue=True)
    funnel = add_funnel(store, S, "Checkout", [("pageview", "/pricing"), ("pageview", "/cart")])
    add_user(store, "mia@shop.example", "correct horse battery", role="marketer", sites=[S])
    assert login(client, "mia@shop.example", "correct horse battery").status_code == 302
    return funnel


def href(endpoint, selection, **extra):
    return csv_link(endpoint, selection, "x", **extra).href


def test_the_filter_parameter_prefix_is_the_dashboards():
    assert stats_request.FILTER_PREFIX == dashboard_selection.FILTER_PREFIX


def test_every_endpoint_accepts_a_dashboard_link(client, signed_in):
    selection = Selection(site=S, period="custom", start="2026-03-10", end="2026-03-10",
                          compare="previous_year", filters=(("country", "FR"), ("prop:plan", "pro")))
    for endpoint, extra in ENDPOINTS.items():
        extra = {"funnel_id": signed_in.funnel_id} if extra is None else extra
        url = href(endpoint, selection, **extra)
        assert urlsplit(url).path == f"/api/v1/stats/{endpoint}"
        answer = client.get(url)
        assert answer.status_code == 200, (endpoint, answer.get_data(as_text=True))
        assert answer.mimetype == "text/csv"
        body = client.get(url.replace("format=csv", "format=json")).get_json()
        assert body["period"] == {"key": "custom", "from": "2026-03-10", "to": "2026-03-10"}
        ignored = ([] if endpoint in COMPARED else ["compare"]) + (
            [] if endpoint in FILTERED else ["f_country", "f_prop:plan"])
        assert body.get("ignored", []) == ignored, endpoint


def test_a_dashboard_link_downloads_the_filtered_rows(client, signed_in):
    # Visitor 4, from France, came by the Email channel: the only visit left.
    selection = Selection(site=S, period="custom", start="2026-03-10", end="2026-03-10",
                          filters=(("country", "FR"),))
    rows = list(csv.reader(io.StringIO(client.get(href("breakdown", selection, property="channel"))
                                       .get_data(as_text=True))))
    assert [r[:3] for r in rows] == [["value", "visitors", "visits"], ["Email", "1", "1"]]
    # A preset period and a comparison, as the overview page sends them.
    preset = Selection(site=S, period="7d", compare="previous_period")
    assert client.get(href("aggregate", preset)).status_code == 200


def test_a_dashboard_link_to_a_site_not_granted_is_refused(client, store, signed_in):
    add_site(store, "other.test", "UTC")
    answer = client.get(href("breakdown", Selection(site="other.test"), property="source"))
    assert answer.status_code == 403
