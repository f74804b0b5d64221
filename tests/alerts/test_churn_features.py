"""Churn features from hand-built rows, every number worked out by hand, on both backends."""
import datetime
import math

import pandas.testing

from vigie.alerts.churn_features import build_features, client_slices, feature_names
from tests.churn_factories import (customer, insert_customers, insert_goal, insert_transactions,
                                   insert_visit, transaction)
from tests.factories import event, insert_events

SITE = "shop.example.com"
AS_OF = datetime.date(2024, 6, 1)
TODAY = datetime.date(2025, 1, 1)
KEY_PAGES = (("pricing", "/pricing**"), ("cancel", "/cancel**"))


def _history(store):
    insert_customers(store, [
        customer(SITE, "a", created_at="2023-01-01"),
        customer(SITE, "c", created_at="2023-01-01", contract_status="ended",
                 contract_ended_at="2024-05-15"),
        customer(SITE, "d", created_at="2024-07-01"),
        # The row holds today's status; as of a past date it must not count.
        customer(SITE, "e", created_at="2024-01-01", contract_status="cancelled"),
    ])
    insert_transactions(store, [
        # a: purchases 90, 50, 30 and 10 days before June 1st, one refund.
        transaction(SITE, "a", "2024-03-03 10:00:00", 80),
        transaction(SITE, "a", "2024-04-12 10:00:00", 200),
        transaction(SITE, "a", "2024-05-02 10:00:00", 50),
        transaction(SITE, "a", "2024-05-22 10:00:00", 100),
        transaction(SITE, "a", "2024-05-25 10:00:00", -30, type="refund"),
        transaction(SITE, "c", "2024-04-01 10:00:00", 70),
        transaction(SITE, "e", "2024-05-01 10:00:00", 0, type="cancellation"),
    ])
    insert_goal(store, SITE, "pricing", "pageview", "/pricing")
    insert_events(store, [
        # b: web only; three days with activity, 2 minutes engaged on May 30th.
        event(SITE, "2024-03-15 08:00:00", customer_id="b", pathname="/cancel/confirm"),
        event(SITE, "2024-05-20 08:00:00", customer_id="b", pathname="/"),
        event(SITE, "2024-05-20 08:05:00", customer_id="b", pathname="/products"),
        event(SITE, "2024-05-30 08:00:00", customer_id="b", pathname="/pricing"),
        event(SITE, "2024-05-30 08:03:00", "engagement", customer_id="b", pathname="/pricing",
              engaged_ms=120000),
        event(SITE, "2024-05-30 09:00:00", customer_id=""),  # anonymous: nobody's feature
    ])


def test_transaction_features_by_hand(store):
    _history(store)
    frame = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY)
    assert list(frame.index) == ["a", "b", "e"]  # c ended before, d did not exist yet
    a = frame.loc["a"]
    assert a["has_transactions"] == 1 and a["frequency"] == 4 and a["monetary_total"] == 430
    assert a["monetary_avg"] == 107.5
    assert a["recency_days"] == 10
    assert a["tenure_days"] == 517  # 2023-01-01 .. 2024-06-01
    assert a["tenure_capped_days"] == 180  # the model sees "established", not an age beyond its training range
    assert a["gap_median_days"] == 20  # gaps 40, 20, 20
    assert math.isclose(a["gap_mean_days"], 80 / 3)
    assert a["overdue_ratio"] == 0.5
    # First purchase 90 days before, the last 10: silent for a ninth of their
    # time as a buyer; at 4 purchase days in 90, 4/9 of a purchase missed.
    assert a["first_purchase_age_days"] == 90 and math.isclose(a["recency_share"], 1 / 9)
    # To the second for the purchase models: 10:00 on March 3rd and May 22nd; four orders.
    assert a["purchase_moments"] == 4
    assert math.isclose(a["first_purchase_age_exact_days"], 90 - 10 / 24)
    assert math.isclose(a["recency_exact_days"], 10 - 10 / 24)
    assert math.isclose(a["missed_purchases"], 4 / 9)
    assert (a["purchases_30d"], a["purchases_prev_30d"], a["purchases_ratio_30d"]) == (2, 1, 2.0)
    assert (a["spend_30d"], a["spend_prev_30d"], a["spend_ratio_30d"]) == (150, 200, 0.75)
    assert a["purchases_90d"] == 4 and a["purchases_prev_90d"] == 0
    assert math.isnan(a["purchases_ratio_90d"])
    assert (a["refunds_count"], a["refunds_amount"]) == (1, 30)
    assert a["has_web"] == 0 and a["visits_30d"] == 0 and math.isnan(a["days_since_last_visit"])
    e = frame.loc["e"]
    assert e["contract_cancelled"] == 1 and e["frequency"] == 0 and e["has_transactions"] == 0
    assert math.isnan(e["recency_days"]) and e["tenure_days"] == 152
    assert all(math.isnan(e[f]) for f in ("recency_share", "missed_purchases"))
    assert frame.loc["a", "contract_cancelled"] == 0


