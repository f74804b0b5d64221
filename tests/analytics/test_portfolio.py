"""Discounting, portfolio value, value at risk and the loyalty-profitability matrix.

Pure functions on hand-made rows with round numbers first; then the store
reads (risk bands, ended contracts, the trend) on both backends with the
twelve clients of tests/customer_value_data.py.
"""
import datetime

import numpy as np
import pytest

from vigie.analytics.customer_value import clv_report
from vigie.analytics.lifetime_value import DAYS_PER_MONTH, discounted_purchases, month_ends, monthly_rate
from vigie.analytics.portfolio import (cell_page, latest_risk, loyalty_matrix, portfolio_report, portfolio_summary,
                                       portfolio_trend, trend_dates)
from tests.customer_value_data import AS_OF, S, seed_portfolio


def test_monthly_rate_compounds_to_the_annual_one():
    assert (1 + monthly_rate(0.10)) ** 12 == pytest.approx(1.10)
    assert monthly_rate(0.0) == 0.0


def test_discounting_one_purchase_a_month_by_hand():
    def one_a_month(horizon_days):
        return np.array([[end / DAYS_PER_MONTH] for end in month_ends(horizon_days)])
    # Twelve months, one purchase each: 12 undiscounted; at 10 % a year, the
    # sum of 1 / 1.1^(k/12) for k = 1..12 = (1 - 1/1.1) / d with d the monthly rate.
    year = 12 * DAYS_PER_MONTH
    assert month_ends(year)[-1] == pytest.approx(year) and len(month_ends(year)) == 12
    assert discounted_purchases(one_a_month(year), year, 0.0)[0] == pytest.approx(12.0)
    d = monthly_rate(0.10)
    assert discounted_purchases(one_a_month(year), year, 0.10)[0] == pytest.approx((1 - 1 / 1.1) / d)
    assert (1 - 1 / 1.1) / d == pytest.approx(11.40, abs=0.005)
    # 45 days: a full month discounted once, then 14.5625 / 30.4375 of one discounted twice.
    assert month_ends(45) == pytest.approx([DAYS_PER_MONTH, 45.0])
    assert discounted_purchases(one_a_month(45), 45, 0.10)[0] == pytest.approx(
        1 / (1 + d) + (45 - DAYS_PER_MONTH) / DAYS_PER_MONTH / (1 + d) ** 2)


# Five clients: medians CLV 50 and tenure 200 days.
ROWS = [
    {"customer_id": "a", "clv": 100.0, "tenure_days": 400, "probability": 0.8, "band": "high",
     "segment": "Champions"},
    {"customer_id": "b", "clv": 10.0, "tenure_days": 30, "probability": 0.2, "band": "low",
     "segment": "New customers"},
    {"customer_id": "c", "clv": 50.0, "tenure_days": 200, "probability": 0.5, "band": "medium",
     "segment": "Champions"},
    {"customer_id": "d", "clv": 200.0, "tenure_days": 20, "probability": None, "band": "unscored",
     "segment": "Promising"},
    {"customer_id": "e", "clv": 5.0, "tenure_days": 500, "probability": 0.1, "band": "low",
     "segment": "Lost"},
]


def _cells(matrix):
    return {c["cell"]: (c["clients"], c["value"], c["mean_risk"]) for c in matrix["cells"]}


def test_matrix_at_the_medians_by_hand():
    matrix = loyalty_matrix(ROWS)
    assert (matrix["value_cutoff"], matrix["tenure_cutoff_days"]) == (50.0, 200.0)
    # c sits exactly on both medians: at a cut-off is low profit and short.
    assert {r["customer_id"]: r["cell"] for r in matrix["clients"]} == {
        "a": "true_friends", "b": "strangers", "c": "strangers", "d": "butterflies", "e": "barnacles"}
    assert _cells(matrix) == {"strangers": (2, 60.0, 0.35), "butterflies": (1, 200.0, None),
                              "true_friends": (1, 100.0, 0.8), "barnacles": (1, 5.0, 0.1)}


