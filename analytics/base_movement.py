"""How the client base moves: realised churn per month or week, and the waterfall
start + new + reactivated - lost = end (docs/customer-value.md, "Base movement").

The churn definition is the churn label's (alerts/churn_labels.py): a client
is lost when they made no purchase (nor visit, if the site counts visits)
within the horizon H, or when their contract ended. Read over time:

- a client *enters* on their first activity day (new), or on the first
  activity after a loss (reactivated);
- a client is *lost* on the day after the last activity before a gap of more
  than H days (the first date on which the label says churned), known only
  once those H days have passed; or on the day their contract ended,
  whichever comes first;
- a client is *at the start* of a period when they entered on a day before
  it and were not lost on a day before it.

A period is provisional while some of its days are within H days of the
as-of date: a client quiet since then may still turn out lost in it.
"""
import datetime

import numpy as np

from vigie.analytics import base_movement_data as data
from vigie.analytics.customer_value import customer_histories
from vigie.analytics.period import bucket_start
from vigie.analytics.rfm import rfm_scores

GRAINS = ("month", "week")
DEFAULT_PERIODS = 12
MAX_PERIODS = 120
NOT_LOST = np.iinfo("int64").max
RISK_BANDS = ("high", "medium", "low")
REVENUE_NOTE = ("Revenue is the amount of the purchases and renewals in each period (refunds not "
                "subtracted), moved period over period as recurring revenue is: each client's revenue "
                "against their revenue of the period before. For renewals of a subscription plan, "
                "this is the movement of recurring revenue (MRR).")
_EPOCH = datetime.date(1970, 1, 1)


def day_number(date):
    return (date - _EPOCH).days


def _next_start(start, grain):
    if grain == "week":
        return start + datetime.timedelta(days=7)
    return (start + datetime.timedelta(days=32)).replace(day=1)


def period_bounds(as_of, grain, count):
    """[(start, end)] of the `count` periods up to the one holding the day before
    `as_of`, oldest first; `end` is exclusive and never after `as_of`."""
    if grain not in GRAINS:
        raise ValueError(f"period {grain!r}: use one of {', '.join(GRAINS)}")
    if not 1 <= count <= MAX_PERIODS:
        raise ValueError(f"periods must be between 1 and {MAX_PERIODS}, not {count}")
    starts = [bucket_start(as_of - datetime.timedelta(days=1), grain)]
    while len(starts) < count:
        starts.insert(0, bucket_start(starts[0] - datetime.timedelta(days=1), grain))
    return [(s, min(_next_start(s, grain), as_of)) for s in starts]


def spell_exits(codes, entry, last, ended_days, horizon, as_of_day):
    """When each spell was lost, NOT_LOST while not known yet; and whether it is
    its client's first. `codes`, `entry`, `last`: the spells, sorted by client
    code then first day (base_movement_data.activity_spells); `ended_days[code]`:
    the day the client's contract ended (0: none before the as-of date).

    A spell whose last activity is followed by more than H quiet days is lost
    on the day after it, once H days have passed; a spell that began before the
    contract end is lost on that day at the latest. (A spell cut by the
    contract end alone, its client back within H days, is lost by the contract.)"""
    if not len(codes):
        return np.array([], "int64"), np.array([], bool)
    first = np.r_[True, codes[1:] != codes[:-1]]
    next_entry = np.r_[entry[1:], NOT_LOST]
    quiet_after = np.r_[first[1:], True] | (next_entry - last > horizon)
    exit_ = np.where(quiet_after & (last + 1 + horizon <= as_of_day), last + 1, NOT_LOST)
    contract_end = ended_days[codes]
    by_contract = (contract_end > 0) & (entry < contract_end)
    return np.where(by_contract, np.minimum(exit_, contract_end), exit_), first


def _counts(spells, start, end, keep):
    """The movement of one period [start, end) over the spells of clients in `keep`."""
    entry, exit_, first = spells.entry, spells.exit, spells.first
    mine = keep[spells.code]
    entered = mine & (entry >= start) & (entry < end)
    left = mine & (exit_ >= start) & (exit_ < end)
    at_start = int(np.count_nonzero(mine & (entry < start) & (exit_ >= start)))
    lost_from_start = int(np.count_nonzero(left & (entry < start)))
    return {
        "start": at_start,
        "new": int(np.count_nonzero(entered & first)),
        "reactivated": int(np.count_nonzero(entered & ~first)),
        "lost": int(np.count_nonzero(left)),
        "lost_from_start": lost_from_start,
        "retained": at_start - lost_from_start,
        "end": int(np.count_nonzero(mine & (entry < end) & (exit_ >= end))),
        "churn_rate": round(100.0 * lost_from_start / at_start, 1) if at_start else None,
    }


