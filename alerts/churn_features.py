"""Churn features: what each client looked like on a reference date.

Every feature comes from rows strictly before the reference date (`as_of`, at
00:00 UTC), so a model trained on a past date sees exactly what it would have
seen then; tests/alerts/test_churn_features.py proves that rows on or after it
change nothing. ClickHouse does the heavy lifting (one GROUP BY per source);
Python only joins the per-source frames and derives ratios.

Purchases are counted in purchase days: the lines of one basket, or several
orders on one day, are one purchase (`frequency`, `purchases_Nd`); their
amounts still add up.

Missing values are explicit: a client with no purchase has NaN recency and
gaps (XGBoost routes NaN down a learned branch) and has_transactions = 0; a
client never seen on the website has zero visits, NaN days_since_last_visit
and has_web = 0. Ratios whose denominator is zero are NaN, not infinity.
The full list with definitions is in docs/churn.md.
"""
import datetime

import numpy as np
import pandas as pd

from vigie.alerts import churn_sql as sql
from vigie.alerts.churn_reasons import Buyers
from vigie.warehouse.path_patterns import pattern_to_regex

WINDOWS = (30, 90, 180)        # purchases and spend vs the same length before
WEB_WINDOWS = (7, 30, 90)      # visits, pageviews, engaged time
KEY_PAGE_DAYS = 30
# Tenure is fed to the model capped: raw age in days only grows, so at scoring
# time the oldest clients would all sit beyond anything the model was trained
# on (trained at as_of - H, scored at as_of). Past the cap a client is simply
# "established", in training and in scoring alike.
TENURE_CAP_DAYS = 180

TRANSACTION_FEATURES = [
    "has_transactions", "recency_days", "frequency", "monetary_total", "monetary_avg",
    "gap_mean_days", "gap_median_days", "overdue_ratio",
    "recency_share", "missed_purchases",
    *[f"{kind}_{w}d" for w in WINDOWS for kind in ("purchases", "purchases_ratio", "spend", "spend_ratio")],
    "refunds_count", "refunds_amount", "contract_cancelled",
]
WEB_FEATURES = [
    "has_web", "days_since_last_visit",
    *[f"{kind}_{w}d" for w in WEB_WINDOWS
      for kind in ("visits", "visits_trend", "pageviews", "engaged_minutes")],
    "goal_completions_30d", "goal_completions_90d",
]
# Not fed to the model, but kept beside the features so reasons can quote the
# client's own baseline ("4 purchases in the previous 90 days").
CONTEXT = ["tenure_days", "purchase_days", "first_purchase_age_days",
           "purchase_moments", "first_purchase_age_exact_days", "recency_exact_days",
           *[f"purchases_prev_{w}d" for w in WINDOWS], *[f"spend_prev_{w}d" for w in WINDOWS],
           *[f"{kind}_prev_{w}d" for w in WEB_WINDOWS for kind in ("visits", "pageviews", "engaged_minutes")]]


def feature_names(key_pages):
    """The model's feature columns, in a fixed order, for the configured key pages."""
    return ["tenure_capped_days", *TRANSACTION_FEATURES, *WEB_FEATURES,
            *[f"key_{name}_views_{KEY_PAGE_DAYS}d" for name, _ in key_pages]]


def reference_time(as_of):
    """Midnight UTC of a date (or a datetime's date) as Unix seconds."""
    if isinstance(as_of, datetime.datetime):
        as_of = as_of.astimezone(datetime.timezone.utc).date()
    return int(datetime.datetime(as_of.year, as_of.month, as_of.day,
                                 tzinfo=datetime.timezone.utc).timestamp())


