"""What the dashboard and the alert rules read about churn.

`churn_scores` may briefly hold several runs of one (site, as_of) (see
alerts/churn_scoring.py); every reader here keeps only the run with the
greatest scored_at of each date, so a re-scored date is never counted twice.
"""
from dataclasses import dataclass

from vigie.alerts.churn_registry import promoted_record


@dataclass(frozen=True)
class ChurnScore:
    customer_id: str
    as_of: object
    scored_at: object
    model_version: str
    probability: float
    risk_band: str
    reasons: tuple
    reason_features: tuple


RISK_BANDS = ("high", "medium", "low")
_FIELDS = "customer_id, as_of, scored_at, model_version, probability, risk_band, reasons, reason_features"


def _score(row):
    customer_id, as_of, scored_at, version, probability, band, reasons, features = row
    return ChurnScore(customer_id, as_of, scored_at, version, float(probability), band,
                      tuple(reasons), tuple(features))


# The rows of the site's latest run: its latest date, and that date's latest scoring.
_LATEST_RUN = """
    WHERE site = %(site)s
      AND (as_of, scored_at) IN (
          SELECT as_of, max(scored_at) FROM churn_scores
          WHERE site = %(site)s AND as_of = (SELECT max(as_of) FROM churn_scores WHERE site = %(site)s)
          GROUP BY as_of)
      AND (%(band)s = '' OR risk_band = %(band)s)"""
AT_RISK_SORTS = {"desc": "probability DESC, customer_id", "asc": "probability, customer_id"}
MAX_SCORE_PAGE = 500
HISTOGRAM_BINS = 20


def latest_scores(store, site, risk_band=None):
    """Every client's score from the site's latest run, highest probability first."""
    params = {"site": site, "band": risk_band or ""}
    rows = store.query(f"SELECT {_FIELDS} FROM churn_scores {_LATEST_RUN} "
                       "ORDER BY probability DESC, customer_id", params)
    return [_score(r) for r in rows]


@dataclass(frozen=True)
class ScorePage:
    scores: list
    total: int      # clients of the band (or all), all pages together
    offset: int
    limit: int


def at_risk_page(store, site, risk_band="", order="desc", offset=0, limit=50):
    """One page of the latest run's scores of a band (or all), sorted in the store, with the total."""
    if order not in AT_RISK_SORTS:
        raise ValueError(f"order {order!r}: use desc or asc")
    if not 1 <= limit <= MAX_SCORE_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_SCORE_PAGE}")
    if offset < 0:
        raise ValueError("offset cannot be negative")
    params = {"site": site, "band": risk_band or ""}
    total = store.query_value(f"SELECT count() FROM churn_scores {_LATEST_RUN}", params)
    rows = store.query(f"SELECT {_FIELDS} FROM churn_scores {_LATEST_RUN} "
                       f"ORDER BY {AT_RISK_SORTS[order]} LIMIT {int(limit)} OFFSET {int(offset)}",
                       params)
    return ScorePage([_score(r) for r in rows], int(total or 0), offset, limit)


def score_distribution(store, site):
    """The latest run summed up in the store: ({band: clients}, [clients per 5-point bin] * 20)."""
    rows = store.query(f"""
        SELECT risk_band, least(toUInt32(floor(probability * {HISTOGRAM_BINS})), {HISTOGRAM_BINS - 1}) AS bin,
               count()
        FROM churn_scores {_LATEST_RUN}
        GROUP BY risk_band, bin""", {"site": site, "band": ""})
    bands, bins = dict.fromkeys(RISK_BANDS, 0), [0] * HISTOGRAM_BINS
    for band, number, count in rows:
        bands[band] = bands.get(band, 0) + int(count)
        bins[int(number)] += int(count)
    return bands, bins


def score_history(store, site, customer_id):
    """One client's scores over time, oldest date first, one per scored date."""
    rows = store.query(f"""
        SELECT {_FIELDS} FROM churn_scores
        WHERE site = %(site)s AND customer_id = %(customer)s
          AND (as_of, scored_at) IN (
              SELECT as_of, max(scored_at) FROM churn_scores
              WHERE site = %(site)s GROUP BY as_of)
        ORDER BY as_of
    """, {"site": site, "customer": customer_id})
    return [_score(r) for r in rows]


def promoted_model_card(store, site):
    """The promoted model's card as a dict (version, data window, metrics...), or None."""
    record = promoted_record(store, site)
    if record is None:
        return None
    return {"site": record.site, "version": record.version, "created_at": record.created_at,
            "features": list(record.features), "parameters": record.parameters,
            "data_window": record.data_window, "metrics": record.metrics,
            "promotion_note": record.promotion_note,
            "feature_importance": list(record.feature_importance)}



def risk_trend(store, site):
    """Per scoring date, oldest first: clients scored and the count and share of each band.

    [{"as_of", "clients", "high", "medium", "low", "high_share", ...}], one
    entry per date (its latest run only); shares are percentages of that
    date's clients, rounded to 0.1.
    """
    rows = store.query("""
        SELECT as_of, risk_band, count() FROM churn_scores
        WHERE site = %(site)s
          AND (as_of, scored_at) IN (
              SELECT as_of, max(scored_at) FROM churn_scores WHERE site = %(site)s GROUP BY as_of)
        GROUP BY as_of, risk_band
        ORDER BY as_of
    """, {"site": site})
    dates = {}
    for as_of, band, count in rows:
        dates.setdefault(as_of, dict.fromkeys(RISK_BANDS, 0))[band] = int(count)
    trend = []
    for as_of, counts in sorted(dates.items()):
        total = sum(counts.values())
        entry = {"as_of": as_of, "clients": total, **{b: counts.get(b, 0) for b in RISK_BANDS}}
        entry.update({f"{b}_share": round(100.0 * counts.get(b, 0) / total, 1) for b in RISK_BANDS})
        trend.append(entry)
    return trend
