"""Reasons in plain words, each template against hand-built clients: worrying
values speak with their baseline, values on the reassuring side or unchanged
never do, and purchase counts are purchase days."""
import datetime
import math

import numpy as np

from vigie.alerts.churn_features import build_features, feature_names, site_buyers
from vigie.alerts.churn_reasons import Buyers, batch_reasons, reason_text, top_reasons
from tests.churn_factories import insert_transactions, transaction

NAN = math.nan
KEY_PAGES = (("pricing", "/pricing**"), ("cancel", "/cancel**"))
# Ten clients who bought: totals and per-purchase amounts by share, 4 purchase days at the median.
BUYERS = Buyers(10, total_spent=((10, 20.0), (20, 40.0), (30, 60.0), (40, 80.0), (50, 100.0)),
                spent_per_purchase=((10, 5.0), (20, 10.0), (30, 15.0), (40, 20.0), (50, 25.0)),
                median_purchase_days=4.0, currency="EUR")


def test_late_only_when_later_than_the_clients_own_rhythm():
    late = {"recency_days": 95.0, "gap_median_days": 20.0, "overdue_ratio": 4.75, "gap_mean_days": 22.0,
            "has_transactions": 1}
    for feature in ("recency_days", "overdue_ratio", "gap_median_days", "gap_mean_days", "has_transactions"):
        assert reason_text(feature, late) == "no purchase for 95 days - usually every 20"
    # On time or early is no reason, even with a positive contribution.
    assert reason_text("recency_days", {"recency_days": 10.0, "gap_median_days": 20.0}) is None
    assert reason_text("overdue_ratio", {"recency_days": 20.0, "gap_median_days": 20.0}) is None
    # A single purchase day: no rhythm yet, the one purchase and how long ago.
    assert reason_text("recency_days", {"recency_days": 95.0, "gap_median_days": NAN}) == \
        "only one purchase so far, 95 days ago"
    assert reason_text("has_transactions", {"has_transactions": 0, "recency_days": NAN, "tenure_days": 30.0}) == \
        "no purchase yet, client for 30 days"


def test_window_features_speak_only_of_a_drop():
    drops = [
        ("purchases_ratio_90d", {"purchases_90d": 1.0, "purchases_prev_90d": 4.0},
         "purchases down 75 % vs the previous 90 days (1 vs 4)"),
        ("purchases_30d", {"purchases_30d": 0.0, "purchases_prev_30d": 2.0},
         "purchases down 100 % vs the previous 30 days (0 vs 2)"),
        ("spend_ratio_90d", {"spend_90d": 480.0, "spend_prev_90d": 1200.0},
         "spending down 60 % vs the previous 90 days (480.00 EUR vs 1,200.00 EUR)"),
        ("spend_180d", {"spend_180d": 990.0, "spend_prev_180d": 1000.0},
         "spending down 1 % vs the previous 180 days (990.00 EUR vs 1,000.00 EUR)"),
        ("visits_trend_30d", {"visits_30d": 1.0, "visits_prev_30d": 5.0},
         "web visits down 80 % vs the previous 30 days (1 vs 5)"),
        ("visits_7d", {"visits_7d": 1.0, "visits_prev_7d": 3.0},
         "web visits down 67 % vs the previous 7 days (1 vs 3)"),
        ("pageviews_7d", {"pageviews_7d": 3.0, "pageviews_prev_7d": 10.0},
         "pageviews down 70 % vs the previous 7 days (3 vs 10)"),
        ("engaged_minutes_30d", {"engaged_minutes_30d": 12.0, "engaged_minutes_prev_30d": 24.0},
         "time on the website down 50 % vs the previous 30 days (12 vs 24 minutes)"),
    ]
    for feature, row, text in drops:
        assert reason_text(feature, row, BUYERS) == text
    not_reasons = [
        # Up: the "spending up 163 %" once listed as a churn reason.
        ("spend_ratio_180d", {"spend_180d": 263.0, "spend_prev_180d": 100.0}),
        ("visits_trend_7d", {"visits_7d": 4.0, "visits_prev_7d": 1.0}),
        # No change: the "purchases up 0 % (1 vs 1)".
        ("purchases_ratio_30d", {"purchases_30d": 1.0, "purchases_prev_30d": 1.0}),
        # A drop that rounds to 0 %.
        ("spend_90d", {"spend_90d": 996.0, "spend_prev_90d": 1000.0}),
        # Nothing before to compare with.
        ("purchases_30d", {"purchases_30d": 1.0, "purchases_prev_30d": 0.0}),
        ("pageviews_90d", {"pageviews_90d": 0.0, "pageviews_prev_90d": 0.0}),
        ("engaged_minutes_7d", {"engaged_minutes_7d": 2.5}),
    ]
    for feature, row in not_reasons:
        assert reason_text(feature, row, BUYERS) is None, feature


