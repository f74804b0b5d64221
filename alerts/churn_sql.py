"""The SQL behind churn features and labels, in the dialect both backends accept.

Parameters: %(site)s, %(t)s the reference time in Unix seconds (midnight UTC)
and %(day)s the same instant as a day number (toRelativeDayNum). The
`{clients}` marker becomes a range of customer ids (`for_clients`), so a
million clients can be scored a slice at a time, each slice reading only its
part of the tables through their sort key (site, customer_id). Windows are
counted in whole days before the reference day: "last 30 days" is day numbers
[day - 30, day), "previous 30 days" is [day - 60, day - 30).
"""

PURCHASE_TYPES = ("purchase", "renewal")
CLIENTS = "{clients}"


def for_clients(query, clients):
    """`query` restricted to customer ids in [from_id, to_id) (None: unbounded
    on that side; clients None: everyone). The bounds stay bound parameters
    %(from_id)s and %(to_id)s; only which comparisons appear is chosen here.
    Plain comparisons, not one with a constant OR, so ClickHouse can use
    them against the sort key."""
    from_id, to_id = clients or (None, None)
    condition = [c for c, bound in (("customer_id >= %(from_id)s", from_id),
                                    ("customer_id < %(to_id)s", to_id)) if bound is not None]
    return query.replace(CLIENTS, " AND ".join(condition) or "1")


def _window_columns(windows, template):
    return ",\n".join(template.format(w=w, w2=2 * w) for w in windows)


TRANSACTIONS = f"""
SELECT
    customer_id,
    uniqExactIf(day, is_purchase) AS frequency,
    sumIf(amount, is_purchase) AS monetary_total,
    minIf(day, is_purchase) AS first_day,
    maxIf(day, is_purchase) AS last_day,
    uniqExactIf(ts, is_purchase) AS purchase_moments,
    toUInt32(minIf(ts, is_purchase)) AS first_ts,
    toUInt32(maxIf(ts, is_purchase)) AS last_ts,
    arraySort(groupUniqArrayIf(day, is_purchase)) AS days,
    length(days) AS purchase_days,
    arrayPopFront(arrayDifference(days)) AS gaps,
    if(length(gaps) > 0, arrayReduce('median', gaps), nan) AS gap_median_days,
{_window_columns((30, 90, 180), '''    uniqExactIf(day, is_purchase AND day >= %(day)s - {w}) AS purchases_{w}d,
    uniqExactIf(day, is_purchase AND day >= %(day)s - {w2} AND day < %(day)s - {w}) AS purchases_prev_{w}d,
    sumIf(amount, is_purchase AND day >= %(day)s - {w}) AS spend_{w}d,
    sumIf(amount, is_purchase AND day >= %(day)s - {w2} AND day < %(day)s - {w}) AS spend_prev_{w}d''')},
    countIf(type = 'refund') AS refunds_count,
    sumIf(abs(amount), type = 'refund') AS refunds_amount,
    countIf(type = 'cancellation') AS cancellations
FROM (
    SELECT customer_id, ts, toRelativeDayNum(ts) AS day, amount, type,
           type IN {PURCHASE_TYPES!r} AS is_purchase
    FROM transactions FINAL
    WHERE site = %(site)s AND ts < toDateTime(%(t)s) AND {CLIENTS}
)
GROUP BY customer_id
"""

# Where one client's spending and purchase days sit among the site's clients
# who bought before the reference time, for the churn reasons ("among the
# lowest 20 % of clients who bought"), and the currencies of those purchases.
# Exact quantiles: quantileExact(q) is the element at rank floor(q * n) of the
# sorted values, so at least (1 - q) of the clients are at or above it.
BUYER_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5)
BUYERS = f"""
SELECT
    count() AS buyers,
    quantilesExact{BUYER_LEVELS!r}(total) AS total_spent,
    quantilesExact{BUYER_LEVELS!r}(total / days) AS spent_per_purchase,
    quantileExact(0.5)(days) AS median_purchase_days,
    arraySort(groupUniqArrayArray(currencies)) AS purchase_currencies
FROM (
    SELECT customer_id, sum(amount) AS total, uniqExact(toRelativeDayNum(ts)) AS days,
           groupUniqArray(currency) AS currencies
    FROM transactions FINAL
    WHERE site = %(site)s AND ts < toDateTime(%(t)s) AND type IN {PURCHASE_TYPES!r}
    GROUP BY customer_id
)
"""