class _Revenue:
    """Purchase and renewal amounts in cents per (client code, period index) over the
    report's periods and the one before (index 0), and each client's first purchase day,
    for base_movement's revenue waterfall. Only the rows (client, period) with a
    purchase are kept, so memory follows the purchases, not clients x periods."""

    def __init__(self, store, site, base, starts, grain):
        self.size = len(base.keys) + 1
        self.starts = np.array([day_number(s) for s in starts], "int64")
        since = int(self.starts[0]) * 86400
        keys, period_day, cents = data.revenue_per_period(store, site, base.t, since, grain)
        codes = base.code_of(keys)
        known = codes < len(base.keys)   # a deleted client has no code of their own
        self.code, self.cents = codes[known], cents[known]
        self.period = np.searchsorted(self.starts, period_day[known], side="right") - 1
        first_keys, first_days = data.first_purchase_days(store, site, base.t)
        first_codes = base.code_of(first_keys)
        self.first_day = np.full(self.size, NOT_LOST)
        kept = first_codes < len(base.keys)
        self.first_day[first_codes[kept]] = first_days[kept]

    def per_client(self, index, keep):
        chosen = (self.period == index) & keep[self.code]
        return np.bincount(self.code[chosen], self.cents[chosen], minlength=self.size).astype("int64")


def _revenue_counts(revenue, index, start, keep):
    """The revenue waterfall of period `index` (starting on day `start`), period over
    period as recurring revenue moves: each client's revenue against their revenue of
    the period before. start + new + reactivated + expansion - contraction - churned =
    end, exactly (in cents)."""
    now, before = revenue.per_client(index, keep), revenue.per_client(index - 1, keep)
    came = (before == 0) & (now > 0)
    both = (before > 0) & (now > 0)
    change = now - before
    figures = {
        "start": before.sum(),
        "new": now[came & (revenue.first_day >= start)].sum(),
        "reactivated": now[came & (revenue.first_day < start)].sum(),
        "expansion": change[both & (change > 0)].sum(),
        "contraction": -change[both & (change < 0)].sum(),
        "churned": before[(before > 0) & (now == 0)].sum(),
        "end": now.sum(),
    }
    return {f"revenue_{name}": int(cents) / 100 for name, cents in figures.items()}


def _active_within(spells, clients, start, stop):
    """For each client code in `clients`: any activity day in [start, stop).
    No gap within a spell exceeds the horizon, and stop - start is the horizon, so
    a spell with a day in the window is exactly one that overlaps it."""
    return np.isin(clients, spells.code[(spells.entry < stop) & (spells.last >= start)])


def _distinct(keys):
    """Sorted distinct values (a sort and a comparison: cheaper here than np.unique's hashing)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


class _Base:
    """The site's clients as integer codes (their keys' ranks), contracts and spells.

    Code len(keys) is a spare slot: clients known only from scores (no activity
    and no contract row) all share it."""

    def __init__(self, store, site, as_of, horizon, with_visits):
        self.t = day_number(as_of) * 86400
        contract_keys, self.contract_plans, ended, deleted = data.contracts(store, site, self.t)
        keys, self.entry, self.last = data.activity_spells(store, site, self.t, horizon, with_visits, deleted)
        self.keys = _distinct(np.concatenate([keys, contract_keys]))
        self.code = np.searchsorted(self.keys, keys).astype("int64")
        self.contract_codes = np.searchsorted(self.keys, contract_keys)
        self.ended = np.zeros(len(self.keys) + 1, "int64")
        self.ended[self.contract_codes] = ended
        self.exit, self.first = spell_exits(self.code, self.entry, self.last, self.ended, horizon,
                                            day_number(as_of))

    def code_of(self, keys):
        """Codes of `keys`, the spare slot for keys of no known client."""
        keys = np.asarray(keys, "uint64")
        codes = np.searchsorted(self.keys, keys)
        known = codes < len(self.keys)
        known[known] = self.keys[codes[known]] == keys[known]
        return np.where(known, codes, len(self.keys)).astype("int64")

    def mask(self, codes):
        keep = np.zeros(len(self.keys) + 1, bool)
        keep[codes] = True
        keep[len(self.keys)] = False
        return keep

    def plan_mask(self, plan):
        return self.mask(self.contract_codes[self.contract_plans == plan])


def _score_date(dates, start, horizon):
    """The latest scoring date on or before `start` and less than `horizon` days before it:
    an older score predicted a window that ended before the period began."""
    fitting = [d for d in dates if start - datetime.timedelta(days=horizon) < d <= start]
    return fitting[-1] if fitting else None


def _prediction(base, scores, start, horizon, as_of, keep, risk_band):
    """Predicted against realised churn over [start, start + H) for the scored clients
    in `keep` (and of `risk_band`): the churn label's own window, as the model predicts it."""
    keys, probabilities, bands = scores
    codes = base.code_of(keys)
    chosen = keep[codes]
    if risk_band is not None:
        chosen &= bands == risk_band
    probability = probabilities[chosen]
    scored = int(chosen.sum())
    row = {"scored": scored,
           "mean_probability": round(float(probability.mean()), 4) if scored else None,
           "predicted_lost": round(float(probability.sum()), 1),
           "realised_lost": None, "realised_rate": None}
    s, stop = day_number(start), day_number(start) + horizon
    if stop > day_number(as_of) or not scored:
        return row
    clients = codes[chosen]
    ended = base.ended[clients]
    churned = ~_active_within(base, clients, s, stop) | ((ended >= s) & (ended < stop))
    row["realised_lost"] = int(churned.sum())
    row["realised_rate"] = round(100.0 * row["realised_lost"] / scored, 1)
    return row