def test_purchases_are_counted_in_purchase_days(store):
    insert_transactions(store, [
        # One basket of three lines, then two orders on one later day.
        transaction(SITE, "a", "2024-05-10 10:00:00", 10),
        transaction(SITE, "a", "2024-05-10 10:00:00", 20),
        transaction(SITE, "a", "2024-05-10 10:01:00", 30),
        transaction(SITE, "a", "2024-05-25 09:00:00", 40),
        transaction(SITE, "a", "2024-05-25 18:00:00", 20),
        transaction(SITE, "a", "2024-03-20 10:00:00", 50),
        transaction(SITE, "a", "2024-03-20 11:00:00", 50, type="renewal"),
    ])
    a = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY).loc["a"]
    assert (a["frequency"], a["purchase_days"], a["monetary_total"]) == (3, 3, 220)
    assert a["monetary_avg"] == 220 / 3
    assert (a["purchases_30d"], a["purchases_prev_30d"], a["purchases_90d"]) == (2, 0, 3)
    assert a["spend_30d"] == 120 and math.isnan(a["purchases_ratio_90d"])
    assert a["gap_mean_days"] == 33  # gaps of 51 and 15 days between purchase days


def test_web_features_by_hand(store):
    _history(store)
    b = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY).loc["b"]
    assert b["has_web"] == 1 and b["has_transactions"] == 0 and math.isnan(b["recency_days"])
    assert b["days_since_last_visit"] == 2
    assert b["tenure_days"] == 78  # first seen 2024-03-15
    assert b["tenure_capped_days"] == 78
    # No sessions job output: a visit is a day with events.
    assert (b["visits_7d"], b["visits_prev_7d"], b["visits_trend_7d"]) == (1, 1, 1.0)
    assert (b["visits_30d"], b["visits_prev_30d"]) == (2, 0) and math.isnan(b["visits_trend_30d"])
    assert b["visits_90d"] == 3
    assert (b["pageviews_7d"], b["pageviews_30d"], b["pageviews_90d"]) == (1, 3, 4)
    assert b["engaged_minutes_7d"] == 2.0
    # The week before: the two pageviews of May 20th, no engaged time.
    assert (b["pageviews_prev_7d"], b["engaged_minutes_prev_7d"], b["pageviews_prev_30d"]) == (2, 0, 0)
    assert (b["key_pricing_views_30d"], b["key_cancel_views_30d"]) == (1, 0)
    assert (b["goal_completions_30d"], b["goal_completions_90d"]) == (1, 1)


def test_visits_come_from_sessions_when_the_job_has_run(store):
    _history(store)
    insert_visit(store, SITE, "b", "2024-05-30 08:00:00", "2024-05-30 08:03:00", 1, pageviews=2)
    insert_visit(store, SITE, "b", "2024-05-30 18:00:00", "2024-05-30 18:10:00", 2)
    insert_visit(store, SITE, "b", "2024-04-20 08:00:00", "2024-04-20 08:01:00", 3)
    # Ends after the reference time: it may hold later pageviews, so it is left out.
    insert_visit(store, SITE, "b", "2024-05-31 23:50:00", "2024-06-01 00:20:00", 4)
    b = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY).loc["b"]
    assert (b["visits_7d"], b["visits_30d"], b["visits_prev_30d"], b["visits_90d"]) == (2, 2, 1, 3)
    assert b["visits_trend_30d"] == 2.0


