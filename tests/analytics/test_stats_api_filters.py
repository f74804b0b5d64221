"""Stats API goals, funnel, cohorts and returning under f_NAME filters, on both backends.

The day is tests/analytics/filtered_day.py; the numbers are those of
tests/analytics/test_report_filters.py, read through HTTP with an API key.
"""
import csv
import io

import pytest

from tests.analytics.filtered_day import S, load_filtered_day
from vigie.warehouse.api_keys import create_api_key

DAY = "period=custom&date=2026-03-10,2026-03-10"


@pytest.fixture
def day(store):
    site, goals, funnel = load_filtered_day(store)
    return goals, funnel, create_api_key(store, S, "tests")[1]


def get(client, query, token):
    answer = client.get(f"/api/v1/stats/{query}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def test_goals_with_a_country_filter(client, day):
    goals, _, token = day
    body = get(client, f"goals?site={S}&{DAY}&f_country=DE", token).get_json()
    assert body["filters"] == {"country": "DE"} and "ignored" not in body
    rows = {row["pattern"]: row for row in body["results"]}
    # Only visits B and C (visitor 2): B converts 5 minutes after it started.
    assert (rows["signup"]["visitors"], rows["signup"]["conversion_rate"],
            rows["signup"]["median_seconds_to_convert"]) == (1, 100.0, 300)
    assert (rows["/thank-you"]["visitors"], rows["/thank-you"]["conversion_rate"]) == (0, 0.0)
    # The goal filter: visits that reached the signup goal (A and B).
    csv_text = get(client, f"goals?site={S}&{DAY}&f_goal={goals['signup'].goal_id}&format=csv",
                   token).get_data(as_text=True)
    table = {r["pattern"]: r for r in csv.DictReader(io.StringIO(csv_text))}
    assert (table["signup"]["visitors"], table["signup"]["conversion_rate"]) == ("2", "100.0")


def test_funnel_with_source_and_combined_filters(client, day):
    _, funnel, token = day
    query = f"funnel?site={S}&{DAY}&funnel_id={funnel.funnel_id}"
    google = get(client, query + "&f_source=Google", token).get_json()
    assert [s["visitors"] for s in google["results"]] == [2, 1]
    assert google["filters"] == {"source": "Google"} and "ignored" not in google
    pro = get(client, query + "&f_source=Google&f_prop:plan=pro", token).get_json()
    assert [s["visitors"] for s in pro["results"]] == [1, 1]
    nothing = get(client, query + "&f_country=JP", token).get_json()
    assert [s["visitors"] for s in nothing["results"]] == [0, 0]
    assert nothing["funnel"]["conversion_rate"] is None


def test_returning_and_cohorts_with_filters(client, day):
    _, _, token = day
    page = get(client, f"returning?site={S}&{DAY}&f_page=/pricing", token).get_json()
    assert {k: page["results"][k] for k in ("new_visits", "returning_visits", "visitors")} == {
        "new_visits": 2, "returning_visits": 1, "visitors": 3}
    two_weeks = "period=custom&date=2026-03-02,2026-03-15"
    google = get(client, f"cohorts?site={S}&{two_weeks}&f_source=Google", token).get_json()
    assert [(r["cohort"], r["customers"], r["returning"]) for r in google["results"]] == [
        ("2026-03-02", 1, [1, 0]), ("2026-03-09", 1, [1])]
    assert get(client, f"cohorts?site={S}&{two_weeks}&f_country=JP", token).get_json()["results"] == []


def test_realtime_still_lists_filters_as_ignored(client, day):
    _, _, token = day
    body = get(client, f"realtime?site={S}&f_country=DE", token).get_json()
    assert body["ignored"] == ["f_country"]
