"""What the base movement report reads: activity days, contracts and stored churn scores.

Activity follows the churn label's rule (alerts/churn_labels.py, docs/churn.md):
a purchase or renewal keeps a client, and so does a web event when the site
counts visits (`churn_label_requires_no_visit`); refunds and cancellation
notices do not. Days are UTC day numbers (toRelativeDayNum), rows strictly
before the as-of midnight %(t)s. Deleted clients are left out.

Clients travel as `key` = cityHash64(customer_id), not as their ids: a
hundred thousand clients' million activity days then come back as two
numeric columns, where strings cost most of the report's time. Two ids
sharing a 64-bit hash among a site's clients is too unlikely to matter
(about 1 in 10^9 with a million clients).
"""
import numpy as np
# query_frame answers with pandas; imported with this module (as the app starts),
# never first inside a dashboard callback, where a first import racing plotly's
# lazy one in another request thread leaves pandas half-initialised.
import pandas  # noqa: F401

PURCHASE_TYPES = ("purchase", "renewal")

_PURCHASE_DAYS = f"""
    SELECT customer_id, ts FROM transactions FINAL
    WHERE site = %(site)s AND type IN {PURCHASE_TYPES!r} AND ts < toDateTime(%(t)s)"""
_VISIT_DAYS = """
    UNION ALL
    SELECT customer_id, ts FROM events
    WHERE site = %(site)s AND customer_id != '' AND ts < toDateTime(%(t)s)"""


# The contract end counts once it happened before the as-of date; a date still
# ahead is not a loss yet. 0 = no (past) end. Deleted clients come too, so their
# spells can be dropped (cheaper than a NOT IN subquery over the activity).
_ENDED_DAY = """toInt32(if(ifNull(contract_ended_at < toDateTime(%(t)s), 0),
                            toRelativeDayNum(assumeNotNull(contract_ended_at)), 0))"""
_CONTRACTS = f"""
SELECT cityHash64(customer_id) AS key, plan, deleted, {_ENDED_DAY} AS ended_day
FROM customers FINAL
WHERE site = %(site)s
"""


def _spells_sql(with_visits):
    """Each client's spells of activity: (key, first day, last day), by key then first day.

    A spell ends at a gap of more than %(horizon)s days between two activity
    days, and at the contract end (a day on or after it starts a new spell).
    Only spells cross the wire, so a million activity days cost a few hundred
    thousand rows; within a spell no gap exceeds the horizon, which is all the
    realised churn needs to know about the days between its ends.
    ClickHouse 18.16 lambdas see only their own arguments, so the day before
    and after each day (0 and the largest Int32 at the ends, which always
    start and end a spell) and the contract end come in as arrays beside the
    days. The contract end joins the days through a UNION ALL (day 0,
    1970-01-01, marks its rows)."""
    return f"""
SELECT key, entry, last FROM (
    SELECT key,
        arrayPushFront(arrayPopBack(days), toInt32(0)) AS previous_days,
        arrayPushBack(arrayPopFront(days), toInt32(2147483647)) AS next_days,
        replicate(ended_day, days) AS ends,
        arrayFilter((d, p, e) -> d - p > %(horizon)s OR (e > 0 AND p < e AND d >= e),
                    days, previous_days, ends) AS entries,
        arrayFilter((d, n, e) -> n - d > %(horizon)s OR (e > 0 AND d < e AND n >= e),
                    days, next_days, ends) AS lasts
    FROM (
        SELECT key, arraySort(groupUniqArrayIf(day, day > 0)) AS days, max(ended) AS ended_day FROM (
            SELECT cityHash64(customer_id) AS key, toInt32(toRelativeDayNum(ts)) AS day, toInt32(0) AS ended
            FROM ({_PURCHASE_DAYS}{_VISIT_DAYS if with_visits else ''})
            UNION ALL
            SELECT cityHash64(customer_id) AS key, toInt32(0) AS day, {_ENDED_DAY} AS ended
            FROM customers FINAL WHERE site = %(site)s AND deleted = 0)
        GROUP BY key
        HAVING length(days) > 0
    )
)
ARRAY JOIN entries AS entry, lasts AS last
ORDER BY key, entry
"""


_SCORE_DATES = "SELECT DISTINCT as_of FROM churn_scores WHERE site = %(site)s ORDER BY as_of"

# One date's latest run (a re-scored date is never counted twice, as in alerts/churn_queries).
_SCORES = """
SELECT cityHash64(customer_id) AS key, probability, risk_band FROM churn_scores
WHERE site = %(site)s AND as_of = %(day)s
  AND scored_at = (SELECT max(scored_at) FROM churn_scores WHERE site = %(site)s AND as_of = %(day)s)
"""


_BUYER_KEYS = """
SELECT customer_id, cityHash64(customer_id) AS key FROM transactions
WHERE site = %(site)s AND ts < toDateTime(%(t)s) GROUP BY customer_id
"""


