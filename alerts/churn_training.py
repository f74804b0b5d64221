"""Training a churn model out of time, measuring it, and deciding its promotion.

With `as_of` A (default today) and horizon H:
- training set: features as of A - 2H, labels over [A - 2H, A - H);
- evaluation set: features as of A - H, labels over [A - H, A): later than
  anything the model was fitted on, so its metrics say how it does on the
  future, not on the past it memorised.
The training set is split (stratified) into a fit share, an early-stopping
share and a calibration share. No class weight: scale_pos_weight =
retained / churned would down-weight the churners when they are the
majority (often so in retail), and the ranking needs no weight; the
calibration makes the probabilities honest. min_child_weight above 1 and
early stopping keep the trees from memorising single clients. Once
measured, the same recipe (parameters, number of trees) is refitted on the
latest complete window, features as of A - H with labels over [A - H, A):
that refitted model is the one registered and used at A. The model is
promoted only if its ROC AUC on the evaluation set beats the recency
baseline's (days since last purchase); otherwise it is recorded, not used.
"""
import datetime
import logging

import numpy as np

from vigie.alerts import churn_sql as sql
from vigie.alerts.churn_baselines import bgnbd_baseline, paretonbd_baseline, recency_baseline
from vigie.alerts.churn_features import build_features, feature_names
from vigie.alerts.churn_labels import churn_labels
from vigie.alerts.churn_metrics import MetricsError, evaluate
from vigie.alerts.churn_model import ChurnModel, fit_calibration
from vigie.alerts.churn_registry import next_version, register_model

log = logging.getLogger(__name__)

MIN_CLIENTS, MIN_PER_CLASS = 30, 5
PARAMETERS = {"objective": "binary:logistic", "eval_metric": "logloss", "max_depth": 4,
              "eta": 0.05, "subsample": 0.9, "colsample_bytree": 0.9, "min_child_weight": 5,
              "tree_method": "hist"}
MAX_ROUNDS, EARLY_STOPPING_ROUNDS = 600, 40


class TrainingError(ValueError):
    """Not enough data to train or measure a model; the message says what is missing."""


def _dataset(store, site, reference, horizon_days, key_pages, require_no_visit, today):
    frame = build_features(store, site, reference, key_pages, today=today)
    labels = churn_labels(store, site, reference, horizon_days, frame.index,
                          require_no_visit=require_no_visit, today=today)
    return frame, labels


def earliest_as_of(store, site, horizon_days):
    """The first --as-of whose training window (features at as_of - 2H) has
    MIN_CLIENTS clients with a purchase before it, or None without them."""
    day = store.query_value(sql.ENOUGH_CLIENTS_DAY, {"site": site, "clients": MIN_CLIENTS})
    if not day:
        return None
    first = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    return first + datetime.timedelta(days=1 + 2 * horizon_days)