def test_rows_on_or_after_the_reference_date_change_nothing(store):
    _history(store)
    before = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY)
    insert_transactions(store, [
        transaction(SITE, "a", "2024-06-01 00:00:00", 999),
        transaction(SITE, "a", "2024-06-20 10:00:00", 5),
        transaction(SITE, "b", "2024-06-02 10:00:00", 40),
        transaction(SITE, "a", "2024-07-01 10:00:00", -100, type="refund"),
        transaction(SITE, "e", "2024-06-05 10:00:00", 0, type="cancellation"),
        transaction(SITE, "f", "2024-06-05 10:00:00", 10),
    ])
    insert_events(store, [
        event(SITE, "2024-06-01 00:00:00", customer_id="a", pathname="/cancel"),
        event(SITE, "2024-06-15 12:00:00", customer_id="b", pathname="/pricing", engaged_ms=5000),
        event(SITE, "2024-06-15 12:00:00", customer_id="g", pathname="/"),
    ])
    insert_visit(store, SITE, "a", "2024-06-02 08:00:00", "2024-06-02 08:03:00", 9)
    insert_customers(store, [customer(SITE, "h", created_at="2024-06-10")])
    after = build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY)
    assert list(after.columns) == feature_names(KEY_PAGES) + list(after.columns[len(feature_names(KEY_PAGES)):])
    pandas.testing.assert_frame_equal(before, after)


def test_live_scoring_uses_the_current_contract_status(store):
    _history(store)
    insert_customers(store, [customer(SITE, "z", created_at="2023-01-01", contract_status="ended")])
    frame = build_features(store, SITE, TODAY, KEY_PAGES, today=TODAY)
    assert "z" not in frame.index and "c" not in frame.index
    assert frame.loc["e", "contract_cancelled"] == 1


def _slices_cover_everyone(store, as_of, size):
    """Every slice's frame, concatenated: each client once, the same rows as the whole."""
    whole = build_features(store, SITE, as_of, KEY_PAGES, today=TODAY)
    slices = client_slices(store, SITE, size)
    parts = [build_features(store, SITE, as_of, KEY_PAGES, today=TODAY, clients=c) for c in slices]
    ids = [cid for part in parts for cid in part.index]
    assert sorted(ids) == list(whole.index) and len(ids) == len(set(ids))
    if len(whole):
        pandas.testing.assert_frame_equal(pandas.concat(parts).sort_index(), whole, check_dtype=False)
    return slices, parts


def test_slices_together_are_the_whole(store):
    _history(store)
    slices, parts = _slices_cover_everyone(store, AS_OF, 2)
    # Ids a, b, c, d, e sorted, two per slice: [.., c), [c, e), [e, ..); c had
    # ended and d did not exist yet, so the middle slice scores nobody.
    assert slices == [(None, "c"), ("c", "e"), ("e", None)]
    assert [list(p.index) for p in parts] == [["a", "b"], [], ["e"]]
    for size in (1, 3, 5, 100):
        _slices_cover_everyone(store, AS_OF, size)


def test_slices_split_ids_that_are_prefixes_of_each_other(store):
    ids = ["7", "70", "700", "7000", "71", "8", "é", "a b"]
    insert_customers(store, [customer(SITE, cid, created_at="2023-01-01") for cid in ids])
    insert_transactions(store, [transaction(SITE, "70", "2024-05-01 10:00:00", 20)])
    insert_events(store, [event(SITE, "2024-05-02 08:00:00", customer_id="700", pathname="/")])
    for size in (1, 2, 3, 7):
        slices, parts = _slices_cover_everyone(store, AS_OF, size)
        # Ids on a boundary start the slice after it, never the one before.
        for (low, high), part in zip(slices, parts):
            assert all((low is None or cid >= low) and (high is None or cid < high) for cid in part.index)
    assert len(client_slices(store, SITE, 1)) == len(ids)


def test_one_client_and_an_empty_site_are_one_slice(store):
    assert client_slices(store, SITE, 10) == [(None, None)]
    assert len(build_features(store, SITE, AS_OF, KEY_PAGES, today=TODAY, clients=(None, None))) == 0
    insert_customers(store, [customer(SITE, "only", created_at="2023-01-01")])
    assert client_slices(store, SITE, 1) == [(None, None)]
    slices, parts = _slices_cover_everyone(store, AS_OF, 1)
    assert [list(p.index) for p in parts] == [["only"]]
