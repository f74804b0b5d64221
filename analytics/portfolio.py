"""Portfolio value, value at risk and the loyalty-profitability matrix (docs/customer-value.md).

- Portfolio value: the sum of CLV (analytics.customer_value.clv_report's
  predicted_value) over the active clients: those with a purchase before the
  as-of date whose contract has not ended (deleted clients are never counted).
- Its split by RFM segment and by churn risk band; a client's band is the one
  of the site's latest scoring run on or before the as-of date ("unscored"
  when that run did not score them).
- Value at risk: the CLV of the clients of the high band.
- Trend: the portfolio value as of the first day of each of the last months,
  each computed from the transactions before that day only.
- Matrix (Reinartz & Kumar): each active client placed by CLV and by tenure
  (days since their first purchase) against two cut-offs, by default the
  medians; above a cut-off is high profit / long, at or below low / short.
"""
import datetime
import statistics

from vigie.analytics.customer_value import DEFAULT_HORIZON_DAYS
from vigie.analytics.lifetime_value import DEFAULT_DISCOUNT_RATE
from vigie.analytics.rfm import SEGMENTS
from vigie.analytics.value_memo import (clv_overview, one_generation, remember, rfm_overview,
                                        scored_clients, value_basis)

BANDS = ("high", "medium", "low", "unscored")
DEFAULT_TREND_MONTHS = 6
MAX_TREND_MONTHS = 24

# The latest scoring run on or before the as-of date (a run as of D reads, like these
# reports, the data before D's midnight): its date, and that date's latest scoring.
_SCORES = """
SELECT customer_id, probability, risk_band FROM churn_scores
WHERE site = %(site)s
  AND (as_of, scored_at) IN (
      SELECT as_of, max(scored_at) FROM churn_scores
      WHERE site = %(site)s
        AND as_of = (SELECT max(as_of) FROM churn_scores WHERE site = %(site)s AND as_of <= %(day)s)
      GROUP BY as_of)
"""
_ENDED = """
SELECT customer_id FROM customers FINAL
WHERE site = %(site)s AND deleted = 0 AND contract_status = 'ended'
"""

# cell -> (label, profitability, relationship, the retention action it calls for)
CELLS = {
    "strangers": ("Strangers", "low", "short",
                  "little fit between what they bring and what they cost: serve them efficiently, "
                  "invest nothing to keep them"),
    "butterflies": ("Butterflies", "high", "short",
                    "valuable but passing: make the most of them while they buy, with time-limited "
                    "offers, and stop spending on them once they go quiet"),
    "true_friends": ("True friends", "high", "long",
                     "valuable and steady: reward and nurture them, keep in regular touch, defend "
                     "them first when their churn risk rises"),
    "barnacles": ("Barnacles", "low", "long",
                  "loyal but little value: find out whether they spend elsewhere; up-sell or "
                  "cross-sell if so, otherwise keep their cost to serve low"),
}


def cell_of(high_profit, long_relationship):
    if high_profit:
        return "true_friends" if long_relationship else "butterflies"
    return "barnacles" if long_relationship else "strangers"


def latest_risk(store, site, as_of):
    """{customer_id: (probability, band)} of the latest scoring run as of `as_of` or before."""
    rows = store.query(_SCORES, {"site": site, "day": as_of})
    return {cid: (float(probability), band) for cid, probability, band in rows}


def ended_contracts(store, site):
    return {row[0] for row in store.query(_ENDED, {"site": site})}


def value_rows(scored, clv, risk, ended):
    """One row per active client: id, CLV, tenure, segment, churn probability and band.

    `scored`: rfm_scores of the client histories the CLV report was made from.
    """
    scored = {c["customer_id"]: c for c in scored}
    rows = []
    for r in clv["clients"]:
        cid = r["customer_id"]
        if cid in ended or r["predicted_value"] is None:
            continue
        probability, band = risk.get(cid, (None, "unscored"))
        rows.append({"customer_id": cid, "clv": r["predicted_value"],
                     "net_revenue": r["net_revenue"], "tenure_days": scored[cid]["age_days"],
                     "segment": scored[cid]["segment"], "probability": probability,
                     "band": band if band in BANDS else "unscored"})
    return rows


