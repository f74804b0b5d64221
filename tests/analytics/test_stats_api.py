"""The Stats API through the real app: auth, per-site access, numbers, CSV, bad parameters."""
import datetime

import pytest

from vigie.analytics.funnels import add_funnel
from vigie.analytics.goals import add_goal
from tests.dashboard.conftest import login
from tests.factories import event, insert_events
from vigie.warehouse.api_keys import create_api_key, revoke_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

S = "shop.test"
DAY = "date=2026-03-10,2026-03-10&period=custom"


@pytest.fixture
def shop(store):
    add_site(store, S, "UTC")
    add_site(store, "other.test", "UTC")
    insert_events(store, [
        event(S, "2026-03-10 09:00:00", visitor=1, pathname="/pricing"),
        event(S, "2026-03-10 09:02:00", visitor=1, pathname="/signup/form"),
        event(S, "2026-03-10 09:03:00", "signup", visitor=1),
        event(S, "2026-03-10 10:00:00", visitor=2, pathname="/pricing"),
        event(S, "2026-03-10 10:05:00", "purchase", visitor=2, revenue=12.5, currency="EUR"),
        event(S, "2026-03-10 11:00:00", visitor=3, pathname="/blog"),
    ])
    goals = [add_goal(store, S, "event", "signup"),
             add_goal(store, S, "event", "purchase", revenue=True),
             add_goal(store, S, "pageview", "/signup/*", name="Signup form")]
    funnel = add_funnel(store, S, "Signup", [("pageview", "/pricing"), ("pageview", "/signup/*"),
                                             ("event", "signup")])
    return goals, funnel


@pytest.fixture
def token(store, shop):
    return create_api_key(store, S, "tests")[1]


def get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def test_goals_with_an_api_key(client, shop, token):
    answer = get(client, f"/api/v1/stats/goals?site={S}&{DAY}", token)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["period"] == {"key": "custom", "from": "2026-03-10", "to": "2026-03-10"}
    # 3 visitors; each goal converted one of them.
    assert [(r["name"], r["visitors"], r["conversion_rate"], r["completions"], r["revenue"],
             r["median_seconds_to_convert"]) for r in body["results"]] == [
        ("signup", 1, 33.3, 1, None, 180), ("purchase", 1, 33.3, 1, 12.5, 300),
        ("Signup form", 1, 33.3, 1, None, 120)]
    assert body["results"][1]["revenue_by_currency"] == {"EUR": 12.5}


def test_goals_as_csv_and_by_page(client, shop, token):
    goals, _ = shop
    answer = get(client, f"/api/v1/stats/goals?site={S}&{DAY}&format=csv&limit=2&page=1", token)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="goals-shop.test-2026-03-10-2026-03-10.csv"')
    assert answer.get_data(as_text=True) == (
        "goal_id,name,kind,pattern,visitors,conversion_rate,completions,revenue,"
        "revenue_by_currency,median_seconds_to_convert\r\n"
        f"{goals[0].goal_id},signup,event,signup,1,33.3,1,,,180\r\n"
        f"{goals[1].goal_id},purchase,event,purchase,1,33.3,1,12.5,EUR 12.5,300\r\n")
    second = get(client, f"/api/v1/stats/goals?site={S}&{DAY}&limit=2&page=2", token).get_json()
    assert [r["goal_id"] for r in second["results"]] == [goals[2].goal_id]


def test_funnel(client, shop, token):
    _, funnel = shop
    body = get(client, f"/api/v1/stats/funnel?site={S}&{DAY}&funnel_id={funnel.funnel_id}", token).get_json()
    # Visitor 1 reaches step 3, visitor 2 step 1, visitor 3 none.
    assert [(s["visitors"], s["dropoff"], s["conversion_from_previous"], s["conversion_from_first"])
            for s in body["results"]] == [(2, 0, 100.0, 100.0), (1, 1, 50.0, 50.0), (1, 0, 100.0, 50.0)]
    assert body["funnel"]["conversion_rate"] == 50.0
    csv_text = get(client, f"/api/v1/stats/funnel?site={S}&{DAY}&funnel_id={funnel.funnel_id}&format=csv",
                   token).get_data(as_text=True)
    assert csv_text.splitlines()[1] == "1,pageview,/pricing,Visit /pricing,2,0,100.0,100.0"


def test_realtime_shows_no_visitor_ids_and_defuses_formulas(client, store, shop, token):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    insert_events(store, [event(S, now - datetime.timedelta(seconds=60), "=1+2", visitor=77,
                                pathname="/live", country="DE")])
    body = get(client, f"/api/v1/stats/realtime?site={S}", token).get_json()
    assert body["current_visitors"] == 1
    assert body["events"] == [{"time": (now - datetime.timedelta(seconds=60)).isoformat(),
                               "name": "=1+2", "page": "/live", "source": "Direct / None",
                               "country": "DE", "device": "desktop"}]
    assert "77" not in str(body)
    csv_text = get(client, f"/api/v1/stats/realtime?site={S}&format=csv", token).get_data(as_text=True)
    assert csv_text.splitlines()[1].split(",")[1] == "'=1+2"


def test_cohorts_and_returning(client, store, shop, token):
    insert_events(store, [
        event(S, "2026-03-02 10:00:00", visitor=10, customer_id="a"),
        event(S, "2026-03-10 10:00:00", visitor=11, customer_id="a"),
        event(S, "2026-03-03 10:00:00", visitor=12, customer_id="b"),
    ])
    span = "period=custom&date=2026-03-02,2026-03-15"
    body = get(client, f"/api/v1/stats/cohorts?site={S}&{span}&interval=week", token).get_json()
    assert body["results"] == [{"cohort": "2026-03-02", "customers": 2, "returning": [2, 1],
                                "retention": [100.0, 50.0]}]
    # On 10 March: visitors 1, 2, 3 new; visitor 11 is customer a, seen on 2 March.
    body = get(client, f"/api/v1/stats/returning?site={S}&{DAY}", token).get_json()
    assert (body["results"]["new_visitors"], body["results"]["returning_visitors"]) == (3, 1)