def test_spending_is_placed_among_the_clients_who_bought():
    client = {"frequency": 2.0, "monetary_total": 36.7, "monetary_avg": 18.35}
    assert reason_text("monetary_total", client, BUYERS) == \
        "spent 36.70 EUR in total, among the lowest 20 % of clients who bought"
    assert reason_text("monetary_avg", client, BUYERS) == \
        "spends 18.35 EUR per purchase, among the lowest 40 % of clients who bought"
    # At a quantile is not below it: the next share.
    assert reason_text("monetary_total", dict(client, monetary_total=40.0), BUYERS) == \
        "spent 40.00 EUR in total, among the lowest 30 % of clients who bought"
    # From the median up, spending is not worrying.
    assert reason_text("monetary_total", dict(client, monetary_total=100.0), BUYERS) is None
    assert reason_text("monetary_avg", dict(client, monetary_avg=400.0), BUYERS) is None
    # No purchase (the recency group says so), or nobody to compare with.
    assert reason_text("monetary_total", {"frequency": 0.0, "monetary_total": 0.0}, BUYERS) is None
    assert reason_text("monetary_total", client) is None
    assert reason_text("monetary_total", client, Buyers(10, BUYERS.total_spent)) == \
        "spent 36.70 in total, among the lowest 20 % of clients who bought"


def test_few_purchases_against_the_median_client():
    assert reason_text("frequency", {"frequency": 2.0, "recency_days": 5.0}, BUYERS) == \
        "only 2 purchases so far - half of the clients who bought have 4 or more"
    assert reason_text("frequency", {"frequency": 4.0, "recency_days": 5.0}, BUYERS) is None
    assert reason_text("frequency", {"frequency": 9.0, "recency_days": 5.0}, BUYERS) is None
    assert reason_text("frequency", {"frequency": 1.0, "recency_days": 95.0}, BUYERS) == \
        "only one purchase so far, 95 days ago"
    assert reason_text("frequency", {"frequency": 0.0, "recency_days": NAN}, BUYERS) is None


