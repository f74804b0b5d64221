"""RFM segments and customer lifetime value from hand-built transactions, on both backends.

The data and its hand-worked scores: tests/customer_value_data.py.
"""
import datetime

import pytest

from vigie.analytics.customer_value import clv_report, customer_histories, rfm_report, value_buckets
from vigie.analytics.rfm import SCORES, SEGMENTS, quintile_scores, segment_of
from tests.churn_factories import insert_transactions, transaction
from tests.customer_value_data import AS_OF, CLIENTS, NET, S, day_before, seed_customer_value


@pytest.fixture
def shop(store):
    return seed_customer_value(store)


def test_histories_count_only_purchases_before_the_as_of_date(shop):
    clients = {c["customer_id"]: c for c in customer_histories(shop, S, AS_OF)}
    assert sorted(clients) == [c[0] for c in CLIENTS]
    assert {cid: c["net_revenue"] for cid, c in clients.items()} == NET
    c01, c12 = clients["c01"], clients["c12"]
    assert (c01["orders"], c01["recency_days"], c01["revenue"], c01["refunds"]) == (1, 300, 10.0, 0.0)
    assert (c12["orders"], c12["purchase_days"], c12["recency_days"], c12["age_days"],
            c12["active_days"], c12["revenue"], c12["refunds"]) == (4, 4, 2, 32, 30, 480.0, 30.0)
    assert c12["last_purchase"] == datetime.datetime(2026, 2, 27, 12, 0, tzinfo=datetime.timezone.utc)


def test_rfm_scores_and_every_segment(shop):
    report = rfm_report(shop, S, AS_OF)
    assert report["customers"] == 12
    got = {c["customer_id"]: (c["r"], c["f"], c["m"], c["segment"]) for c in report["clients"]}
    assert got == {cid: (r, f, m, seg) for cid, _, _, r, f, m, seg in CLIENTS}
    counts = {row["segment"]: row["customers"] for row in report["segments"]}
    assert counts == {"Champions": 1, "Loyal customers": 1, "Potential loyalists": 1,
                      "New customers": 1, "Promising": 1, "Need attention": 1, "About to sleep": 1,
                      "Cannot lose them": 1, "At risk": 2, "Lost": 1, "Hibernating": 1}
    at_risk = next(row for row in report["segments"] if row["segment"] == "At risk")
    assert (at_risk["share"], at_risk["net_revenue"]) == (16.7, 290.0)
    grid = {(cell["r"], cell["f"]): cell["customers"] for cell in report["grid"]}
    assert len(grid) == 25 and sum(grid.values()) == 12
    assert grid[(2, 4)] == 1 and grid[(1, 3)] == 1 and grid[(5, 5)] == 0


def test_rfm_lists_one_segment_best_client_first(shop):
    report = rfm_report(shop, S, AS_OF, segment="At risk")
    assert [(c["customer_id"], c["rfm"], c["net_revenue"]) for c in report["clients"]] == [
        ("c05", "243", 200.0), ("c03", "131", 90.0)]
    assert report["customers"] == 12


def test_no_client_before_the_first_purchase(shop):
    report = rfm_report(shop, S, datetime.date(2024, 1, 1))
    assert report["customers"] == 0 and report["clients"] == []
    assert all(row["customers"] == 0 and row["share"] == 0.0 for row in report["segments"])


def test_clv_history_totals_and_buckets(shop):
    report = clv_report(shop, S, AS_OF, horizon_days=180)
    assert report["customers"] == 12 and report["historical_total"] == 2020.0
    rows = {r["customer_id"]: r for r in report["clients"]}
    assert rows["c12"]["average_purchase_value"] == 112.5       # 450 over 4 purchase days
    # Width 50 (450 / 10 rounded up to 1-2-5), from 0 to 500.
    assert [(b["from"], b["to"], b["customers"]) for b in report["historical_buckets"]] == [
        (0, 50, 2), (50, 100, 2), (100, 150, 2), (150, 200, 0), (200, 250, 4),
        (250, 300, 0), (300, 350, 1), (350, 400, 0), (400, 450, 0), (450, 500, 1)]
    # Without discounting the prediction is expected purchases x the expected spend.
    assert report["model"]["name"] == "BG/NBD" and report["prediction_note"] == ""
    undiscounted = {r["customer_id"]: r for r in
                    clv_report(shop, S, AS_OF, horizon_days=180, discount_rate=0.0)["clients"]}
    for r in report["clients"]:
        assert r["expected_purchases"] >= 0
        same = undiscounted[r["customer_id"]]
        assert same["predicted_value"] == pytest.approx(same["expected_purchases"] * same["expected_spend"],
                                                        abs=0.01 + 0.001 * same["expected_spend"])
        # Discounting at 10 % a year lowers every value that is above zero.
        assert r["predicted_value"] <= same["predicted_value"]
    assert report["predicted_total"] < sum(r["predicted_value"] for r in undiscounted.values())
    assert report["predicted_total"] == pytest.approx(sum(r["predicted_value"] for r in report["clients"]))
    assert sum(b["customers"] for b in report["predicted_buckets"]) == 12
    # Both histograms share their buckets, so they can be drawn side by side.
    assert [(b["from"], b["to"]) for b in report["predicted_buckets"]] == [
        (b["from"], b["to"]) for b in report["historical_buckets"]]
    # Recent frequent buyers are expected to buy more than one-off buyers long gone.
    assert rows["c12"]["expected_purchases"] > rows["c01"]["expected_purchases"]