def _split(rows, key, names):
    """[{key: name, clients, value}] for each of `names`, in one pass over the rows."""
    clients, value = dict.fromkeys(names, 0), dict.fromkeys(names, 0.0)
    for r in rows:
        clients[r[key]] += 1
        value[r[key]] += r["clv"]
    return [{key: name, "clients": clients[name], "value": round(value[name], 2)} for name in names]


def portfolio_summary(as_of, clv, rows):
    """Portfolio value, value at risk and the splits, from value_rows."""
    predicted = clv["predicted_total"] is not None
    high = [r for r in rows if r["band"] == "high"]
    return {
        "as_of": as_of, "horizon_days": clv["horizon_days"], "discount_rate": clv["discount_rate"],
        "clients": len(rows), "buyers": clv["customers"],
        "value": round(sum(r["clv"] for r in rows), 2) if predicted else None,
        "value_at_risk": round(sum(r["clv"] for r in high), 2) if predicted else None,
        "at_risk_clients": len(high),
        "by_segment": _split(rows, "segment", SEGMENTS),
        "by_band": _split(rows, "band", BANDS),
        "model": clv["model"], "spend_model": clv["spend_model"],
        "prediction_note": clv["prediction_note"],
    }


def build_portfolio(store, site, as_of, clv, scored):
    """(portfolio_summary, value rows) from a CLV report and the RFM scores of its clients."""
    rows = value_rows(scored, clv, latest_risk(store, site, as_of), ended_contracts(store, site))
    return portfolio_summary(as_of, clv, rows), rows


def portfolio_report(store, site, as_of, horizon_days=DEFAULT_HORIZON_DAYS,
                     discount_rate=DEFAULT_DISCOUNT_RATE):
    """(portfolio_summary as of `as_of`, the value rows it was summed from).

    Kept until the site's data or churn scores change (analytics.value_memo):
    the Churn and Customers pages and the Stats API share one computation.
    """
    def compute():
        _, clv = value_basis(store, site, as_of, horizon_days, discount_rate)
        return build_portfolio(store, site, as_of, clv,
                               scored_clients(store, site, as_of, horizon_days, discount_rate))
    return remember(store, site, "portfolio", (as_of, horizon_days, discount_rate), compute, scores=True)


def portfolio_overview(store, site, as_of, horizon_days=DEFAULT_HORIZON_DAYS,
                       discount_rate=DEFAULT_DISCOUNT_RATE):
    """portfolio_report's summary alone, kept in the store too (every server process reads it)."""
    return remember(store, site, "portfolio_summary", (as_of, horizon_days, discount_rate),
                    lambda: portfolio_report(store, site, as_of, horizon_days, discount_rate)[0],
                    scores=True, stored=True)


def matrix_overview(store, site, as_of, horizon_days, discount_rate, value_cutoff=None,
                    tenure_cutoff_days=None):
    """loyalty_matrix's cut-offs and cells without the clients, kept in the store too."""
    def compute():
        _, rows = portfolio_report(store, site, as_of, horizon_days, discount_rate)
        matrix = loyalty_matrix(rows, value_cutoff, tenure_cutoff_days)
        return {k: v for k, v in matrix.items() if k != "clients"} | {"placed": len(rows)}
    return remember(store, site, "matrix", (as_of, horizon_days, discount_rate, value_cutoff,
                                            tenure_cutoff_days), compute, scores=True, stored=True)


