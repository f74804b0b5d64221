"""The churn label: did a client leave within the horizon after a reference date?

A client active on `as_of` is churned (1) when, in [as_of, as_of + horizon):
- their contract ended (customers.contract_ended_at inside the window), or
- they made no purchase or renewal, and, when `require_no_visit` is set,
  no web event either.
A refund or a cancellation notice is not a purchase. A contract whose status
is 'ended' without a date cannot be placed in time, so only the no-purchase
rule applies to it. The window must be over: labels of a horizon that has
not passed yet would call every quiet client churned.
"""
import datetime

import pandas as pd

from vigie.alerts import churn_sql as sql
from vigie.alerts.churn_features import reference_time


class LabelWindowError(ValueError):
    """The label window reaches past the data (the future is unknown)."""


def label_window(as_of, horizon_days):
    return as_of, as_of + datetime.timedelta(days=horizon_days)


def churn_labels(store, site, as_of, horizon_days, customer_ids, require_no_visit=False, today=None):
    """A 0/1 Series indexed like `customer_ids` (the clients active on `as_of`)."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    start, end = label_window(as_of, horizon_days)
    if end > today:
        raise LabelWindowError(f"the label window {start} .. {end} ends after today ({today}); "
                               f"use an earlier date or a shorter horizon")
    params = {"site": site, "t": reference_time(start), "end": reference_time(end)}
    columns, rows = store.query_with_columns(sql.OUTCOMES, params)
    outcomes = pd.DataFrame(rows, columns=columns).set_index("customer_id")
    outcomes = outcomes.reindex(pd.Index(customer_ids, name="customer_id")).fillna(0)
    quiet = outcomes["purchases"] == 0
    if require_no_visit:
        quiet &= outcomes["visits"] == 0
    return (quiet | (outcomes["ended"] > 0)).astype(int).rename("churned")