def test_clv_spend_model_shrinks_averages_toward_the_site(shop):
    report = clv_report(shop, S, AS_OF)
    spend = report["spend_model"]
    # Nine clients bought on two days or more (all but c01, c09, c11), all with a positive mean.
    assert spend["name"] == "Gamma-Gamma" and spend["repeat_buyers"] == 9 and spend["note"] == ""
    p, q, gamma = (spend["parameters"][k] for k in ("p", "q", "gamma"))
    assert q > 1 and spend["population_mean"] == pytest.approx(p * gamma / (q - 1), abs=0.01)
    for r in report["clients"]:
        x, m = r["purchase_days"], r["average_purchase_value"]
        assert r["expected_spend"] == pytest.approx(p * (gamma + x * m) / (p * x + q - 1), abs=0.01)
        # Between the client's own average and the site's mean.
        low, high = sorted((m, spend["population_mean"]))
        assert low - 0.01 <= r["expected_spend"] <= high + 0.01


def test_clv_spend_model_needs_repeat_buyers(shop):
    # Refunds bring five of the nine repeat buyers to zero: four repeat buyers with a
    # positive mean are left, too few to fit, so each client's own average is used.
    insert_transactions(shop, [transaction(S, cid, day_before(1), -NET[cid], type="refund")
                               for cid in ("c02", "c03", "c04", "c05", "c06")])
    report = clv_report(shop, S, AS_OF)
    assert report["prediction_note"] == ""
    assert report["spend_model"]["repeat_buyers"] == 4
    assert "at least 5 repeat buyers" in report["spend_model"]["note"]
    assert report["spend_model"]["parameters"] is None
    spend = {r["customer_id"]: r["expected_spend"] for r in report["clients"]}
    assert (spend["c12"], spend["c02"], spend["c09"]) == (112.5, 0.0, 90.0)


# Pure functions: no store needed, so no backend parameter.

def test_every_grid_cell_has_exactly_the_documented_segment():
    table = {5: ["New customers", "Potential loyalists", "Potential loyalists", "Champions", "Champions"],
             4: ["Promising", "Potential loyalists", "Potential loyalists", "Loyal customers",
                 "Loyal customers"],
             3: ["About to sleep", "About to sleep", "Need attention", "Loyal customers",
                 "Loyal customers"],
             2: ["Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose them"],
             1: ["Lost", "Hibernating", "At risk", "At risk", "Cannot lose them"]}
    assert {(r, f): segment_of(r, f) for r in SCORES for f in SCORES} == {
        (r, f): table[r][f - 1] for r in SCORES for f in SCORES}
    assert set(table[1] + table[2] + table[3] + table[4] + table[5]) == set(SEGMENTS)
    with pytest.raises(ValueError, match="R=0"):
        segment_of(0, 3)


def test_quintiles_share_scores_between_ties():
    assert quintile_scores([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert quintile_scores([5, 4, 3, 2, 1], higher_is_better=False) == [1, 2, 3, 4, 5]
    assert quintile_scores([7]) == [1]
    # Eight one-time buyers (below 0) and two repeat buyers (below 8 -> 1 + 40 // 10).
    assert quintile_scores([1] * 8 + [2, 3]) == [1] * 8 + [5, 5]
    assert quintile_scores([]) == []


def test_value_buckets():
    assert value_buckets([]) == []
    assert value_buckets([0, 0]) == [{"from": 0, "to": 1, "customers": 2}]
    assert [(b["from"], b["to"], b["customers"]) for b in value_buckets([-15, 5, 19.99, 20])] == [
        (-15, -10, 1), (-10, -5, 0), (-5, 0, 0), (0, 5, 0), (5, 10, 1), (10, 15, 0),
        (15, 20, 1), (20, 25, 1)]
    # The span widens the buckets to cover another series without counting it.
    assert [(b["from"], b["to"], b["customers"]) for b in value_buckets([1, 3], buckets=2, span=[9.5])] == [
        (0, 5, 2), (5, 10, 0)]
