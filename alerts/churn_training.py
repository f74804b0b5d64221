"""Training churn models out of time, choosing the champion, and deciding its promotion.

With `as_of` T (default today) and horizon H, validation rolls back two
horizons (FOLDS) out of time:
- fold 1: fit on features as of T - 3H with labels over [T - 3H, T - 2H),
  measure on features as of T - 2H with labels over [T - 2H, T - H);
- fold 2: fit at T - 2H, measure at T - H with labels over [T - H, T).
Each measurement is on a later window than the fit, so it says how a
candidate does on the future, not on the past it memorised. Every candidate
(churn_candidates: XGBoost over a small grid, logistic regression,
Pareto/NBD, BG/NBD) is measured on both folds; the best mean validation ROC
AUC is the champion (a simpler one within a small tolerance wins ties).
When the history holds one fold only (fewer than 30 purchasing clients, or
too few churned or retained, at T - 3H), selection uses that fold and the
card and the output say so.

The champion's recipe (kind, setting, number of trees) is then refitted on
the latest complete window, features as of T - H with labels over [T - H,
T): that model is registered and scores at T. A purchase model (Pareto/NBD,
BG/NBD) reads no labels, so its parameters are fitted on every client's
history up to T itself; its calibration still comes from that window. No class weight:
scale_pos_weight = retained / churned would down-weight the churners when
they are the majority (often so in retail). It is promoted only if its
validation ROC AUC beats the recency baseline's (days since last purchase);
otherwise it is recorded, not used.
"""
import datetime

from vigie.alerts import churn_sql as sql
from vigie.alerts.churn_baselines import recency_baseline
from vigie.alerts.churn_candidates import (NAMES, Window, choose, evaluate_candidates, fit_candidate,
                                           summarise, tree_parameters)
from vigie.alerts.churn_estimators import TreeEstimator
from vigie.alerts.churn_features import build_features, feature_names
from vigie.alerts.churn_labels import churn_labels
from vigie.alerts.churn_registry import next_version, register_model

MIN_CLIENTS, MIN_PER_CLASS = 30, 5
PURCHASE_KINDS = ("paretonbd", "bgnbd")
FOLDS = 2


class TrainingError(ValueError):
    """Not enough data to train or measure a model; the message says what is missing."""


def _dataset(store, site, reference, horizon_days, key_pages, require_no_visit, today):
    frame = build_features(store, site, reference, key_pages, today=today)
    labels = churn_labels(store, site, reference, horizon_days, frame.index,
                          require_no_visit=require_no_visit, today=today)
    return frame, labels


def earliest_as_of(store, site, horizon_days, folds=1):
    """The first --as-of whose oldest training window (features at as_of -
    (folds + 1) x H) has MIN_CLIENTS clients with a purchase before it, or
    None without them. One fold is the least training accepts."""
    day = store.query_value(sql.ENOUGH_CLIENTS_DAY, {"site": site, "clients": MIN_CLIENTS})
    if not day:
        return None
    first = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    return first + datetime.timedelta(days=1 + (folds + 1) * horizon_days)


def check_history(store, site, as_of, horizon_days):
    """Refuse a horizon the history cannot hold, naming the earliest feasible date.

    One validation fold needs 2H of history before as_of (two folds, 3H,
    are used when there; with less, training says it validated on one).
    Never fall back to another horizon: a model for 91 days scoring a
    182-day question answers the wrong one.
    """
    earliest = earliest_as_of(store, site, horizon_days)
    if earliest is None:
        raise TrainingError(f"{site} has fewer than {MIN_CLIENTS} clients with a purchase: "
                            "nothing to train a churn model on yet")
    if as_of < earliest:
        raise TrainingError(
            f"a {horizon_days}-day horizon needs 2 x {horizon_days} days of history before --as-of "
            f"(training features at {as_of - datetime.timedelta(days=2 * horizon_days)}); the history "
            f"holds {MIN_CLIENTS} purchasing clients only from "
            f"{earliest - datetime.timedelta(days=1 + 2 * horizon_days)}: the earliest feasible "
            f"--as-of for this horizon is {earliest} (or choose a shorter --horizon)")


def _check(name, labels):
    churned = int(labels.sum())
    if len(labels) < MIN_CLIENTS or churned < MIN_PER_CLASS or len(labels) - churned < MIN_PER_CLASS:
        raise TrainingError(f"{name}: {len(labels)} clients, {churned} churned; training needs at "
                            f"least {MIN_CLIENTS} clients with {MIN_PER_CLASS} churned and "
                            f"{MIN_PER_CLASS} retained (try an earlier --as-of or a shorter --horizon)")


def _windows(store, site, as_of, horizon_days, key_pages, require_no_visit, today, progress):
    """The dated windows of the folds, oldest first: T - (FOLDS + 1)H .. T - H,
    fewer when the oldest lack history or labels; and a note saying so."""
    horizon = datetime.timedelta(days=horizon_days)
    wanted = FOLDS
    earliest = earliest_as_of(store, site, horizon_days, folds=FOLDS)
    note = ""
    if earliest is not None and as_of < earliest:
        wanted = 1
        note = (f"one validation fold only: {FOLDS} folds need {FOLDS + 1} x {horizon_days} days of "
                f"history before --as-of (from {earliest} on)")
    windows = []
    for back in range(wanted + 1, 0, -1):
        reference = as_of - back * horizon
        role = ("validation, then the refit" if back == 1 else
                "training" if back == wanted + 1 else "validation and training")
        progress(f"features as of {reference} ({role}) ...")
        frame, labels = _dataset(store, site, reference, horizon_days, key_pages, require_no_visit, today)
        try:
            _check(f"window {reference}", labels)
        except TrainingError as exc:
            if back > 2:        # an extra fold only: go on with fewer
                note = f"one validation fold only: {exc}"
                continue
            raise
        progress(f"  {len(labels)} clients, {int(labels.sum())} churned by {reference + horizon}")
        windows.append(Window(reference, frame, labels))
    if note:
        progress(note)
    return windows, note


