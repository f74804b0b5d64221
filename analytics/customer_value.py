"""Customer value: RFM segments and customer lifetime value from the client data.

Both read one row per client from `transactions` (alerts/client_data), as of
a date: only transactions strictly before midnight UTC of that date count,
as for churn features, so a report as of a past date is what Vigie would
have said that day. Purchases and renewals are purchases; refunds are
subtracted from revenue (their amount is stored negative; its absolute value
is used, so a refund imported with a positive amount is still a refund).
Cancellations carry no money. Only clients with at least one purchase before
the as-of date are scored: one without any has no recency to rank. Deleted
clients are left out. Amounts are added as stored, whatever their currency.

Definitions (docs/customer-value.md):
- recency_days: as-of day minus the day of the last purchase (yesterday = 1);
- orders: number of purchases; net_revenue: purchase amounts minus refunds;
- historical value = net_revenue;
- predicted value (CLV) over H days = the purchases expected in each month of
  the next H days from a BG/NBD model fitted on the site's clients (at most
  FIT_SAMPLE of them, evenly spread in id order; purchase_models/bgnbd.py),
  discounted month by month, x the client's expected spend per purchase from
  a Gamma-Gamma model (analytics/lifetime_value.py). As in the churn
  baseline, BG/NBD counts purchase days (two orders on one day are one
  purchase), so the average purchase value is net_revenue / purchase_days,
  floored at zero.
"""
import datetime
import math

import numpy as np

from vigie.analytics.lifetime_value import DEFAULT_DISCOUNT_RATE, bgnbd_discounted_purchases, spend_model
from vigie.analytics.rfm import grid_counts, rfm_scores, segment_counts, segment_of
from vigie.purchase_models.bgnbd import DAYS_PER_UNIT, bgnbd_expected_purchases, fit_bgnbd

PURCHASE_TYPES = ("purchase", "renewal")
MIN_FIT_CLIENTS = 10
FIT_SAMPLE = 3000      # clients the BG/NBD parameters are fitted on, at most
DEFAULT_HORIZON_DAYS = 365
# As-of dates the reports accept: ten years of periods or a trend of months back from
# them stay within the store's DateTime range.
AS_OF_RANGE = (datetime.date(1980, 1, 1), datetime.date(2100, 12, 31))
BUCKETS = 10

# Transactions are read with argMax by version grouped on their key, like
# alerts.client_data.queries: a corrected re-import may sit in another part
# that FINAL would not merge it with.
_HISTORIES = f"""
SELECT
    customer_id,
    countIf(is_purchase) AS orders,
    uniqExactIf(day, is_purchase) AS purchase_days,
    minIf(day, is_purchase) AS first_day,
    maxIf(day, is_purchase) AS last_day,
    minIf(t_ts, is_purchase) AS first_purchase,
    maxIf(t_ts, is_purchase) AS last_purchase,
    sumIf(t_amount, is_purchase) AS revenue,
    sumIf(abs(t_amount), t_type = 'refund') AS refunds
FROM (
    SELECT customer_id, t_ts, t_amount, t_type, toRelativeDayNum(t_ts) AS day,
           t_type IN {PURCHASE_TYPES!r} AS is_purchase
    FROM (
        SELECT customer_id, transaction_id, argMax(ts, version) AS t_ts,
               argMax(amount, version) AS t_amount, argMax(type, version) AS t_type
        FROM transactions
        WHERE site = %(site)s
        GROUP BY customer_id, transaction_id
    )
    WHERE t_ts < toDateTime(%(t)s)
      AND customer_id NOT IN (
          SELECT customer_id FROM customers FINAL WHERE site = %(site)s AND deleted = 1)
)
GROUP BY customer_id
HAVING orders > 0
ORDER BY customer_id
"""


def _midnight(as_of):
    return int(datetime.datetime(as_of.year, as_of.month, as_of.day,
                                 tzinfo=datetime.timezone.utc).timestamp())