def _keys(frame):
    """The key column as uint64 (the row path gives Python ints, Arrow an unsigned column)."""
    return frame["key"].to_numpy("uint64") if len(frame) else np.array([], "uint64")


def activity_spells(store, site, t, horizon, with_visits, deleted=()):
    """(keys, first days, last days) of every spell (_spells_sql), sorted by key then
    first day, without the clients whose keys are in `deleted`."""
    frame = store.query_frame(_spells_sql(with_visits), {"site": site, "t": t, "horizon": int(horizon)})
    if not len(frame):
        return np.array([], "uint64"), np.array([], "int64"), np.array([], "int64")
    keys, entry, last = _keys(frame), frame["entry"].to_numpy("int64"), frame["last"].to_numpy("int64")
    if len(deleted):
        kept = ~np.isin(keys, np.asarray(deleted, "uint64"))
        keys, entry, last = keys[kept], entry[kept], last[kept]
    return keys, entry, last


def contracts(store, site, t):
    """(keys, plans, ended days) of the clients not deleted (ended day 0: no contract
    end before `t`), and the keys of the deleted ones."""
    frame = store.query_frame(_CONTRACTS, {"site": site, "t": t})
    if not len(frame):
        return np.array([], "uint64"), np.array([], object), np.array([], "int64"), np.array([], "uint64")
    keys, gone = _keys(frame), frame["deleted"].to_numpy("int64") == 1
    return (keys[~gone], frame["plan"].to_numpy(object)[~gone], frame["ended_day"].to_numpy("int64")[~gone],
            keys[gone])


def buyer_keys(store, site, t):
    """{customer_id: key} of every client with a transaction before `t` (for a segment's members)."""
    frame = store.query_frame(_BUYER_KEYS, {"site": site, "t": t})
    return dict(zip(frame["customer_id"], _keys(frame))) if len(frame) else {}


def plan_names(store, site, t):
    return sorted({p for p in contracts(store, site, t)[1] if p})


def score_dates(store, site):
    """The dates the site has stored churn scores for, oldest first."""
    return [row[0] for row in store.query(_SCORE_DATES, {"site": site})]


def scores_on(store, site, day):
    """(keys, probabilities, risk bands) of the latest run of one scoring date, by key."""
    frame = store.query_frame(_SCORES, {"site": site, "day": day})
    if not len(frame):
        return np.array([], "uint64"), np.array([], float), np.array([], object)
    keys = _keys(frame)
    order = np.argsort(keys, kind="stable")   # sorted lookups: searchsorted stays in cache
    return keys[order], frame["probability"].to_numpy(float)[order], frame["risk_band"].to_numpy(object)[order]


# Revenue: the amounts of the purchases and renewals (the transactions that are
# activity), gross: a refund is not activity, so it may fall in a period where
# its client is not counted, and it would leave the waterfall unbalanced.
_BUCKETS = {"month": "toStartOfMonth", "week": "toMonday"}
_REVENUE_ROWS = f"""
FROM transactions FINAL
WHERE site = %(site)s AND type IN {PURCHASE_TYPES!r}
  AND ts >= toDateTime(%(since)s) AND ts < toDateTime(%(t)s)"""


def _revenue_per_period_sql(grain):
    """Per (client, period): the amount of its purchases and renewals."""
    return f"""
SELECT cityHash64(customer_id) AS key, toInt32(toRelativeDayNum({_BUCKETS[grain]}(ts))) AS period_day,
       sum(amount) AS revenue
{_REVENUE_ROWS}
GROUP BY key, period_day"""


_FIRST_PURCHASES = f"""
SELECT cityHash64(customer_id) AS key, toInt32(min(toRelativeDayNum(ts))) AS first_day
FROM transactions FINAL
WHERE site = %(site)s AND type IN {PURCHASE_TYPES!r} AND ts < toDateTime(%(t)s)
GROUP BY key"""


def _cents(frame):
    return np.rint(frame["revenue"].to_numpy(float) * 100).astype("int64")


def revenue_per_period(store, site, t, since, grain):
    """(keys, period start days, cents) of the purchases and renewals in [since, t),
    one row per client and period (month or week)."""
    frame = store.query_frame(_revenue_per_period_sql(grain), {"site": site, "t": t, "since": since})
    if not len(frame):
        return np.array([], "uint64"), np.array([], "int64"), np.array([], "int64")
    return _keys(frame), frame["period_day"].to_numpy("int64"), _cents(frame)


def first_purchase_days(store, site, t):
    """(keys, days) of each client's first purchase or renewal before `t`: new or reactivated."""
    frame = store.query_frame(_FIRST_PURCHASES, {"site": site, "t": t})
    if not len(frame):
        return np.array([], "uint64"), np.array([], "int64")
    return _keys(frame), frame["first_day"].to_numpy("int64")
