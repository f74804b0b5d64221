"""Realised churn and base movement on hand-built clients (tests/base_movement_data.py), both backends."""
import datetime

import numpy as np
import pytest

from tests.base_movement_data import AS_OF, HORIZON, MOVEMENT, REVENUE, S, SCORED_ON, seed_base_movement
from tests.churn_factories import customer, insert_customers, insert_transactions, transaction
from tests.factories import event, insert_events
from vigie.alerts.churn_labels import churn_labels
from vigie.analytics.base_movement import NOT_LOST, base_movement, period_bounds, plans, spell_exits

D = datetime.date


@pytest.fixture
def shop(store):
    return seed_base_movement(store)


def _movement(report):
    return [(p["period"], p["start"], p["new"], p["reactivated"], p["lost"], p["lost_from_start"],
             p["end"], p["churn_rate"], p["provisional"]) for p in report["periods"]]


def test_movement_per_month_worked_out_by_hand(shop):
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4)
    assert _movement(report) == MOVEMENT
    for p in report["periods"]:
        assert p["start"] + p["new"] + p["reactivated"] - p["lost"] == p["end"]
        assert p["retained"] == p["start"] - p["lost_from_start"]
    assert [p["period_end"] for p in report["periods"]] == [
        "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    assert all(p["complete"] for p in report["periods"])


def _revenue(report):
    return [(p["period"], *(p[f"revenue_{k}"] for k in ("start", "new", "reactivated", "expansion",
                                                         "contraction", "churned", "end")))
            for p in report["periods"]]


def test_revenue_movement_worked_out_by_hand(shop):
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4)
    assert _revenue(report) == REVENUE
    assert "refunds not subtracted" in report["revenue_note"]
    # Only C is on "pro": 30 a month from January to March, no renewal in April: its 30 of
    # recurring revenue churn in April, the first month it does not pay.
    pro = base_movement(shop, S, AS_OF, HORIZON, periods=4, plan="pro")
    assert [r[1:] for r in _revenue(pro)] == [
        (0, 30, 0, 0, 0, 0, 30), (30, 0, 0, 0, 0, 0, 30), (30, 0, 0, 0, 0, 0, 30), (30, 0, 0, 0, 0, 30, 0)]


def test_a_later_as_of_date_settles_a_provisional_period(shop):
    """On 2026-05-10, March 6 + 60 = May 5 has passed: B is lost on Mar 6 (in March, at its
    start), so March has lost 2 of 2 and is still provisional (Mar 31 + 60 = May 30)."""
    march = base_movement(shop, S, D(2026, 5, 10), HORIZON, periods=3)["periods"][0]
    assert (march["period"], march["start"], march["lost"], march["lost_from_start"], march["end"],
            march["churn_rate"], march["provisional"]) == ("2026-03-01", 2, 2, 2, 1, 100.0, True)


def test_the_plan_filter_keeps_the_contract_clients(shop):
    """Only C is on "pro": new in January, lost in March by its contract."""
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4, plan="pro")
    assert [(p["start"], p["new"], p["lost"], p["end"], p["churn_rate"]) for p in report["periods"]] == [
        (0, 1, 0, 1, None), (1, 0, 0, 1, 0.0), (1, 0, 1, 0, 100.0), (0, 0, 0, 0, None)]
    assert plans(shop, S, AS_OF) == ["pro", "standard"]


def test_predicted_beside_realised_churn(shop):
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4)
    assert [(p["score_date"], p["scored"], p["mean_probability"], p["predicted_lost"], p["realised_lost"],
             p["realised_rate"]) for p in report["periods"]] == [
        (None, None, None, None, None, None),
        ("2026-02-01", 4, 0.65, 2.6, 3, 75.0),
        ("2026-02-01", 4, 0.65, 2.6, 3, 75.0),
        ("2026-02-01", 4, 0.65, 2.6, None, None)]


def test_the_realised_churn_is_the_churn_label(shop):
    """The same clients, window and rule as alerts/churn_labels: A, C and F churned, B stayed."""
    labels = churn_labels(shop, S, SCORED_ON, HORIZON, ["A", "B", "C", "F"], today=AS_OF)
    assert labels.to_dict() == {"A": 1, "B": 0, "C": 1, "F": 1}


def test_the_risk_band_filter_uses_the_scores_at_the_period_start(shop):
    """High at Feb 1: A, B, F. February: A at the start and lost, B reactivated, D (unscored)
    left out; realised A and F of 3, predicted 0.8 + 0.7 + 0.9. January has no scores."""
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4, risk_band="high")
    january, february = report["periods"][:2]
    assert january["start"] is None and january["scored"] is None
    assert (february["start"], february["new"], february["reactivated"], february["lost"],
            february["end"], february["churn_rate"]) == (1, 0, 1, 1, 1, 100.0)
    assert (february["scored"], february["mean_probability"], february["predicted_lost"],
            february["realised_lost"], february["realised_rate"]) == (3, 0.8, 2.4, 2, 66.7)


def test_counting_visits_keeps_a_client_who_only_visits(shop):
    """With visits counted (churn_label_requires_no_visit), A's visit on Mar 15 continues
    its spell (gap 43 days), so A is not lost in February but on Mar 16: not known on
    May 1 (Mar 16 + 60 = May 15), so A is still a client at the end of April."""
    insert_events(shop, [event(S, "2026-03-15 10:00:00", customer_id="A")])
    report = base_movement(shop, S, AS_OF, HORIZON, periods=4, with_visits=True)
    february, april = report["periods"][1], report["periods"][3]
    assert (february["lost"], february["lost_from_start"], april["end"]) == (1, 0, 4)