def _utc(moment):
    """The drivers differ on whether DateTime('UTC') comes back aware: always aware UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def customer_histories(store, site, as_of):
    """One dict per client who bought before `as_of` (a date), in id order."""
    t = _midnight(as_of)
    day = t // 86400
    columns, rows = store.query_with_columns(_HISTORIES, {"site": site, "t": t})
    clients = []
    for row in rows:
        c = dict(zip(columns, row))
        net = round(float(c["revenue"]) - float(c["refunds"]), 2)
        clients.append({
            "customer_id": c["customer_id"], "orders": int(c["orders"]),
            "purchase_days": int(c["purchase_days"]),
            "first_purchase": _utc(c["first_purchase"]), "last_purchase": _utc(c["last_purchase"]),
            "recency_days": day - int(c["last_day"]),
            "age_days": day - int(c["first_day"]),
            "active_days": int(c["last_day"]) - int(c["first_day"]),
            "revenue": round(float(c["revenue"]), 2), "refunds": round(float(c["refunds"]), 2),
            "net_revenue": net})
    return clients


RFM_COLUMNS = ["customer_id", "segment", "r", "f", "m", "rfm", "recency_days", "orders",
               "net_revenue", "last_purchase"]


def rfm_report(store, site, as_of, segment=None, histories=None, scored=None):
    """Segment counts, the 5x5 grid and per-client rows (optionally one segment's).

    `histories`: customer_histories(store, site, as_of) when the caller has
    them already (the customers page draws RFM and CLV from one read);
    `scored`: rfm_scores of them, when the caller has those too.
    """
    if scored is None:
        scored = rfm_scores(customer_histories(store, site, as_of) if histories is None else histories)
    grid = grid_counts(scored)
    clients = [c for c in scored if segment is None or c["segment"] == segment]
    # Best clients of a segment first: the ones a retention team calls first.
    clients.sort(key=lambda c: (-c["net_revenue"], c["customer_id"]))
    return {
        "as_of": as_of, "customers": len(scored), "segments": segment_counts(scored),
        "grid": [{"r": r, "f": f, "customers": n, "segment": segment_of(r, f)}
                 for (r, f), n in sorted(grid.items(), key=lambda item: (-item[0][0], item[0][1]))],
        "clients": [{k: c[k] for k in RFM_COLUMNS} for c in clients],
    }


def _nice_step(raw):
    """The smallest 1, 2 or 5 x 10^k at least `raw` (histogram bucket width)."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw - 1e-12:
            return factor * power
    return 10 * power


def _edge(value):
    """A bucket edge without float noise, whole numbers as int (50, not 50.0)."""
    value = round(value, 10)
    return int(value) if value == int(value) else value


def value_buckets(values, buckets=BUCKETS, span=()):
    """Histogram buckets [{from, to, customers}] of equal, round width.

    Every value v lands in the bucket with from <= v < to. The first bucket
    starts at 0 (or below, when refunds left some clients negative). `span`:
    more values whose range the buckets must cover too, so two histograms
    (value so far, predicted value) share the same buckets.
    """
    values = [v for v in values if v is not None]
    if not values:
        return []
    covered = values + [v for v in span if v is not None]
    low, high = min(0.0, min(covered)), max(covered)
    step = _nice_step((high - low) / buckets)
    start = math.floor(low / step) * step
    count = int(math.floor((high - start) / step)) + 1
    edges = [_edge(start + i * step) for i in range(count + 1)]
    counts = [0] * count
    for v in values:
        counts[min(int(math.floor((v - start) / step)), count - 1)] += 1
    return [{"from": edges[i], "to": edges[i + 1], "customers": counts[i]} for i in range(count)]


def expected_purchases(clients, horizon_days):
    """(expected purchase days per client, BG/NBD parameters) or (None, reason)."""
    if len(clients) < MIN_FIT_CLIENTS:
        return None, (f"the prediction needs at least {MIN_FIT_CLIENTS} clients with purchases, "
                      f"this site has {len(clients)}")
    x = np.array([c["purchase_days"] - 1 for c in clients], dtype=float)
    t_x = np.array([c["active_days"] for c in clients], dtype=float) / DAYS_PER_UNIT
    big_t = np.array([c["age_days"] for c in clients], dtype=float) / DAYS_PER_UNIT
    if not x.any():
        return None, "no client bought on two different days yet: repeat purchases cannot be predicted"
    # The four parameters describe the whole site, so an evenly spread sample
    # (in id order: the same sample every time) fits them almost as well as
    # every client, at a bounded cost for the page that draws the chart.
    fit = np.linspace(0, len(clients) - 1, min(len(clients), FIT_SAMPLE)).astype(int)
    params = fit_bgnbd(x[fit], t_x[fit], big_t[fit])
    try:
        expected = bgnbd_expected_purchases(params, x, t_x, big_t, horizon_days / DAYS_PER_UNIT)
    except ValueError as exc:
        return None, f"the purchase model does not fit this site's data ({exc})"
    if not np.all(np.isfinite(expected)):
        return None, "the purchase model gave non-finite expectations for some clients"
    return expected, dict(zip(("r", "alpha", "a", "b"), (float(p) for p in params)))


CLV_COLUMNS = ["customer_id", "orders", "purchase_days", "first_purchase", "last_purchase",
               "net_revenue", "average_purchase_value", "expected_spend", "expected_purchases",
               "predicted_value"]


def clv_report(store, site, as_of, horizon_days=DEFAULT_HORIZON_DAYS, histories=None,
               discount_rate=DEFAULT_DISCOUNT_RATE):
    """Historical and predicted value per client, their totals and histogram buckets.

    `predicted_value` is the CLV over the horizon: discounted expected
    purchases x expected spend (analytics/lifetime_value.py).
    """
    clients = customer_histories(store, site, as_of) if histories is None else histories
    expected, fitted = expected_purchases(clients, horizon_days)
    spend, described = spend_model(clients) if expected is not None else (None, None)
    discounted = None
    if expected is not None:
        discounted = bgnbd_discounted_purchases(tuple(fitted.values()), clients, horizon_days,
                                                discount_rate)
    rows = []
    for i, c in enumerate(clients):
        average = max(c["net_revenue"], 0.0) / c["purchase_days"]
        row = {k: c[k] for k in CLV_COLUMNS if k in c}
        row["average_purchase_value"] = round(average, 2)
        row["expected_spend"] = None if spend is None else round(float(spend[i]), 2)
        row["expected_purchases"] = None if expected is None else round(float(expected[i]), 3)
        row["predicted_value"] = (None if expected is None
                                  else round(float(discounted[i]) * float(spend[i]), 2))
        rows.append(row)
    rows.sort(key=lambda r: (-r["net_revenue"], r["customer_id"]))
    predicted = [r["predicted_value"] for r in rows if r["predicted_value"] is not None]
    historical = [r["net_revenue"] for r in rows]
    return {
        "as_of": as_of, "horizon_days": horizon_days, "discount_rate": discount_rate,
        "customers": len(rows),
        "historical_total": round(sum(r["net_revenue"] for r in rows), 2),
        "predicted_total": round(sum(predicted), 2) if expected is not None else None,
        "model": {"name": "BG/NBD", "parameters": fitted} if expected is not None else None,
        "spend_model": described,
        "prediction_note": fitted if expected is None else "",
        "historical_buckets": value_buckets(historical, span=predicted),
        "predicted_buckets": value_buckets(predicted, span=historical),
        "clients": rows,
    }