def web_query(key_columns, goal_condition):
    """Per-client web activity from events; key page and goal columns are built
    by the caller from %(name)s parameters only (patterns are bound, never formatted)."""
    extra = "".join(",\n    " + c for c in key_columns)
    return f"""
SELECT
    customer_id,
    min(day) AS first_web_day,
    max(day) AS last_web_day,
{_window_columns((7, 30, 90), '''    countIf(name = 'pageview' AND day >= %(day)s - {w}) AS pageviews_{w}d,
    countIf(name = 'pageview' AND day >= %(day)s - {w2} AND day < %(day)s - {w}) AS pageviews_prev_{w}d,
    sumIf(engaged_ms, day >= %(day)s - {w}) / 60000 AS engaged_minutes_{w}d,
    sumIf(engaged_ms, day >= %(day)s - {w2} AND day < %(day)s - {w}) / 60000 AS engaged_minutes_prev_{w}d,
    uniqExactIf(day, day >= %(day)s - {w}) AS active_days_{w}d,
    uniqExactIf(day, day >= %(day)s - {w2} AND day < %(day)s - {w}) AS active_days_prev_{w}d''')},
    countIf(day >= %(day)s - 30 AND ({goal_condition})) AS goal_completions_30d,
    countIf(day >= %(day)s - 90 AND ({goal_condition})) AS goal_completions_90d{extra}
FROM (
    SELECT customer_id, toRelativeDayNum(ts) AS day, name, pathname, engaged_ms
    FROM events
    WHERE site = %(site)s AND customer_id != '' AND ts < toDateTime(%(t)s) AND {CLIENTS}
)
GROUP BY customer_id
"""


# Visits from the sessions job; only visits that ended before the reference
# time, so a visit running across it cannot leak later pageviews.
SESSIONS = f"""
SELECT
    customer_id,
{_window_columns((7, 30, 90), '''    countIf(day >= %(day)s - {w}) AS visits_{w}d,
    countIf(day >= %(day)s - {w2} AND day < %(day)s - {w}) AS visits_prev_{w}d''')}
FROM (
    SELECT customer_id, toRelativeDayNum(start) AS day
    FROM sessions FINAL
    WHERE site = %(site)s AND customer_id != '' AND `end` < toDateTime(%(t)s) AND {CLIENTS}
)
GROUP BY customer_id
"""

CUSTOMERS = f"""
SELECT
    customer_id,
    toUInt8(created_at < toDateTime(%(t)s)) AS created_before,
    if(created_at < toDateTime(%(t)s), toRelativeDayNum(created_at), 0) AS created_day,
    toUInt8(ifNull(contract_ended_at < toDateTime(%(t)s), 0)) AS ended_before,
    contract_status
FROM customers FINAL
WHERE site = %(site)s AND deleted = 0 AND {CLIENTS}
"""

# Where each slice of about %(size)s clients starts, but the first: every
# id any table names, sorted, one in %(size)s kept. Ids only, in one array,
# so a million clients cost a few tens of MB for a moment.
SLICE_STARTS = """
SELECT arrayFilter((id, i) -> i > 1 AND modulo(i - 1, %(size)s) = 0, ids, arrayEnumerate(ids))
FROM (
    SELECT arraySort(groupUniqArray(customer_id)) AS ids FROM (
        SELECT customer_id FROM customers WHERE site = %(site)s
        UNION ALL SELECT customer_id FROM transactions WHERE site = %(site)s
        UNION ALL SELECT customer_id FROM events WHERE site = %(site)s AND customer_id != '')
)
"""

# The day number by which %(clients)s clients had made their first purchase
# (0 when fewer ever did): before it, no training window has enough clients.
ENOUGH_CLIENTS_DAY = """
SELECT if(length(firsts) >= %(clients)s, arraySort(firsts)[%(clients)s], 0) FROM (
    SELECT groupArray(first) AS firsts FROM (
        SELECT customer_id, min(toRelativeDayNum(ts)) AS first FROM transactions FINAL
        WHERE site = %(site)s AND type IN ('purchase', 'renewal')
        GROUP BY customer_id))
"""

GOALS = "SELECT kind, pattern FROM goals FINAL WHERE site = %(site)s AND deleted = 0 ORDER BY goal_id"


def has_customer_sessions(store, site, t):
    """True when the sessions job has written visits of identified clients that
    ended before the reference time (later ones must not switch the source)."""
    return bool(store.query_value(
        "SELECT count() FROM sessions WHERE site = %(site)s AND customer_id != '' "
        "AND `end` < toDateTime(%(t)s)", {"site": site, "t": t}))


# Labels: what happened in [t, t + horizon).
OUTCOMES = f"""
SELECT customer_id, sum(purchases) AS purchases, sum(visits) AS visits, max(ended) AS ended
FROM (
    SELECT customer_id, count() AS purchases, toUInt64(0) AS visits, toUInt8(0) AS ended
    FROM transactions FINAL
    WHERE site = %(site)s AND type IN {PURCHASE_TYPES!r}
      AND ts >= toDateTime(%(t)s) AND ts < toDateTime(%(end)s)
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, toUInt64(0) AS purchases, count() AS visits, toUInt8(0) AS ended
    FROM events
    WHERE site = %(site)s AND customer_id != ''
      AND ts >= toDateTime(%(t)s) AND ts < toDateTime(%(end)s)
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, toUInt64(0) AS purchases, toUInt64(0) AS visits,
           toUInt8(ifNull(contract_ended_at >= toDateTime(%(t)s)
                          AND contract_ended_at < toDateTime(%(end)s), 0)) AS ended
    FROM customers FINAL
    WHERE site = %(site)s AND deleted = 0
)
GROUP BY customer_id
"""