def _segment_keys(store, site, as_of, segment, t):
    scored = rfm_scores(customer_histories(store, site, as_of))
    keys = data.buyer_keys(store, site, t)
    return np.array([keys[c["customer_id"]] for c in scored if c["segment"] == segment], "uint64")


def base_movement(store, site, as_of, horizon_days, grain="month", periods=DEFAULT_PERIODS,
                  segment=None, plan=None, risk_band=None, with_visits=False):
    """Per period, oldest first: the movement of the client base and, where churn
    scores exist at its start, the predicted against the realised churn.

    Filters: `segment` (RFM segment as of `as_of`), `plan` (contract data) and
    `risk_band` (the band each client had in the scores at the period's start;
    a period without such scores has no counts under this filter).
    """
    if risk_band is not None and risk_band not in RISK_BANDS:
        raise ValueError(f"risk band {risk_band!r}: use one of {', '.join(RISK_BANDS)}")
    bounds = period_bounds(as_of, grain, periods)
    base = _Base(store, site, as_of, horizon_days, with_visits)
    before_first = bucket_start(bounds[0][0] - datetime.timedelta(days=1), grain)
    revenue = _Revenue(store, site, base, [before_first] + [s for s, _ in bounds], grain)
    keep = np.ones(len(base.keys) + 1, bool)
    if plan is not None:
        keep &= base.plan_mask(plan)
    if segment is not None:
        keep &= base.mask(base.code_of(_segment_keys(store, site, as_of, segment, base.t)))
    dates, runs = data.score_dates(store, site), {}
    rows = []
    for index, (start, end) in enumerate(bounds, 1):
        row = {"period": start.isoformat(), "period_end": end.isoformat(),
               "complete": end == _next_start(start, grain),
               "provisional": day_number(end) - 1 + horizon_days > day_number(as_of)}
        score_date = _score_date(dates, start, horizon_days)
        if score_date and score_date not in runs:   # weeks often share one scoring date
            runs[score_date] = data.scores_on(store, site, score_date)
        scores = runs.get(score_date)
        period_keep = keep
        if risk_band is not None and scores is not None:
            period_keep = keep & base.mask(base.code_of(scores[0][scores[2] == risk_band]))
        counts = _counts(base, day_number(start), day_number(end), period_keep)
        counts.update(_revenue_counts(revenue, index, day_number(start), period_keep))
        if risk_band is not None and scores is None:
            counts = dict.fromkeys(counts)
        row.update(counts)
        row["score_date"] = score_date.isoformat() if score_date else None
        prediction = (_prediction(base, scores, start, horizon_days, as_of, keep, risk_band)
                      if scores is not None else dict.fromkeys(PREDICTION_COLUMNS))
        row.update(prediction)
        rows.append(row)
    return {"as_of": as_of, "grain": grain, "horizon_days": horizon_days, "segment": segment,
            "plan": plan, "risk_band": risk_band, "counts_visits": with_visits,
            "revenue_note": REVENUE_NOTE, "periods": rows}


PREDICTION_COLUMNS = ["scored", "mean_probability", "predicted_lost", "realised_lost", "realised_rate"]
REVENUE_COLUMNS = ["revenue_start", "revenue_new", "revenue_reactivated", "revenue_expansion",
                   "revenue_contraction", "revenue_churned", "revenue_end"]
MOVEMENT_COLUMNS = ["period", "period_end", "complete", "provisional", "start", "new", "reactivated",
                    "lost", "lost_from_start", "retained", "end", "churn_rate", *REVENUE_COLUMNS, "score_date",
                    *PREDICTION_COLUMNS]


def plans(store, site, as_of):
    """The plan names of the site's clients, sorted (empty names left out)."""
    return data.plan_names(store, site, day_number(as_of) * 86400)