def test_refunds_contract_web_pages_and_goals():
    refunds = {"refunds_count": 2.0, "refunds_amount": 150.0, "monetary_total": 600.0}
    assert reason_text("refunds_count", refunds, BUYERS) == "2 refunds (150.00 EUR refunded of 600.00 EUR spent)"
    assert reason_text("refunds_amount", refunds, BUYERS) == reason_text("refunds_count", refunds, BUYERS)
    assert reason_text("refunds_count", dict(refunds, monetary_total=0.0)) == "2 refunds (150.00 refunded)"
    assert reason_text("refunds_amount", {"refunds_count": 0.0, "refunds_amount": 0.0}) is None

    assert reason_text("contract_cancelled", {"contract_cancelled": 1}) == "contract cancelled"
    assert reason_text("contract_cancelled", {"contract_cancelled": 0}) is None

    # 12 visits in 180 days: usually one every 15 days.
    web = {"has_web": 1, "days_since_last_visit": 45.0, "visits_90d": 2.0, "visits_prev_90d": 10.0}
    assert reason_text("days_since_last_visit", web) == "no web visit for 45 days - usually about every 15"
    assert reason_text("has_web", web) == reason_text("days_since_last_visit", web)
    assert reason_text("days_since_last_visit", dict(web, days_since_last_visit=10.0)) is None
    # 7 visits: one every 25.7 days, said in whole days.
    assert reason_text("days_since_last_visit", dict(web, visits_prev_90d=5.0)) == \
        "no web visit for 45 days - usually about every 26"
    gone = {"has_web": 1, "days_since_last_visit": 200.0, "visits_90d": 0.0, "visits_prev_90d": 0.0}
    assert reason_text("days_since_last_visit", gone) == "no web visit for 200 days - none in the last 180"
    assert reason_text("days_since_last_visit", dict(gone, days_since_last_visit=100.0)) is None
    never = {"has_web": 0, "days_since_last_visit": NAN}
    assert reason_text("has_web", never) == reason_text("days_since_last_visit", never) == \
        "never seen on the website"

    pages = {"key_cancel_views_30d": 3.0, "pageviews_30d": 12.0}
    assert reason_text("key_cancel_views_30d", pages) == \
        "visited the cancel pages 3 times in the last 30 days (3 of 12 pageviews)"
    assert reason_text("key_cancel_views_30d", dict(pages, key_cancel_views_30d=0.0)) is None

    assert reason_text("goal_completions_30d", {"goal_completions_30d": 1.0, "goal_completions_90d": 7.0}) == \
        "1 goal completed in the last 30 days, against 6 in the 60 days before"
    # The same rate as before, or more, or none at all.
    for recent, quarter in ((3.0, 9.0), (5.0, 6.0), (0.0, 0.0)):
        assert reason_text("goal_completions_30d",
                           {"goal_completions_30d": recent, "goal_completions_90d": quarter}) is None

    # How long someone has been a client is not worrying in itself.
    assert reason_text("tenure_days", {"tenure_days": 3.0}) is None
    assert reason_text("unknown_feature", {"unknown_feature": 1}) is None


def _worrying_client():
    """A client for whom every feature with words has something to say."""
    row = {"has_transactions": 1, "recency_days": 95.0, "gap_median_days": 20.0, "gap_mean_days": 22.0,
           "overdue_ratio": 4.75, "frequency": 2.0, "monetary_total": 36.7, "monetary_avg": 18.35,
           "refunds_count": 1.0, "refunds_amount": 10.0, "contract_cancelled": 1, "tenure_days": 400.0,
           "has_web": 1, "days_since_last_visit": 45.0, "goal_completions_30d": 1.0,
           "goal_completions_90d": 7.0, "key_pricing_views_30d": 2.0, "key_cancel_views_30d": 1.0}
    for kind in ("purchases", "spend", "visits", "pageviews", "engaged_minutes"):
        for days in (7, 30, 90, 180):
            row[f"{kind}_{days}d"], row[f"{kind}_prev_{days}d"] = 2.0, 8.0
            row[f"{kind}_ratio_{days}d"] = row[f"{kind}_trend_{days}d"] = 0.25
    return row


def test_every_feature_but_two_has_a_template():
    row = _worrying_client()
    silent = [f for f in feature_names(KEY_PAGES) if reason_text(f, row, BUYERS) is None]
    assert silent == ["tenure_capped_days", "goal_completions_90d"]


def test_top_reasons_need_a_positive_contribution_and_a_worrying_value():
    row = {"recency_days": 95.0, "gap_median_days": 20.0, "overdue_ratio": 4.75, "contract_cancelled": 1,
           "spend_180d": 263.0, "spend_prev_180d": 100.0, "purchases_30d": 1.0, "purchases_prev_30d": 1.0,
           "visits_30d": 0.0, "visits_prev_30d": 4.0, "tenure_days": 400.0}
    contributions = {"spend_ratio_180d": 2.0, "purchases_ratio_30d": 1.5, "overdue_ratio": 1.2,
                     "recency_days": 0.9, "tenure_days": 0.8, "visits_trend_30d": 0.5,
                     "contract_cancelled": -0.3}
    assert top_reasons(contributions, row) == [
        ("overdue_ratio", "no purchase for 95 days - usually every 20"),
        ("visits_trend_30d", "web visits down 100 % vs the previous 30 days (0 vs 4)"),
    ]
    assert top_reasons({"contract_cancelled": -1.0}, row) == []