def train_churn_model(store, site, key_pages, model_dir, as_of=None, horizon_days=90,
                      require_no_visit=False, seed=0, threads=1, today=None, progress=print):
    """Choose, refit, and register the champion; returns its ChurnModel (card inside).

    `threads`: XGBoost threads. One is fastest for a few thousand clients (no
    thread start-up, no contention on a shared machine); more pay off from
    tens of thousands.
    """
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    as_of = as_of or today
    if as_of > today:
        raise TrainingError(f"--as-of {as_of} is in the future; labels need the horizon to have passed")
    check_history(store, site, as_of, horizon_days)
    features = feature_names(key_pages)
    windows, fold_note = _windows(store, site, as_of, horizon_days, key_pages, require_no_visit, today,
                                  progress)
    folds = list(zip(windows[:-1], windows[1:]))
    progress(f"validating the candidates on {len(folds)} fold(s) ...")
    candidates, skipped = evaluate_candidates(folds, features, horizon_days, seed, threads, progress)
    try:
        kind, why = choose(candidates, len(folds))
    except ValueError as exc:
        raise TrainingError(f"{exc}: {skipped}") from exc
    recency = summarise([recency_baseline(t.frame, t.labels, v.frame, v.labels) for t, v in folds])
    latest = windows[-1]
    setting = candidates[kind]["setting"]
    progress(f"{why}; refitting it on the latest window ({len(latest.labels)} clients) ...")
    # A purchase model needs no labels: its parameters come from every client's history up
    # to T itself, the latest there is (the labelled window's calibration share still maps
    # its scores to probabilities).
    histories = (build_features(store, site, as_of, key_pages, today=today)
                 if kind in PURCHASE_KINDS else None)
    model, setting = fit_candidate(kind, setting, latest, features, horizon_days, seed, threads,
                                   histories=histories)
    champion = candidates[kind]["metrics"]
    beats = champion["roc_auc"] > recency["roc_auc"]
    note = (f"{why}; ROC AUC {champion['roc_auc']:.3f} "
            f"{'beats' if beats else 'does not beat'} the recency baseline's {recency['roc_auc']:.3f}")
    model.card = {
        "site": site, "version": next_version(store, site),
        "created_at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "kind": kind, "features": model.features,
        "feature_importance": _rounded(model.estimator.importance()),
        "parameters": _parameters(kind, setting, model, seed, threads, key_pages, require_no_visit),
        "data_window": dict(_data_window(as_of, horizon_days, folds, latest, fold_note),
                            **({"purchase_model_histories_before": as_of.isoformat(),
                                "purchase_model_clients": int((histories["purchase_days"] > 0).sum())}
                               if histories is not None else {})),
        "metrics": {"model": champion, "recency_baseline": recency,
                    "candidates": {k: dict(c["metrics"], setting=c["setting"], grid=c["grid"])
                                   for k, c in candidates.items()},
                    "skipped_candidates": skipped},
        "champion_note": why, "promoted": beats, "promotion_note": note,
    }
    path = register_model(store, model_dir, site, model, beats, note)
    progress(f"model {model.card['version']} ({NAMES[kind]}) saved in {path}: {note}; "
             f"{'promoted' if beats else 'NOT promoted'}")
    return model


def _parameters(kind, setting, model, seed, threads, key_pages, require_no_visit):
    parameters = tree_parameters(setting, seed, threads) if kind == "xgboost" else dict(setting)
    if kind in ("paretonbd", "bgnbd"):
        parameters.update(model.estimator.parameters)
    return {**parameters, "kind": kind, "calibration": model.calibration["method"],
            "key_pages": [list(p) for p in key_pages], "require_no_visit": bool(require_no_visit)}


def _data_window(as_of, horizon_days, folds, latest, note):
    horizon = datetime.timedelta(days=horizon_days)

    def span(window):
        return [window.reference.isoformat(), (window.reference + horizon).isoformat()]
    fold_rows = [{"training_features_before": t.reference.isoformat(), "training_labels": span(t),
                  "validation_features_before": v.reference.isoformat(), "validation_labels": span(v),
                  "training_clients": int(len(t.labels)), "training_churned": int(t.labels.sum()),
                  "validation_clients": int(len(v.labels)), "validation_churned": int(v.labels.sum())}
                 for t, v in folds]
    last_train, last_validation = folds[-1]
    return {
        "horizon_days": horizon_days, "as_of": as_of.isoformat(), "folds": fold_rows,
        "fold_note": note or f"{len(folds)} validation folds",
        # The latest fold, under the names cards have always used.
        "training_features_before": last_train.reference.isoformat(), "training_labels": span(last_train),
        "evaluation_features_before": last_validation.reference.isoformat(),
        "evaluation_labels": span(last_validation),
        "refit_features_before": latest.reference.isoformat(), "refit_labels": span(latest),
        "refit_clients": int(len(latest.labels)), "refit_churned": int(latest.labels.sum()),
    }


def _rounded(importance):
    return {f: round(share, 6) for f, share in sorted(importance.items(), key=lambda item: (-item[1], item[0]))}


def feature_importance(booster, features):
    """{feature: share of the trees' total gain}, largest first, shares adding
    up to 1; 0 for features no tree splits on (TreeEstimator.importance)."""
    return _rounded(TreeEstimator(booster, features).importance())
