"""The Customers page's base movement section over HTTP (tests/base_movement_data.py, H = 60)."""
import pytest

from tests.base_movement_data import S, movement_settings, seed_base_movement
from tests.dashboard.dash_calls import call
from tests.dashboard.conftest import login
from tests.dashboard.retention_data import MARKETER, SITE, alerts_world
from tests.dashboard.test_alerts_page import rows
from tests.dashboard.test_churn_page import signed_in_as, texts
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

OUTPUTS = [("movement-body", "children"), ("movement-plan", "options")]


@pytest.fixture
def settings(store_url, tmp_path):
    return movement_settings(store_url, tmp_path)


def show(http, query, grain="month", segment=None, plan=None, band=None):
    answer = call(http, OUTPUTS, [("customers-listed", "data", query), ("movement-grain", "value", grain),
                                  ("movement-segment", "value", segment), ("movement-plan", "value", plan),
                                  ("movement-band", "value", band)])
    return answer["movement-body"]["children"], answer["movement-plan"]["options"]


@pytest.fixture
def retention(client, store):
    alerts_world(store)   # the marketer's account
    add_site(store, S, "UTC")
    add_user(store, "rb@shop.test", "retention password", role="retention", sites=[S, SITE])
    seed_base_movement(store)
    login(client, "rb@shop.test", "retention password")
    return client


def test_the_table_shows_the_hand_worked_months(retention):
    body, plans = show(retention, {"site": S, "date": "2026-05-01"})
    assert plans == ["pro", "standard"]
    table = rows(body, "movement-table")
    assert table[-4:] == [
        ["2026-01-01", "1", "1", "0", "0", "0", "2", "0.0%", "—", "—"],
        ["2026-02-01", "2", "1", "1", "2", "1", "2", "50.0%", "65.0% (2.6 of 4)", "75.0% (3 of 4)"],
        ["2026-03-01 (provisional)", "2", "1", "0", "1", "1", "2", "50.0%", "65.0% (2.6 of 4)",
         "75.0% (3 of 4)"],
        ["2026-04-01 (provisional)", "2", "1", "0", "0", "0", "3", "0.0%", "65.0% (2.6 of 4)", "not over yet"]]
    # Twelve months up to April: the eight before January are empty.
    assert len(table) == 12 and table[0][:8] == ["2025-05-01", "0", "0", "0", "0", "0", "0", "—"]
    assert "refunds not subtracted" in " ".join(texts(body))
    # The revenue waterfall below it (tests/base_movement_data.py, REVENUE).
    assert rows(body, "movement-revenue-table")[-4:] == [
        ["2026-01-01", "100.00", "30.00", "250.00", "0.00", "0.00", "100.00", "280.00"],
        ["2026-02-01", "280.00", "100.00", "100.00", "0.00", "0.00", "250.00", "230.00"],
        ["2026-03-01 (provisional)", "230.00", "100.00", "0.00", "0.00", "40.00", "100.00", "190.00"],
        ["2026-04-01 (provisional)", "190.00", "100.00", "0.00", "0.00", "0.00", "190.00", "100.00"]]


def test_filters_reach_the_table_and_the_csv_link(retention):
    body, _ = show(retention, {"site": S, "date": "2026-05-01"}, plan="pro", band="low")
    assert [r[:7] for r in rows(body, "movement-table")[-4:]] == [
        ["2026-01-01", "—", "—", "—", "—", "—", "—"],
        ["2026-02-01", "1", "0", "0", "0", "0", "1"],
        ["2026-03-01 (provisional)", "1", "0", "0", "1", "1", "0"],
        ["2026-04-01 (provisional)", "0", "0", "0", "0", "0", "0"]]
    link = [c for c in body["props"]["children"] if c["props"].get("id") == "movement-csv"][0]
    assert link["props"]["href"] == (f"/api/v1/stats/base-movement?site={S}&date=2026-05-01&format=csv"
                                     "&limit=1000&period=month&periods=12&plan=pro&band=low")


def test_a_bad_value_and_a_marketer_are_refused(client, store, retention):
    body, _ = show(retention, {"site": S, "date": "2026-05-01"}, band="extreme")
    assert texts(body) == ["Choose the period, segment and risk band from their lists."]
    body, _ = show(retention, {"site": S, "date": "May"})
    assert texts(body) == ["“May” is not a date like 2026-03-01."]
    other = client.application.test_client()
    signed_in_as(other, MARKETER)
    body, _ = show(other, {"site": S})
    assert "retention team" in texts(body)[0]


def test_a_period_not_over_is_marked_so_far(retention):
    """As of 2026-04-15, April runs to the 15th only: its figures are not comparable with a
    whole month's, and both tables say so."""
    body, _ = show(retention, {"site": S, "date": "2026-04-15"})
    assert rows(body, "movement-table")[-1][0] == "2026-04-01 (provisional, so far)"
    assert rows(body, "movement-revenue-table")[-1][0] == "2026-04-01 (provisional, so far)"
    assert rows(body, "movement-table")[-2][0] == "2026-03-01 (provisional)"