def test_a_segment_filter_and_the_week_grain(shop):
    insert_transactions(shop, [transaction(S, "E", "2026-04-28 09:00:00")])
    weeks = base_movement(shop, S, AS_OF, HORIZON, grain="week", periods=2)["periods"]
    assert [(w["period"], w["period_end"], w["complete"]) for w in weeks] == [
        ("2026-04-20", "2026-04-27", True), ("2026-04-27", "2026-05-01", False)]
    # Start of the week of Apr 27: B, E, H; nobody enters or leaves.
    assert [(w["start"], w["new"], w["lost"], w["end"]) for w in weeks] == [(3, 0, 0, 3), (3, 0, 0, 3)]
    # RFM as of May 1 over the 8 buyers. Recency, worst first: F G A D B C H E, so E (below 7)
    # has R = 1 + 35 // 8 = 5. Orders: four clients bought once, E twice (below 4: F = 1 + 20 // 8
    # = 3), A B C three times (F 4). E alone is R 5 F 3, a potential loyalist: new in March.
    loyalists = base_movement(shop, S, AS_OF, HORIZON, periods=2, segment="Potential loyalists")
    assert [(p["start"], p["new"], p["end"]) for p in loyalists["periods"]] == [(0, 1, 1), (1, 0, 1)]


def test_spells_break_at_the_horizon_and_at_the_contract_end(store):
    """As of 2026-05-01, H 60. P bought on Jan 1 and Mar 2 (a gap of exactly 60 days: one
    spell); Mar 3 + 60 = May 2 is after May 1, so P is not lost. Q bought on Jan 10, Jan 20
    and Feb 1, and its contract ended on Jan 15: the contract end cuts Jan 10 | Jan 20, so
    the first spell is lost on Jan 15 (by the contract: Q was back within 60 days) and Q is
    reactivated on Jan 20; that spell is lost on Feb 2 (Feb 2 + 60 = Apr 3). R bought on
    Jan 1 and Mar 3 (gap 61): lost on Jan 2, reactivated on Mar 3, not lost since."""
    insert_customers(store, [customer(S, "Q", created_at="2025-12-01", contract_ended_at="2026-01-15 08:00:00")])
    insert_transactions(store, [transaction(S, c, f"{day} 12:00:00") for c, day in [
        ("P", "2026-01-01"), ("P", "2026-03-02"), ("Q", "2026-01-10"), ("Q", "2026-01-20"),
        ("Q", "2026-02-01"), ("R", "2026-01-01"), ("R", "2026-03-03")]])
    report = base_movement(store, S, AS_OF, HORIZON, periods=4)
    months = report["periods"]
    # January: new P Q R; lost Q (Jan 15) and R (Jan 2); Q back on Jan 20. February: Q lost on Feb 2.
    assert [(p["start"], p["new"], p["reactivated"], p["lost"], p["end"]) for p in months] == [
        (0, 3, 1, 2, 2), (2, 0, 0, 1, 1), (1, 0, 1, 0, 2), (2, 0, 0, 0, 2)]
    # Revenue, 100 a purchase, moves period over period whatever the spells: January, all
    # three new (Q 200). February: Q 200 -> 100 (contraction 100), P and R pay nothing
    # (churned 200). March: Q churned 100, P and R back (reactivated 200). April: both churned.
    assert [r[1:] for r in _revenue(report)] == [
        (0, 400, 0, 0, 0, 0, 400), (400, 0, 0, 0, 100, 200, 100), (100, 0, 200, 0, 0, 100, 200),
        (200, 0, 0, 0, 0, 200, 0)]


def test_the_exit_of_a_spell():
    """As of day 180, H 60. Client 0: a spell last active on day 70, the next 61 days later:
    lost on 71 (71 + 60 <= 180); the next, last active on 131, is not known yet (132 + 60 >
    180). Client 1: contract ended on day 150, after its spell began: lost then. Client 2:
    its contract ended (120) before its spell began: no effect. Client 3: contract ended on
    120, cutting days 110 | 125: the first spell is lost on 120 (the client was back 15 days
    after its last day, so not by the quiet rule); the second is not known yet."""
    codes = np.array([0, 0, 1, 2, 3, 3])
    entry, last = np.array([10, 131, 120, 160, 100, 125]), np.array([70, 131, 125, 170, 110, 125])
    exit_, first = spell_exits(codes, entry, last, np.array([0, 150, 120, 120]), 60, 180)
    assert exit_.tolist() == [71, NOT_LOST, 150, NOT_LOST, 120, NOT_LOST]
    assert first.tolist() == [True, False, True, True, True, False]


def test_period_bounds_are_checked():
    assert period_bounds(D(2026, 3, 15), "month", 2) == [(D(2026, 2, 1), D(2026, 3, 1)),
                                                         (D(2026, 3, 1), D(2026, 3, 15))]
    with pytest.raises(ValueError, match="period 'day'"):
        period_bounds(AS_OF, "day", 2)
    with pytest.raises(ValueError, match="between 1 and 120"):
        period_bounds(AS_OF, "month", 0)