def _params(site, as_of, clients=None):
    t = reference_time(as_of)
    from_id, to_id = clients or (None, None)
    return {"site": site, "t": t, "day": t // 86400, "from_id": from_id, "to_id": to_id}


def _frame(store, query, params):
    """The per-client rows of a feature query, for the params' range of clients."""
    frame = store.query_frame(sql.for_clients(query, (params["from_id"], params["to_id"])), params)
    # Counts and day numbers come back unsigned from Arrow; signed, as from the
    # row path, so differences such as `day - last_day` cannot wrap around.
    for column in frame.columns:
        if frame[column].dtype.kind == "u":
            frame[column] = frame[column].astype("int64")
    return frame.set_index("customer_id")


def _ratio(numerator, denominator):
    numerator = numerator.astype(float)
    denominator = denominator.astype(float)
    return (numerator / denominator.where(denominator > 0)).astype(float)


def transaction_frame(store, site, as_of, clients=None):
    frame = _frame(store, sql.TRANSACTIONS, _params(site, as_of, clients))
    day = reference_time(as_of) // 86400
    bought = frame["frequency"] > 0
    frame["has_transactions"] = bought.astype(int)
    frame["recency_days"] = (day - frame["last_day"]).where(bought)
    frame["monetary_avg"] = _ratio(frame["monetary_total"], frame["frequency"])
    several = frame["purchase_days"] > 1
    frame["gap_mean_days"] = ((frame["last_day"] - frame["first_day"])
                              / (frame["purchase_days"] - 1).where(several)).where(several)
    frame["gap_median_days"] = frame["gap_median_days"].where(several)
    frame["overdue_ratio"] = _ratio(frame["recency_days"], frame["gap_median_days"])
    for w in WINDOWS:
        frame[f"purchases_ratio_{w}d"] = _ratio(frame[f"purchases_{w}d"], frame[f"purchases_prev_{w}d"])
        frame[f"spend_ratio_{w}d"] = _ratio(frame[f"spend_{w}d"], frame[f"spend_prev_{w}d"])
    frame["first_day"] = frame["first_day"].where(bought)
    frame["first_purchase_age_days"] = day - frame["first_day"]
    # What a Pareto/NBD posterior reads (purchases, the time of the last
    # one, the time since the first) relative to the client's own observed
    # life: unlike an age in days, these keep the same range at scoring time
    # as in training. missed_purchases is the purchases the client would
    # have made during their current silence at their own average pace: the
    # silence's evidence that they are gone.
    frame["recency_share"] = _ratio(frame["recency_days"], frame["first_purchase_age_days"])
    frame["missed_purchases"] = frame["purchase_days"] * frame["recency_share"]
    # For the purchase models (Pareto/NBD, BG/NBD): purchases as distinct moments (the lines
    # of one order share its time; two orders of one day are two purchases) and the ages to
    # the second. Whole days merge real repeat purchases and blur the order of clients last
    # seen the same day, which costs ranking (bench/churn.py). Context only: the other models
    # and the reasons keep purchase days.
    t = float(reference_time(as_of))
    frame["first_purchase_age_exact_days"] = ((t - frame["first_ts"].astype(float)) / 86400).where(bought)
    frame["recency_exact_days"] = ((t - frame["last_ts"].astype(float)) / 86400).where(bought)
    return frame.drop(columns=["days", "gaps", "first_ts", "last_ts"])


def web_frame(store, site, as_of, key_pages, goals, clients=None):
    params = _params(site, as_of, clients)
    key_columns, goal_condition = [], "0"
    for i, (name, pattern) in enumerate(key_pages):
        params[f"kp{i}"] = pattern_to_regex(pattern)
        key_columns.append(
            f"countIf(name = 'pageview' AND day >= %(day)s - {KEY_PAGE_DAYS} "
            f"AND match(pathname, %(kp{i})s)) AS key_{name}_views_{KEY_PAGE_DAYS}d")
    conditions = []
    for i, (kind, pattern) in enumerate(goals):
        params[f"g{i}"] = pattern_to_regex(pattern) if kind == "pageview" else pattern
        conditions.append(f"(name = 'pageview' AND match(pathname, %(g{i})s))" if kind == "pageview"
                          else f"name = %(g{i})s")
    if conditions:
        goal_condition = " OR ".join(conditions)
    frame = _frame(store, sql.web_query(key_columns, goal_condition), params)
    day = params["day"]
    frame["has_web"] = 1
    frame["days_since_last_visit"] = day - frame["last_web_day"]
    if sql.has_customer_sessions(store, site, params["t"]):
        sessions = _frame(store, sql.SESSIONS, params)
        frame = frame.drop(columns=[c for c in sessions.columns if c in frame.columns])
        frame = frame.join(sessions, how="left")
    else:
        # Without the sessions job, a visit is approximated by a day with events.
        for w in WEB_WINDOWS:
            frame[f"visits_{w}d"] = frame[f"active_days_{w}d"]
            frame[f"visits_prev_{w}d"] = frame[f"active_days_prev_{w}d"]
    for w in WEB_WINDOWS:
        frame[f"visits_{w}d"] = frame[f"visits_{w}d"].fillna(0)
        frame[f"visits_prev_{w}d"] = frame[f"visits_prev_{w}d"].fillna(0)
        frame[f"visits_trend_{w}d"] = _ratio(frame[f"visits_{w}d"], frame[f"visits_prev_{w}d"])
    return frame


def site_buyers(store, site, as_of):
    """The site's clients who bought before `as_of`, as the churn reasons compare
    one client's spending and purchase days with them (churn_reasons.Buyers)."""
    rows = store.query(sql.BUYERS, _params(site, as_of))
    count, total, per_purchase, median_days, currencies = rows[0] if rows else (0, (), (), 0, ())
    if not count:
        return Buyers()
    shares = [round(level * 100) for level in sql.BUYER_LEVELS]
    return Buyers(int(count), tuple(zip(shares, map(float, total))),
                  tuple(zip(shares, map(float, per_purchase))), float(median_days),
                  currencies[0] if len(currencies) == 1 else "")


def site_goals(store, site):
    """(kind, pattern) of the site's goals; goal completions count their events."""
    return [tuple(r) for r in store.query(sql.GOALS, {"site": site})]


def client_slices(store, site, size):
    """Ranges of customer ids, (from_id, to_id) half-open, of about `size`
    clients each, that together cover every possible id: the first starts at
    None (no lower bound), the last ends at None (no upper bound), so clients
    added after this count still fall in exactly one slice. Each range reads
    only its own rows through the tables' sort key (build_features `clients`)."""
    starts = store.query_value(sql.SLICE_STARTS, {"site": site, "size": max(1, int(size))}) or []
    bounds = [None, *starts, None]
    return list(zip(bounds[:-1], bounds[1:]))


def build_features(store, site, as_of, key_pages, today=None, clients=None):
    """One row per client active on `as_of`: the model's features plus CONTEXT.

    `clients` = (from_id, to_id) restricts the rows to customer ids in that
    half-open range (None on either side: unbounded), see client_slices.

    Active: seen before `as_of` (a customers row created before it, a
    transaction or a web event) and whose contract had not ended by then.
    The customers row holds only the present contract status, so a status of
    'cancelled' or 'ended' counts only when `as_of` is today or later (live
    scoring); training on past dates relies on dated facts: cancellation
    transactions and contract_ended_at.
    """
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    live = as_of >= today
    params = _params(site, as_of, clients)
    customers = _frame(store, sql.CUSTOMERS, params)
    tx = transaction_frame(store, site, as_of, clients)
    web = web_frame(store, site, as_of, key_pages, site_goals(store, site), clients)
    ids = (set(customers.index[customers["created_before"] == 1]) | set(tx.index) | set(web.index))
    ended = customers["ended_before"] == 1
    if live:
        ended |= customers["contract_status"] == "ended"
    ids -= set(customers.index[ended])
    frame = pd.DataFrame(index=pd.Index(sorted(ids), name="customer_id"))
    frame = frame.join(tx, how="left").join(web, how="left")
    frame = frame.join(customers[["created_day", "contract_status"]], how="left")
    _fill_absent(frame, key_pages)
    cancelled = frame["cancellations"] > 0
    if live:
        cancelled |= frame["contract_status"].isin(["cancelled"])
    frame["contract_cancelled"] = cancelled.astype(int)
    starts = frame[["created_day", "first_day", "first_web_day"]].min(axis=1)
    frame["tenure_days"] = params["day"] - starts
    frame["tenure_capped_days"] = frame["tenure_days"].clip(upper=TENURE_CAP_DAYS)
    return frame[feature_names(key_pages) + CONTEXT]


def _fill_absent(frame, key_pages):
    """Counts of a source a client has no rows in are zeros, not unknowns."""
    counts = ["frequency", "purchase_days", "monetary_total", "refunds_count", "refunds_amount", "cancellations",
              *[f"{k}_{w}d" for w in WINDOWS for k in ("purchases", "purchases_prev", "spend", "spend_prev")],
              *[f"{k}_{w}d" for w in WEB_WINDOWS
                for k in ("visits", "visits_prev", "pageviews", "pageviews_prev", "engaged_minutes",
                          "engaged_minutes_prev")],
              "goal_completions_30d", "goal_completions_90d",
              *[f"key_{name}_views_{KEY_PAGE_DAYS}d" for name, _ in key_pages]]
    for column in counts:
        frame[column] = frame[column].fillna(0)
    frame["has_transactions"] = frame["has_transactions"].fillna(0).astype(int)
    frame["has_web"] = frame["has_web"].fillna(0).astype(int)
    frame["created_day"] = frame["created_day"].where(frame["created_day"] > 0)
    for column in frame.columns:
        if frame[column].dtype == object and column != "contract_status":
            frame[column] = frame[column].astype(float)
    frame.replace([np.inf, -np.inf], np.nan, inplace=True)
