"""Twelve hand-built clients for the customer value tests (RFM, CLV, API, dashboard).

As of 2026-03-01, client i bought `orders` times, the last time `recency`
days before the as-of date and every 10 days before that, 10 x i euros each
time. Scores are 1 + floor(5 x below / 12) (analytics/rfm.py), worked out
by hand in the comments below.
"""
import datetime

from tests.churn_factories import customer, insert_customers, insert_transactions, transaction

S = "shop.test"
AS_OF = datetime.date(2026, 3, 1)

#        id     recency orders   R  F  M  segment
CLIENTS = [
    ("c01", 300, 1, 1, 1, 1, "Lost"),
    ("c02", 280, 2, 1, 2, 1, "Hibernating"),
    ("c03", 260, 3, 1, 3, 1, "At risk"),
    ("c04", 200, 5, 2, 5, 3, "Cannot lose them"),
    ("c05", 180, 4, 2, 4, 3, "At risk"),
    ("c06", 120, 2, 3, 2, 3, "About to sleep"),
    ("c07", 100, 3, 3, 3, 4, "Need attention"),
    ("c08", 90, 4, 3, 4, 5, "Loyal customers"),
    ("c09", 40, 1, 4, 1, 1, "Promising"),
    ("c10", 30, 2, 4, 2, 3, "Potential loyalists"),
    ("c11", 5, 1, 5, 1, 2, "New customers"),
    ("c12", 2, 4, 5, 4, 5, "Champions"),
]
# Net revenue = 10 x i x orders, minus refunds (c08 -20, c12 -30):
NET = {"c01": 10, "c02": 40, "c03": 90, "c04": 200, "c05": 200, "c06": 120, "c07": 210,
       "c08": 300, "c09": 90, "c10": 200, "c11": 110, "c12": 450}
# R: recency all different, oldest first: below = 0..11 -> 1 1 1 2 2 3 3 3 4 4 5 5.
# F: orders 1 (c01 c09 c11, below 0) -> 1; 2 (below 3) -> 2; 3 (below 6) -> 3;
#    4 (below 8) -> 4; 5 (below 11) -> 5.
# M: 10(b0) 40(b1) 90 90(b2) -> 1; 110(b4) -> 2; 120(b5) 200 200 200(b6) -> 3;
#    210(b9) -> 4; 300(b10) 450(b11) -> 5.


def day_before(days_before, hour=12):
    moment = datetime.datetime.combine(AS_OF, datetime.time(hour), tzinfo=datetime.timezone.utc)
    return moment - datetime.timedelta(days=days_before)


def seed_customer_value(store):
    rows, people = [], []
    for index, (cid, recency, orders, *_rest) in enumerate(CLIENTS, start=1):
        people.append(customer(S, cid, created_at="2025-01-01"))
        for k in range(orders):
            rows.append(transaction(S, cid, day_before(recency + 10 * k), amount=10.0 * index,
                                    type="renewal" if k == 1 else "purchase"))
    rows += [
        transaction(S, "c08", day_before(50), amount=-20, type="refund"),
        transaction(S, "c12", day_before(1), amount=-30, type="refund"),
        transaction(S, "c03", day_before(10), amount=0, type="cancellation"),
        # On or after the as-of date: must change nothing.
        transaction(S, "c01", datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.timezone.utc), 5000),
        transaction(S, "c11", day_before(-3), amount=-110, type="refund"),
        # Another site's client and a deleted client: not scored.
        transaction("other.test", "c99", day_before(3), amount=999),
        transaction(S, "gone", day_before(3), amount=999),
    ]
    people += [customer(S, "gone")]
    insert_customers(store, people)
    deleted = list(customer(S, "gone"))
    deleted[-2], deleted[-1] = 2, 1   # a higher version marking the client deleted
    insert_customers(store, [tuple(deleted)])
    insert_transactions(store, rows)
    return store


SCORE_COLUMNS = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability",
                 "risk_band", "reasons", "reason_features"]


def seed_portfolio(store):
    """The twelve clients, c02's contract ended, and churn scores.

    The latest run before the as-of date is 2026-02-20 09:00: c12 (0.85) and
    c05 (0.75) high, c04 (0.4) medium, c01 (0.1) low. An earlier run that day
    and a run the day after the as-of date (c07, 0.99) do not count.
    """
    seed_customer_value(store)
    insert_customers(store, [customer(S, "c02", created_at="2025-01-01", contract_status="ended")[:10]
                             + (5, 0)])

    def run(scored_at, scores):
        store.insert("churn_scores", SCORE_COLUMNS, [
            (S, cid, scored_at.date(), scored_at, "m1", p, band, [], []) for cid, p, band in scores])
    run(datetime.datetime(2026, 2, 20, 3, 0), [("c12", 0.9, "high"), ("c05", 0.2, "low")])
    run(datetime.datetime(2026, 2, 20, 9, 0), [("c12", 0.85, "high"), ("c05", 0.75, "high"),
                                               ("c04", 0.4, "medium"), ("c01", 0.1, "low")])
    run(datetime.datetime(2026, 3, 2, 3, 0), [("c07", 0.99, "high")])
    return store
