"""Customer lifetime value: the spend model and discounting, from client histories (no I/O).

CLV over a horizon of H days = sum over the months k = 1..K of the horizon of
(purchases expected in month k) x (the client's expected spend per purchase)
/ (1 + d)^k, where d = (1 + annual rate)^(1/12) - 1 is the monthly discount
rate and a month is 365.25 / 12 days (the last one may be partial). Expected
purchases come from BG/NBD (analytics.customer_value.expected_purchases),
expected spend from Gamma-Gamma (purchase_models/gammagamma.py) fitted on
the site's repeat buyers. docs/customer-value.md explains each definition.
"""
import math

import numpy as np

from vigie.purchase_models.bgnbd import DAYS_PER_UNIT, bgnbd_purchase_curve
from vigie.purchase_models.gammagamma import (STRONG_CORRELATION, fit_gammagamma,
                                              gammagamma_expected_spend, gammagamma_population_mean,
                                              spend_frequency_correlation)

DAYS_PER_MONTH = 365.25 / 12
DEFAULT_DISCOUNT_RATE = 0.10   # a year; vigie/settings.py's clv_discount_rate
MIN_SPEND_CLIENTS = 5          # repeat buyers with a positive mean the spend model needs
SPEND_FIT_SAMPLE = 3000


def monthly_rate(annual_rate):
    """The monthly rate that compounds to `annual_rate` over twelve months."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def month_ends(horizon_days):
    """Ends of the horizon's months in days: 30.44, 60.88, ..., and horizon_days last."""
    count = max(1, math.ceil(horizon_days / DAYS_PER_MONTH - 1e-9))
    return [min((k + 1) * DAYS_PER_MONTH, float(horizon_days)) for k in range(count)]


def discounted_purchases(cumulative, horizon_days, annual_rate):
    """Sum over the horizon's months of (purchases expected in month k) / (1 + d)^k.

    `cumulative`: the purchases expected from now to each month end
    (month_ends(horizon_days)), one row per month end, one column per client.
    With a zero rate this is the last row.
    """
    d = monthly_rate(annual_rate)
    total, before = 0.0, 0.0
    for k, upto in enumerate(cumulative, start=1):
        total = total + (upto - before) / (1.0 + d) ** k
        before = upto
    return total


def bgnbd_discounted_purchases(params, clients, horizon_days, annual_rate):
    """discounted_purchases of each client under fitted BG/NBD parameters."""
    x = np.array([c["purchase_days"] - 1 for c in clients], dtype=float)
    t_x = np.array([c["active_days"] for c in clients], dtype=float) / DAYS_PER_UNIT
    big_t = np.array([c["age_days"] for c in clients], dtype=float) / DAYS_PER_UNIT
    weeks = [end / DAYS_PER_UNIT for end in month_ends(horizon_days)]
    return discounted_purchases(bgnbd_purchase_curve(params, x, t_x, big_t, weeks), horizon_days,
                                annual_rate)


def _mean_spend(c):
    return max(c["net_revenue"], 0.0) / c["purchase_days"]


def spend_model(clients):
    """(expected spend per purchase day of each client, the model's description).

    Fitted on repeat buyers (two purchase days or more) whose mean is above
    zero; the spend of every client, one-off buyers included, is then the
    conditional expectation given their own count and mean. Without enough
    repeat buyers, or when the fit has no finite mean (q <= 1), each client's
    own average is used and `note` says why.
    """
    counts = np.array([c["purchase_days"] for c in clients], dtype=float)
    means = np.array([_mean_spend(c) for c in clients], dtype=float)
    repeat = (counts >= 2) & (means > 0)
    correlation = round(spend_frequency_correlation(counts[repeat], means[repeat]), 3)
    described = {"name": "Gamma-Gamma", "parameters": None, "repeat_buyers": int(repeat.sum()),
                 "correlation": correlation,
                 "independence_doubtful": abs(correlation) > STRONG_CORRELATION, "note": ""}
    if repeat.sum() < MIN_SPEND_CLIENTS:
        described["note"] = (f"the spend model needs at least {MIN_SPEND_CLIENTS} repeat buyers, this "
                             f"site has {int(repeat.sum())}: each client's own average is used")
        return means, described
    # Like BG/NBD, the three parameters describe the site: an evenly spread
    # sample of repeat buyers fits them at a bounded cost.
    index = np.flatnonzero(repeat)
    index = index[np.linspace(0, len(index) - 1, min(len(index), SPEND_FIT_SAMPLE)).astype(int)]
    params = fit_gammagamma(counts[index], means[index])
    if params[1] <= 1:
        described["note"] = (f"the spend model's fit has no finite mean (q = {params[1]:.2f}): "
                             "each client's own average is used")
        return means, described
    described["parameters"] = dict(zip(("p", "q", "gamma"), (float(v) for v in params)))
    described["population_mean"] = round(float(gammagamma_population_mean(params)), 2)
    return gammagamma_expected_spend(params, counts, means), described
