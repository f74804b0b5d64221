"""Scoring every active client of a site with its promoted churn model.

One run writes one row per client into `churn_scores` (probability, risk
band, top three reasons), all with the same `scored_at`, and optionally a
CSV. Re-scoring the same `as_of` writes a new run with a later `scored_at`
and then deletes the older runs of that date; until ClickHouse has applied
the deletion, readers must keep to the rule documented in docs/churn.md and
implemented in alerts/churn_queries.py: for a (site, as_of), only the rows
with the greatest scored_at count.

Features are built in ClickHouse one slice of clients (a range of customer
ids) at a time and the model runs on each slice, so a million clients never
sit in memory at once. The next slice's features are built in a second
thread while the current one is scored (the engine works outside Python's
lock, in chdb as behind a server's connection), so at most two slices are in
memory.
"""
import csv
import datetime
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from vigie.alerts.churn_features import build_features, client_slices, site_buyers
from vigie.alerts.churn_reasons import batch_reasons
from vigie.alerts.churn_registry import RegistryError, load_promoted

log = logging.getLogger(__name__)

SCORE_COLUMNS = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability",
                 "risk_band", "reasons", "reason_features"]
BATCH_SIZE = 50_000
REASON_SEPARATOR = "; "


def risk_band(probability, medium, high):
    """low below `medium`, medium from `medium`, high from `high` (settings churn_risk_*)."""
    if probability >= high:
        return "high"
    if probability >= medium:
        return "medium"
    return "low"


def risk_bands(probabilities, medium, high):
    """risk_band of every probability of a batch, as an array of strings."""
    probabilities = np.asarray(probabilities, dtype=float)
    return np.where(probabilities >= high, "high", np.where(probabilities >= medium, "medium", "low"))


@dataclass
class ScoringRun:
    site: str
    as_of: datetime.date
    model_version: str
    scored_at: datetime.datetime
    clients: int = 0
    bands: dict = field(default_factory=lambda: {"low": 0, "medium": 0, "high": 0})