def test_batch_reasons_rank_like_top_reasons_for_every_client():
    features = ["recency_days", "overdue_ratio", "has_web", "days_since_last_visit", "monetary_total",
                "visits_trend_30d", "contract_cancelled", "tenure_days", "refunds_count", "refunds_amount"]
    columns = features + ["gap_median_days", "visits_30d", "visits_prev_30d", "visits_90d", "visits_prev_90d",
                          "frequency"]
    rows = [
        # late buyer, away from the website for longer than usual.
        {"recency_days": 95.0, "overdue_ratio": 4.75, "has_web": 1.0, "days_since_last_visit": 45.0,
         "monetary_total": 500.0, "visits_trend_30d": 0.0, "contract_cancelled": 1.0, "tenure_days": 400.0,
         "refunds_count": 0.0, "refunds_amount": 0.0, "gap_median_days": 20.0, "visits_30d": 0.0,
         "visits_prev_30d": 4.0, "visits_90d": 4.0, "visits_prev_90d": 8.0, "frequency": 6.0},
        # never seen on the web, one small purchase, refunded: groups speak once.
        {"recency_days": 3.0, "overdue_ratio": NAN, "has_web": 0.0, "days_since_last_visit": NAN,
         "monetary_total": 36.7, "visits_trend_30d": NAN, "contract_cancelled": 0.0, "tenure_days": 3.0,
         "refunds_count": 1.0, "refunds_amount": 36.7, "gap_median_days": NAN, "visits_30d": 0.0,
         "visits_prev_30d": 0.0, "visits_90d": 0.0, "visits_prev_90d": 0.0, "frequency": 1.0},
        # nothing pushes the risk up.
        dict.fromkeys(columns, 1.0),
    ]
    contributions = [
        [0.9, 1.2, 2.0, 0.1, 0.4, 0.5, 0.3, -2.0, 0.0, 0.0],
        # ties: top_reasons takes the later feature name first.
        [0.4, 0.4, 0.7, 0.7, 0.6, 0.2, 0.0, 0.4, 0.4, 0.4],
        [-0.1, 0.0, -1.0, -0.2, -0.3, 0.0, -0.3, -0.4, -0.5, -0.6],
    ]
    values = [[row[c] for c in columns] for row in rows]
    got = batch_reasons(features, contributions, columns, values, buyers=BUYERS)
    assert got == [top_reasons(dict(zip(features, c)), row, buyers=BUYERS) for c, row in zip(contributions, rows)]
    assert got[0] == [
        ("has_web", "no web visit for 45 days - usually about every 15"),
        ("overdue_ratio", "no purchase for 95 days - usually every 20"),
        ("visits_trend_30d", "web visits down 100 % vs the previous 30 days (0 vs 4)"),
    ]
    assert got[1] == [
        ("has_web", "never seen on the website"),
        ("monetary_total", "spent 36.70 EUR in total, among the lowest 20 % of clients who bought"),
        ("refunds_count", "1 refund (36.70 EUR refunded of 36.70 EUR spent)"),
    ]
    assert got[2] == []


AS_OF = datetime.date(2024, 6, 1)


