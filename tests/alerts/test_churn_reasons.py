"""Reasons in plain words, from a feature, its value and the client's own baseline."""
import math

from vigie.alerts.churn_reasons import batch_reasons, reason_text, top_reasons

NAN = math.nan


def test_late_purchase_quotes_the_usual_gap():
    row = {"recency_days": 95.0, "gap_median_days": 20.0, "overdue_ratio": 4.75}
    assert reason_text("recency_days", row) == "no purchase for 95 days - usually every 20"
    assert reason_text("overdue_ratio", row) == "no purchase for 95 days - usually every 20"
    assert reason_text("recency_days", {"recency_days": 1.0, "gap_median_days": NAN}) == "no purchase for 1 day"
    assert reason_text("recency_days", {"recency_days": NAN}) == "no purchase yet"


def test_trends_against_the_previous_window():
    row = {"visits_30d": 1.0, "visits_prev_30d": 5.0, "visits_trend_30d": 0.2}
    assert reason_text("visits_trend_30d", row) == "web visits down 80 % vs the previous 30 days (1 vs 5)"
    row = {"spend_90d": 480.0, "spend_prev_90d": 1200.0, "spend_ratio_90d": 0.4}
    assert reason_text("spend_ratio_90d", row) == "spending down 60 % vs the previous 90 days (480 vs 1,200)"
    row = {"purchases_180d": 0.0, "purchases_prev_180d": 4.0}
    assert reason_text("purchases_ratio_180d", row) == "purchases down 100 % vs the previous 180 days (0 vs 4)"
    # No previous window to compare with: the count alone.
    assert reason_text("purchases_30d", {"purchases_30d": 1.0, "purchases_prev_30d": 0.0}) == \
        "1 purchase in the last 30 days"
    assert reason_text("engaged_minutes_7d", {"engaged_minutes_7d": 2.5}) == \
        "2.5 minutes on the website in the last 7 days"


def test_contract_pages_refunds_and_web_absence():
    assert reason_text("contract_cancelled", {"contract_cancelled": 1}) == "contract cancelled"
    assert reason_text("contract_cancelled", {"contract_cancelled": 0}) is None
    assert reason_text("key_cancel_views_30d", {"key_cancel_views_30d": 3.0}) == \
        "visited the cancel pages 3 times in the last 30 days"
    assert reason_text("refunds_count", {"refunds_count": 2.0, "refunds_amount": 1500.0}) == \
        "2 refunds (1,500 refunded)"
    assert reason_text("days_since_last_visit", {"days_since_last_visit": 45.0}) == "no web visit for 45 days"
    assert reason_text("days_since_last_visit", {"days_since_last_visit": NAN}) == "never seen on the website"
    assert reason_text("unknown_feature", {"unknown_feature": 1}) is None


def test_top_reasons_take_positive_contributions_and_skip_repeats():
    row = {"recency_days": 95.0, "gap_median_days": 20.0, "overdue_ratio": 4.75,
           "contract_cancelled": 1, "visits_30d": 0.0, "visits_prev_30d": 4.0,
           "tenure_days": 400.0}
    contributions = {"overdue_ratio": 1.2, "recency_days": 0.9, "visits_trend_30d": 0.5,
                     "contract_cancelled": 0.3, "tenure_days": -2.0}
    assert top_reasons(contributions, row) == [
        ("overdue_ratio", "no purchase for 95 days - usually every 20"),
        ("visits_trend_30d", "web visits down 100 % vs the previous 30 days (0 vs 4)"),
        ("contract_cancelled", "contract cancelled"),
    ]
    assert top_reasons({"tenure_days": -1.0}, row) == []


def test_batch_reasons_rank_like_top_reasons_for_every_client():
    features = ["recency_days", "overdue_ratio", "has_web", "days_since_last_visit",
                "visits_trend_30d", "contract_cancelled", "tenure_days", "refunds_count"]
    columns = features + ["gap_median_days", "visits_30d", "visits_prev_30d", "refunds_amount"]
    rows = [
        # late buyer on the web: has_web (1) has no words, the next member of its group speaks.
        {"recency_days": 95.0, "overdue_ratio": 4.75, "has_web": 1.0, "days_since_last_visit": 12.0,
         "visits_trend_30d": 0.0, "contract_cancelled": 1.0, "tenure_days": 400.0,
         "refunds_count": 0.0, "gap_median_days": 20.0, "visits_30d": 0.0, "visits_prev_30d": 4.0,
         "refunds_amount": 0.0},
        # never seen on the web, never bought: both groups say one sentence each.
        {"recency_days": NAN, "overdue_ratio": NAN, "has_web": 0.0, "days_since_last_visit": NAN,
         "visits_trend_30d": NAN, "contract_cancelled": 0.0, "tenure_days": 3.0,
         "refunds_count": 2.0, "gap_median_days": NAN, "visits_30d": 0.0, "visits_prev_30d": 0.0,
         "refunds_amount": 150.0},
        # nothing pushes the risk up.
        dict.fromkeys(columns, 1.0),
    ]
    contributions = [
        [0.9, 1.2, 2.0, 0.1, 0.5, 0.3, -2.0, 0.0],
        # ties: top_reasons takes the later feature name first.
        [0.4, 0.4, 0.7, 0.7, 0.2, 0.0, 0.4, 0.4],
        [-0.1, 0.0, -1.0, -0.2, 0.0, -0.3, -0.4, -0.5],
    ]
    values = [[row[c] for c in columns] for row in rows]
    got = batch_reasons(features, contributions, columns, values)
    assert got == [top_reasons(dict(zip(features, c)), row) for c, row in zip(contributions, rows)]
    assert got[0] == [
        ("overdue_ratio", "no purchase for 95 days - usually every 20"),
        ("visits_trend_30d", "web visits down 100 % vs the previous 30 days (0 vs 4)"),
        ("contract_cancelled", "contract cancelled"),
    ]
    assert got[1] == [
        ("has_web", "never seen on the website"),
        ("tenure_days", "client for 3 days"),
        ("refunds_count", "2 refunds (150 refunded)"),
    ]
    assert got[2] == []