def _run_time(store, site, as_of):
    """Now, or one second after the last run of this date: runs never share a scored_at."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    last = store.query_value("SELECT max(scored_at) FROM churn_scores "
                             "WHERE site = %(site)s AND as_of = %(as_of)s", {"site": site, "as_of": as_of})
    if last is not None and last.year > 1970:
        last = last.replace(tzinfo=datetime.timezone.utc)
        now = max(now, last + datetime.timedelta(seconds=1))
    return now


def score_clients(store, site, medium, high, as_of=None, out_csv=None, batch_size=BATCH_SIZE,
                  exact_reasons=True, today=None, progress=print, horizon_days=None,
                  allow_other_horizon=False):
    """Score the site's active clients as of `as_of` (default today); returns a ScoringRun.

    Clients are split into ranges of customer ids of about `batch_size`
    (client_slices): each slice's features are built in ClickHouse, scored
    and written before the next, so memory holds one slice whatever the
    number of clients. Reasons of
    medium- and high-risk clients come from exact SHAP values, those of
    low-risk clients from Saabas attributions (see _contributions);
    `exact_reasons` False uses Saabas for everyone. Probabilities never
    depend on it. The site's buyers, whom reasons compare a client's
    spending with, are read once for the whole run (site_buyers).

    `horizon_days`: the horizon the scores must answer for; a promoted model
    trained for another one is refused unless `allow_other_horizon`.
    """
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    as_of = as_of or today
    record, model = load_promoted(store, site)
    check_horizon(record, horizon_days, allow_other_horizon)
    key_pages = tuple(tuple(p) for p in record.parameters.get("key_pages", ()))
    slices = client_slices(store, site, batch_size)
    buyers = site_buyers(store, site, as_of)
    run = ScoringRun(site, as_of, record.version, _run_time(store, site, as_of))
    progress(f"scoring the clients of {site} as of {as_of} with model {record.version} "
             f"in {len(slices)} slice(s) ...")
    writer, handle, partial = None, None, None
    if out_csv:
        partial = out_csv + ".partial"
        handle = open(partial, "w", newline="", encoding="utf-8")
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "probability", "risk_band", "reasons"])
    frames = _built_ahead(store, slices, lambda clients: build_features(
        store, site, as_of, key_pages, today=today, clients=clients))
    try:
        for number, frame in enumerate(frames, start=1):
            if len(frame):
                rows = _score_batch(model, frame, run, medium, high, exact_reasons, buyers)
                store.insert("churn_scores", SCORE_COLUMNS, rows)
                if writer:
                    writer.writerows((r[1], f"{r[5]:.4f}", r[6], REASON_SEPARATOR.join(r[7])) for r in rows)
                run.clients += len(rows)
            progress(f"  slice {number}/{len(slices)}: {run.clients} clients scored")
    except BaseException:
        frames.close()
        if handle:
            handle.close()
            os.unlink(partial)
        raise
    if handle:
        handle.close()
        os.replace(partial, out_csv)
    _drop_older_runs(store, run)
    log.info("scored %d clients of %s as of %s with %s: %s", run.clients, site, as_of,
             record.version, run.bands)
    return run


def _built_ahead(store, slices, build):
    """build(slice) for each slice in turn, the next one started in a second
    thread before this one is handed over, so the feature queries of a slice
    run while the caller scores the one before. Closing the generator waits
    for a query under way; the thread lets go of its connection at the end."""
    if not slices:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="churn-features") as pool:
        pending = pool.submit(build, slices[0])
        try:
            for following in [*slices[1:], None]:
                frame = pending.result()
                pending = pool.submit(build, following) if following is not None else None
                yield frame
        finally:
            if pending is not None:
                pending.cancel()
            pool.submit(store.release_thread).result()


def check_horizon(record, horizon_days, allow_other_horizon=False):
    """Refuse a model trained for another horizon: its probabilities answer
    "churned within N days" for its own N, not the one asked."""
    trained = record.data_window.get("horizon_days")
    if horizon_days is None or allow_other_horizon or trained == horizon_days:
        return
    raise RegistryError(f"the promoted model {record.version} of {record.site} was trained for a "
                        f"{trained}-day horizon, not {horizon_days} days: train one with --horizon "
                        f"{horizon_days}, or pass --allow-other-horizon to score with it anyway")


def _contributions(model, batch, bands, exact_reasons):
    """Per-client contributions: TreeSHAP for the clients a person will read
    about (medium and high bands: alerts, the at-risk table), Saabas for the
    low band, whose reasons nobody acts on. Each client gets one kind, computed
    once. Exact values come from tables built once per model (churn_shap,
    0.05 to 0.1 ms per client for 300 trees of depth 4, where XGBoost's own
    kernel takes 0.35 to 0.45 ms); Saabas attributions (about 0.02 ms) keep the low
    band, most clients, cheap. Other kinds of champion (churn_estimators)
    have one kind of contribution, cheap either way."""
    if not exact_reasons:
        return model.contributions(batch, exact=False)
    values = np.empty((len(batch), len(model.features)))
    low = bands == "low"
    for rows, exact in ((np.flatnonzero(low), False), (np.flatnonzero(~low), True)):
        if len(rows):
            values[rows] = model.contributions(batch.iloc[rows], exact=exact)
    return values


def _score_batch(model, batch, run, medium, high, exact_reasons, buyers):
    probabilities = model.probabilities(batch)
    bands = risk_bands(probabilities, medium, high)
    contributions = _contributions(model, batch, bands, exact_reasons)
    reasons = batch_reasons(model.features, contributions, batch.columns,
                            batch.to_numpy(dtype=float), buyers=buyers)
    for band, number in zip(*np.unique(bands, return_counts=True)):
        run.bands[str(band)] += int(number)
    return [(run.site, customer_id, run.as_of, run.scored_at, run.model_version, probability,
             band, [t for _, t in chosen], [f for f, _ in chosen])
            for customer_id, probability, band, chosen in zip(
                batch.index.tolist(), probabilities.tolist(), bands.tolist(), reasons)]


def _drop_older_runs(store, run):
    """Delete the superseded runs of this date (a mutation: applied in the background)."""
    store.execute("ALTER TABLE churn_scores DELETE WHERE site = %(site)s AND as_of = %(as_of)s "
                  "AND scored_at < %(scored_at)s",
                  {"site": run.site, "as_of": run.as_of, "scored_at": run.scored_at})