def test_reasons_from_the_store_count_purchase_days_and_place_spending(store):
    site = "shop.example.com"
    insert_transactions(store, [
        # One basket of three lines: one purchase.
        *(transaction(site, "basket", f"2024-05-20 10:0{i}:00", amount) for i, amount in enumerate((10, 20, 30))),
        # Two purchase days, the first with two lines.
        transaction(site, "twice", "2024-03-01 10:00:00", 50),
        transaction(site, "twice", "2024-03-01 15:00:00", 50),
        transaction(site, "twice", "2024-04-01 10:00:00", 100),
        *(transaction(site, f"c{n}", "2024-05-01 10:00:00", 100 * n) for n in (3, 4, 5)),
        # Not a purchase, or not before the date: not counted.
        transaction(site, "basket", "2024-05-21 10:00:00", -60, type="refund"),
        transaction(site, "c3", "2024-06-01 00:00:00", 9000, currency="USD"),
    ])
    buyers = site_buyers(store, site, AS_OF)
    # Totals 60, 200, 300, 400, 500; per purchase 60, 100, 300, 400, 500; purchase days 1, 2, 1, 1, 1.
    assert buyers == Buyers(5, ((10, 60.0), (20, 200.0), (30, 200.0), (40, 300.0), (50, 300.0)),
                            ((10, 60.0), (20, 100.0), (30, 100.0), (40, 300.0), (50, 300.0)), 1.0, "EUR")
    frame = build_features(store, site, AS_OF, KEY_PAGES, today=datetime.date(2025, 1, 1))
    basket, twice = frame.loc["basket"].to_dict(), frame.loc["twice"].to_dict()
    assert (basket["frequency"], basket["purchases_30d"], basket["monetary_avg"]) == (1, 1, 60)
    assert reason_text("frequency", basket, buyers) == "only one purchase so far, 12 days ago"
    assert reason_text("monetary_total", basket, buyers) == \
        "spent 60.00 EUR in total, among the lowest 20 % of clients who bought"
    assert reason_text("purchases_30d", basket, buyers) is None  # 1 vs none before: not a drop
    assert reason_text("refunds_count", basket, buyers) == "1 refund (60.00 EUR refunded of 60.00 EUR spent)"
    assert twice["frequency"] == 2
    assert reason_text("recency_days", twice, buyers) == "no purchase for 61 days - usually every 31"
    assert reason_text("frequency", twice, buyers) is None  # more than the median client
    assert reason_text("monetary_total", twice, buyers) == \
        "spent 200.00 EUR in total, among the lowest 40 % of clients who bought"

    # Purchases in two currencies: amounts are given without one.
    insert_transactions(store, [transaction(site, "c4", "2024-05-02 10:00:00", 1, currency="USD")])
    assert site_buyers(store, site, AS_OF).currency == ""
    assert site_buyers(store, "nobody.example.com", AS_OF) == Buyers()


def test_batch_reasons_rule_out_silent_windows_exactly_as_the_sentences_do():
    # Edge pairs (now, before): a drop that rounds to 0 % (0.5 % rounds to even),
    # one that rounds up to 2 %, no earlier activity, unknowns, a rise.
    pairs = [(99.5, 100.0), (98.5, 100.0), (199.0, 200.0), (197.0, 200.0), (0.0, 0.0), (NAN, 4.0),
             (1.0, NAN), (5.0, 4.0), (0.0, 4.0), (2.0, 8.0), (0.994, 1.0)]
    features = feature_names(KEY_PAGES)
    windows = [f for f in features if f.startswith(("purchases_", "spend_", "visits_", "pageviews_",
                                                    "engaged_minutes_"))]
    assert len(windows) >= 20
    rng = np.random.default_rng(7)
    base = _worrying_client()
    rows = []
    for i in range(200):
        row = dict(base)
        for kind in ("purchases", "spend", "visits", "pageviews", "engaged_minutes"):
            for days in (7, 30, 90, 180):
                row[f"{kind}_{days}d"], row[f"{kind}_prev_{days}d"] = pairs[rng.integers(len(pairs))]
        rows.append(row)
    columns = sorted({c for row in rows for c in row} | set(features))
    values = [[row.get(c, NAN) for c in columns] for row in rows]
    contributions = rng.normal(size=(len(rows), len(features)))
    # Windows first, so that their sentences (or silence) decide most reasons.
    contributions[:, [features.index(f) for f in windows]] += 3.0
    got = batch_reasons(features, contributions, columns, values, buyers=BUYERS)
    expected = [top_reasons(dict(zip(features, c)), {k: v for k, v in zip(columns, vals)}, buyers=BUYERS)
                for c, vals in zip(contributions, values)]
    assert got == expected
    said = {t for reasons in got for _, t in reasons}
    assert any("down 2 %" in t for t in said) and any("down 1 %" in t for t in said)
    assert not any("down 0 %" in t for t in said)