def check_history(store, site, as_of, horizon_days):
    """Refuse a horizon the history cannot hold, naming the earliest feasible date.

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


def _split(labels, seed):
    """Stratified fit / early-stopping / calibration positions (70 / 15 / 15 %)."""
    from sklearn.model_selection import train_test_split
    positions = np.arange(len(labels))
    fit, rest = train_test_split(positions, test_size=0.3, stratify=labels, random_state=seed)
    stop, calibrate = train_test_split(rest, test_size=0.5, stratify=labels[rest], random_state=seed)
    return fit, stop, calibrate


def train_churn_model(store, site, key_pages, model_dir, as_of=None, horizon_days=90,
                      require_no_visit=False, seed=0, threads=1, today=None, progress=print):
    """Train, evaluate and register one model; returns its ChurnModel (card inside).

    `threads`: XGBoost threads. One is fastest for a few thousand clients (no
    thread start-up, no contention on a shared machine); more pay off from
    tens of thousands.
    """
    import xgboost
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    as_of = as_of or today
    if as_of > today:
        raise TrainingError(f"--as-of {as_of} is in the future; labels need the horizon to have passed")
    check_history(store, site, as_of, horizon_days)
    horizon = datetime.timedelta(days=horizon_days)
    train_ref, eval_ref = as_of - 2 * horizon, as_of - horizon
    features = feature_names(key_pages)

    progress(f"features as of {train_ref} (training) ...")
    train_x, train_y = _dataset(store, site, train_ref, horizon_days, key_pages, require_no_visit, today)
    _check(f"training window {train_ref}", train_y)
    progress(f"  {len(train_y)} clients, {int(train_y.sum())} churned by {eval_ref}")
    progress(f"features as of {eval_ref} (evaluation) ...")
    eval_x, eval_y = _dataset(store, site, eval_ref, horizon_days, key_pages, require_no_visit, today)
    _check(f"evaluation window {eval_ref}", eval_y)
    progress(f"  {len(eval_y)} clients, {int(eval_y.sum())} churned by {as_of}")

    y = train_y.to_numpy()
    fit, stop, calibrate = _split(y, seed)
    x = train_x[features].to_numpy(dtype=float)
    matrix = lambda rows: xgboost.DMatrix(x[rows], label=y[rows], feature_names=features, missing=np.nan)  # noqa: E731
    params = dict(PARAMETERS, seed=seed, nthread=threads)
    progress(f"training XGBoost on {len(fit)} clients, early stopping on {len(stop)} ...")
    booster = xgboost.train(params, matrix(fit), num_boost_round=MAX_ROUNDS,
                            evals=[(matrix(stop), "stop")], early_stopping_rounds=EARLY_STOPPING_ROUNDS,
                            verbose_eval=False, callbacks=[_progress_callback(progress)])
    best = int(booster.best_iteration)
    booster = booster[: best + 1]
    model = ChurnModel(booster, None, features)
    model.calibration = fit_calibration(model.margins(train_x.iloc[calibrate]), y[calibrate])
    progress(f"  {best + 1} trees; calibration: {model.calibration['method']} "
             f"on {len(calibrate)} clients")

    truth = eval_y.to_numpy()
    probabilities = model.probabilities(eval_x)
    metrics = {"model": evaluate(truth, probabilities, probabilities),
               "recency_baseline": recency_baseline(train_x, y, eval_x, truth)}
    try:
        metrics["bgnbd_baseline"] = bgnbd_baseline(train_x, y, eval_x, truth, horizon_days)
    except (MetricsError, ValueError) as exc:
        log.warning("BG/NBD baseline skipped for %s: %s", site, exc)
    try:
        metrics["paretonbd_baseline"] = paretonbd_baseline(train_x, y, eval_x, truth, horizon_days)
    except (MetricsError, ValueError) as exc:
        log.warning("Pareto/NBD baseline skipped for %s: %s", site, exc)
    model, refit, refit_calibrate = _refit(eval_x, truth, features, params, best + 1, seed, progress)
    importance = feature_importance(model.booster, features)
    beats = metrics["model"]["roc_auc"] > metrics["recency_baseline"]["roc_auc"]
    note = (f"ROC AUC {metrics['model']['roc_auc']:.3f} "
            f"{'beats' if beats else 'does not beat'} the recency baseline's "
            f"{metrics['recency_baseline']['roc_auc']:.3f}")
    created = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    model.card = {
        "site": site, "version": next_version(store, site), "created_at": created.isoformat(),
        "features": features, "feature_importance": importance,
        "parameters": {**params, "best_iteration": best, "trees": best + 1, "max_rounds": MAX_ROUNDS,
                       "early_stopping_rounds": EARLY_STOPPING_ROUNDS,
                       "calibration": model.calibration["method"],
                       "key_pages": [list(p) for p in key_pages],
                       "require_no_visit": bool(require_no_visit)},
        "data_window": {
            "horizon_days": horizon_days, "as_of": as_of.isoformat(),
            "training_features_before": train_ref.isoformat(),
            "training_labels": [train_ref.isoformat(), eval_ref.isoformat()],
            "evaluation_features_before": eval_ref.isoformat(),
            "evaluation_labels": [eval_ref.isoformat(), as_of.isoformat()],
            "training_clients": int(len(y)), "training_churned": int(y.sum()),
            "fit_clients": int(len(fit)), "early_stopping_clients": int(len(stop)),
            "calibration_clients": int(len(calibrate)),
            "refit_features_before": eval_ref.isoformat(),
            "refit_labels": [eval_ref.isoformat(), as_of.isoformat()],
            "refit_clients": int(len(refit)), "refit_calibration_clients": int(len(refit_calibrate)),
        },
        "metrics": metrics, "promoted": beats, "promotion_note": note,
    }
    path = register_model(store, model_dir, site, model, beats, note)
    progress(f"model {model.card['version']} saved in {path}: {note}; "
             f"{'promoted' if beats else 'NOT promoted'}")
    return model


def _refit(frame, labels, features, params, trees, seed, progress):
    """The model to use at as_of: the selected configuration (parameters and
    number of trees found out of time) fitted again on the latest complete
    window, features at as_of - H with labels over [as_of - H, as_of).
    Without it the model scoring at as_of would have learnt from a window a
    whole horizon older. 85 % of the window fits, 15 % held out calibrates.
    Its own quality cannot be measured yet (its future is unknown): the card
    keeps the metrics of the selection run, the same recipe one window
    earlier."""
    import xgboost
    from sklearn.model_selection import train_test_split
    fit, calibrate = train_test_split(np.arange(len(labels)), test_size=0.15, stratify=labels,
                                      random_state=seed)
    x = frame[features].to_numpy(dtype=float)
    progress(f"refitting {trees} trees on the latest window ({len(fit)} clients), "
             f"calibrating on {len(calibrate)} ...")
    booster = xgboost.train(params, xgboost.DMatrix(x[fit], label=labels[fit], feature_names=features,
                                                    missing=np.nan), num_boost_round=trees)
    model = ChurnModel(booster, None, features)
    model.calibration = fit_calibration(model.margins(frame.iloc[calibrate]), labels[calibrate])
    return model, fit, calibrate


def feature_importance(booster, features):
    """{feature: share of the trees' total gain}, largest first, shares adding up to 1.

    Total gain (the loss reduction of every split on the feature, summed)
    rather than XGBoost's default average gain: a feature split on once with a
    large gain should not outrank one the trees rely on everywhere. Features
    no tree splits on get 0.
    """
    gains = booster.get_score(importance_type="total_gain")
    total = sum(gains.values())
    shares = {f: (gains.get(f, 0.0) / total if total else 0.0) for f in features}
    return {f: round(share, 6) for f, share in sorted(shares.items(), key=lambda item: (-item[1], item[0]))}


def _progress_callback(progress):
    """An XGBoost callback reporting the early-stopping loss every 50 rounds."""
    import xgboost

    class Progress(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if epoch and epoch % 50 == 0:
                progress(f"  round {epoch}: early-stopping log loss {evals_log['stop']['logloss'][-1]:.4f}")
            return False
    return Progress()
