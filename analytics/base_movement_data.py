"""What the base movement report reads: activity days, contracts and stored churn scores.

Activity follows the churn label's rule (alerts/churn_labels.py, docs/churn.md):
a purchase or renewal keeps a client, and so does a web event when the site
counts visits (`churn_label_requires_no_visit`); refunds and cancellation
notices do not. Days are UTC day numbers (toRelativeDayNum), rows strictly
before the as-of midnight %(t)s. Deleted clients are left out.
"""
import numpy as np
import pandas as pd

PURCHASE_TYPES = ("purchase", "renewal")

_NOT_DELETED = ("customer_id NOT IN (SELECT customer_id FROM customers FINAL "
                "WHERE site = %(site)s AND deleted = 1)")
_PURCHASE_DAYS = f"""
    SELECT customer_id, toRelativeDayNum(ts) AS day FROM transactions FINAL
    WHERE site = %(site)s AND type IN {PURCHASE_TYPES!r} AND ts < toDateTime(%(t)s)"""
_VISIT_DAYS = """
    UNION ALL
    SELECT customer_id, toRelativeDayNum(ts) AS day FROM events
    WHERE site = %(site)s AND customer_id != '' AND ts < toDateTime(%(t)s)"""


def _activity_sql(with_visits):
    return f"""
SELECT customer_id, day FROM ({_PURCHASE_DAYS}{_VISIT_DAYS if with_visits else ''})
WHERE {_NOT_DELETED}
GROUP BY customer_id, day
ORDER BY customer_id, day
"""


# The contract end counts once it happened before the as-of date; a date still
# ahead is not a loss yet. 0 = no (past) end.
_CONTRACTS = """
SELECT customer_id, plan,
       if(ifNull(contract_ended_at < toDateTime(%(t)s), 0), toRelativeDayNum(assumeNotNull(contract_ended_at)), 0)
           AS ended_day
FROM customers FINAL
WHERE site = %(site)s AND deleted = 0
"""

_SCORE_DATES = "SELECT DISTINCT as_of FROM churn_scores WHERE site = %(site)s ORDER BY as_of"

# One date's latest run (a re-scored date is never counted twice, as in alerts/churn_queries).
_SCORES = """
SELECT customer_id, probability, risk_band FROM churn_scores
WHERE site = %(site)s AND as_of = %(day)s
  AND scored_at = (SELECT max(scored_at) FROM churn_scores WHERE site = %(site)s AND as_of = %(day)s)
"""


def _unsigned_to_signed(frame, columns):
    for column in columns:
        frame[column] = frame[column].astype("int64")
    return frame


def activity_days(store, site, t, with_visits):
    """DataFrame customer_id, day (int64): each client's distinct activity days, sorted."""
    frame = store.query_frame(_activity_sql(with_visits), {"site": site, "t": t})
    if frame.empty:
        return pd.DataFrame({"customer_id": pd.Series([], dtype=object), "day": np.array([], "int64")})
    return _unsigned_to_signed(frame, ["day"])


def contracts(store, site, t):
    """DataFrame customer_id, plan, ended_day (0: no contract end before `t`)."""
    frame = store.query_frame(_CONTRACTS, {"site": site, "t": t})
    if frame.empty:
        return pd.DataFrame({"customer_id": pd.Series([], dtype=object),
                             "plan": pd.Series([], dtype=object), "ended_day": np.array([], "int64")})
    return _unsigned_to_signed(frame, ["ended_day"])


def score_dates(store, site):
    """The dates the site has stored churn scores for, oldest first."""
    return [row[0] for row in store.query(_SCORE_DATES, {"site": site})]


def scores_on(store, site, day):
    """DataFrame customer_id, probability, risk_band of the latest run of one scoring date."""
    return store.query_frame(_SCORES, {"site": site, "day": day})