def test_no_credentials(client, shop):
    answer = client.get(f"/api/v1/stats/goals?site={S}")
    assert answer.status_code == 401
    assert "authentication required" in answer.get_json()["error"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("bad", ["nonsense", "vk_" + "0" * 12 + "_" + "0" * 64])
def test_bad_keys(client, shop, bad):
    answer = get(client, f"/api/v1/stats/goals?site={S}", bad)
    assert answer.status_code == 401 and "API key" in answer.get_json()["error"]


def test_revoked_key(client, store, shop):
    key, token = create_api_key(store, S)
    assert get(client, f"/api/v1/stats/goals?site={S}", token).status_code == 200
    revoke_api_key(store, key.key_id)
    assert get(client, f"/api/v1/stats/goals?site={S}", token).status_code == 401


def test_a_key_reads_its_own_site_only(client, store, shop):
    _, other_token = create_api_key(store, "other.test")
    answer = get(client, f"/api/v1/stats/goals?site={S}", other_token)
    assert answer.status_code == 403
    assert answer.get_json() == {"error": "site: this API key is for other.test, not shop.test"}
    # Even for a domain Vigie does not track: no probing.
    assert get(client, "/api/v1/stats/goals?site=unknown.test", other_token).status_code == 403


def test_a_signed_in_admin_reads_any_site(client, store, shop):
    add_user(store, "ana@shop.example", "correct horse battery", is_admin=True)
    assert login(client, "ana@shop.example", "correct horse battery").status_code == 302
    assert client.get(f"/api/v1/stats/goals?site={S}&{DAY}").get_json()["results"][0]["visitors"] == 1
    assert client.get("/api/v1/stats/goals?site=other.test").get_json()["results"] == []
    missing = client.get("/api/v1/stats/goals?site=unknown.test")
    assert missing.status_code == 404 and "no site 'unknown.test'" in missing.get_json()["error"]


def test_a_marketer_reads_only_the_sites_granted(client, store, shop):
    add_user(store, "mia@shop.example", "correct horse battery", role="marketer", sites=[S])
    assert login(client, "mia@shop.example", "correct horse battery").status_code == 302
    assert client.get(f"/api/v1/stats/goals?site={S}&{DAY}").get_json()["results"][0]["visitors"] == 1
    assert client.get("/api/v1/stats/goals?site=other.test").status_code == 403
    assert client.get("/api/v1/stats/goals?site=unknown.test").status_code == 403


def test_a_retention_account_gets_no_web_analytics(client, store, shop):
    add_user(store, "rex@shop.example", "correct horse battery", role="retention", sites=[S])
    assert login(client, "rex@shop.example", "correct horse battery").status_code == 302
    refused = client.get(f"/api/v1/stats/goals?site={S}&{DAY}")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "this account's role does not include analytics"


@pytest.mark.parametrize("query, message", [
    ("", "site: missing"),
    (f"site={S}&period=fortnight",
     "period: 'fortnight' is not one of today, yesterday, 7d, 30d, month, last_month, 12mo, custom"),
    (f"site={S}&period=custom", "date: period=custom needs date=YYYY-MM-DD,YYYY-MM-DD"),
    (f"site={S}&period=custom&date=2026-03-10", "date: '2026-03-10' is not two dates"),
    (f"site={S}&period=custom&date=2026-03-10,tomorrow", "date: 'to' date 'tomorrow' is not a date"),
    (f"site={S}&period=custom&date=2026-03-10,2026-03-01", "date: the period ends (2026-03-01) before"),
    (f"site={S}&period=7d&date=2026-03-10,2026-03-11", "date: only with period=custom"),
    (f"site={S}&limit=0", "limit: 0 is not between 1 and 1000"),
    (f"site={S}&limit=ten", "limit: 'ten' is not a whole number"),
    (f"site={S}&page=0", "page: 0 is not between 1 and 1000000"),
    (f"site={S}&format=xml", "format: 'xml' is not one of json, csv"),
    (f"site={S}&site=other.test", "site: give it once, not 2 times"),
])
def test_bad_parameters_are_named(client, shop, token, query, message):
    answer = get(client, f"/api/v1/stats/goals?{query}", token)
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith(message)


def test_funnel_parameters(client, shop, token):
    missing = get(client, f"/api/v1/stats/funnel?site={S}", token)
    assert missing.status_code == 400 and missing.get_json()["error"].startswith("funnel_id: missing")
    unknown = get(client, f"/api/v1/stats/funnel?site={S}&funnel_id=nope", token)
    assert unknown.status_code == 404 and "no funnel 'nope'" in unknown.get_json()["error"]
    interval = get(client, f"/api/v1/stats/cohorts?site={S}&interval=day", token)
    assert interval.status_code == 400 and interval.get_json()["error"].startswith("interval:")


def test_relative_periods_end_today_in_the_site_time_zone(client, store, token):
    add_site(store, S, "Pacific/Kiritimati")  # UTC+14: often a day ahead of UTC
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=14))).date()
    for key, days in [("today", 1), ("7d", 7), ("30d", 30)]:
        body = get(client, f"/api/v1/stats/goals?site={S}&period={key}", token).get_json()
        assert body["period"] == {"key": key, "from": (today - datetime.timedelta(days=days - 1)).isoformat(),
                                  "to": today.isoformat()}