def test_matrix_with_cutoffs_given():
    matrix = loyalty_matrix(ROWS, value_cutoff=20, tenure_cutoff_days=100)
    assert _cells(matrix) == {"strangers": (1, 10.0, 0.2), "butterflies": (1, 200.0, None),
                              "true_friends": (2, 150.0, 0.65), "barnacles": (1, 5.0, 0.1)}
    page, total = cell_page(matrix, "true_friends", 0, 1)
    assert ([r["customer_id"] for r in page], total) == (["a"], 2)
    page, total = cell_page(matrix, "true_friends", 1, 1)
    assert [r["customer_id"] for r in page] == ["c"]
    with pytest.raises(ValueError, match="cell 'friends'"):
        cell_page(matrix, "friends", 0, 10)
    assert loyalty_matrix([])["cells"][0]["clients"] == 0


def test_portfolio_summary_by_hand():
    # Six clients bought; one of them has an ended contract, so five rows are active.
    clv = {"predicted_total": 365.0, "horizon_days": 365, "discount_rate": 0.1, "model": {},
           "spend_model": {}, "prediction_note": "", "customers": 6}
    summary = portfolio_summary(AS_OF, clv, ROWS)
    assert (summary["clients"], summary["buyers"], summary["value"], summary["value_at_risk"],
            summary["at_risk_clients"]) == (5, 6, 365.0, 100.0, 1)
    assert {b["band"]: (b["clients"], b["value"]) for b in summary["by_band"]} == {
        "high": (1, 100.0), "medium": (1, 50.0), "low": (2, 15.0), "unscored": (1, 200.0)}
    segments = {s["segment"]: (s["clients"], s["value"]) for s in summary["by_segment"]}
    assert segments["Champions"] == (2, 150.0) and segments["At risk"] == (0, 0)
    assert sum(s["clients"] for s in summary["by_segment"]) == 5


def test_trend_dates():
    assert trend_dates(datetime.date(2026, 2, 17), 3) == [
        datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]


@pytest.fixture
def shop(store):
    return seed_portfolio(store)


def test_portfolio_value_and_value_at_risk(shop):
    summary, rows = portfolio_report(shop, S, AS_OF)
    clv = {r["customer_id"]: r["predicted_value"] for r in clv_report(shop, S, AS_OF)["clients"]}
    assert sorted(r["customer_id"] for r in rows) == sorted(set(clv) - {"c02"})
    assert summary["clients"] == 11
    assert summary["value"] == pytest.approx(sum(v for cid, v in clv.items() if cid != "c02"), abs=0.01)
    # The 09:00 run of 2026-02-20: c12 and c05 high; c07's score of the day after is too late.
    assert summary["value_at_risk"] == pytest.approx(clv["c12"] + clv["c05"], abs=0.01)
    assert summary["at_risk_clients"] == 2
    bands = {b["band"]: b["clients"] for b in summary["by_band"]}
    assert bands == {"high": 2, "medium": 1, "low": 1, "unscored": 7}
    by_id = {r["customer_id"]: r for r in rows}
    assert (by_id["c12"]["probability"], by_id["c07"]["band"]) == (0.85, "unscored")
    assert by_id["c12"]["tenure_days"] == 32 and by_id["c12"]["segment"] == "Champions"
    assert summary["spend_model"]["name"] == "Gamma-Gamma"
    # A run as of D reads the data before D's midnight, as the report does: it counts on D.
    assert latest_risk(shop, S, datetime.date(2026, 3, 2)) == {"c07": (0.99, "high")}
    assert sorted(latest_risk(shop, S, AS_OF)) == ["c01", "c04", "c05", "c12"]


def test_portfolio_trend_uses_only_the_history_before_each_point(shop):
    points = portfolio_trend(shop, S, AS_OF, months=2)
    assert [p["as_of"] for p in points] == [datetime.date(2026, 2, 1), AS_OF]
    # Before 2026-02-01 (28 days before the as-of date) c11 had not bought yet
    # (first purchase 5 days before); c02 is left out as ended: 10 clients, then 11.
    assert [p["clients"] for p in points] == [10, 11]
    summary, _ = portfolio_report(shop, S, AS_OF)
    assert points[-1]["value"] == pytest.approx(summary["value"], abs=0.01)
    with pytest.raises(ValueError, match="months"):
        portfolio_trend(shop, S, AS_OF, months=0)