def keep_page_summaries(store, site, as_of, horizon_days, discount_rate, trend_months,
                        value_cutoff=None, tenure_cutoff_days=None):
    """Compute ahead what the Churn and Customers pages show as of `as_of` (cheap when kept).

    False when the site has no client with a purchase before `as_of`.
    """
    with one_generation():
        if not rfm_overview(store, site, as_of, horizon_days, discount_rate)["customers"]:
            return False
        clv_overview(store, site, as_of, horizon_days, discount_rate)
        portfolio_overview(store, site, as_of, horizon_days, discount_rate)
        matrix_overview(store, site, as_of, horizon_days, discount_rate, value_cutoff, tenure_cutoff_days)
        portfolio_trend(store, site, as_of, trend_months, horizon_days, discount_rate)
    return True


def trend_dates(as_of, months):
    """The first day of each of the last `months` months up to `as_of`, oldest first."""
    dates, year, month = [], as_of.year, as_of.month
    for _ in range(months):
        dates.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return dates[::-1]


def portfolio_trend(store, site, as_of, months=DEFAULT_TREND_MONTHS, horizon_days=DEFAULT_HORIZON_DAYS,
                    discount_rate=DEFAULT_DISCOUNT_RATE):
    """[{as_of, clients, value}] at each month start: each from the history before that day.

    Contracts ended today are left out of every point (the store keeps a
    client's current contract status, not its past ones). Each point costs
    one history read and the two fits (kept until the data changes:
    analytics.value_memo), so `months` is capped.
    """
    if not 1 <= months <= MAX_TREND_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_TREND_MONTHS}")

    def compute():
        ended = ended_contracts(store, site)
        points = []
        for day in trend_dates(as_of, months):
            _, clv = value_basis(store, site, day, horizon_days, discount_rate)
            active = [r for r in clv["clients"] if r["customer_id"] not in ended]
            predicted = clv["predicted_total"] is not None
            points.append({"as_of": day, "clients": len(active),
                           "value": round(sum(r["predicted_value"] for r in active), 2) if predicted else None})
        return points
    return remember(store, site, "trend", (as_of, months, horizon_days, discount_rate), compute,
                    stored=True)


def matrix_cutoffs(rows, value_cutoff=None, tenure_cutoff_days=None):
    """(CLV cut-off, tenure cut-off in days): the ones given, or the medians of the rows."""
    if not rows:
        return value_cutoff, tenure_cutoff_days
    value = statistics.median(r["clv"] for r in rows) if value_cutoff is None else value_cutoff
    tenure = (statistics.median(r["tenure_days"] for r in rows) if tenure_cutoff_days is None
              else tenure_cutoff_days)
    return round(float(value), 2), float(tenure)


def loyalty_matrix(rows, value_cutoff=None, tenure_cutoff_days=None):
    """The four cells with their clients, value and mean churn risk, and each row's cell."""
    value, tenure = matrix_cutoffs(rows, value_cutoff, tenure_cutoff_days)
    placed = [dict(r, cell=cell_of(r["clv"] > value, r["tenure_days"] > tenure)) for r in rows]
    cells = []
    for name, (label, profit, relationship, action) in CELLS.items():
        members = [r for r in placed if r["cell"] == name]
        risks = [r["probability"] for r in members if r["probability"] is not None]
        cells.append({"cell": name, "label": label, "profitability": profit,
                      "relationship": relationship, "clients": len(members),
                      "value": round(sum(r["clv"] for r in members), 2),
                      "mean_risk": round(sum(risks) / len(risks), 4) if risks else None,
                      "scored": len(risks), "action": action})
    return {"value_cutoff": value, "tenure_cutoff_days": tenure, "cells": cells, "clients": placed}


def cell_page(matrix, cell, offset, limit):
    """(one page of a cell's clients, highest CLV first, the cell's client count)."""
    if cell not in CELLS:
        raise ValueError(f"cell {cell!r}: use one of {', '.join(CELLS)}")
    members = sorted((r for r in matrix["clients"] if r["cell"] == cell),
                     key=lambda r: (-r["clv"], r["customer_id"]))
    return members[offset:offset + limit], len(members)
