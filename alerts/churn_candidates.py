"""Champion and challengers: fitting every candidate on the validation folds
and choosing the one that scores.

Candidates (one family each, its settings chosen out of time):
- `xgboost`: trees over every feature, a grid of depth x minimum leaf weight,
  the number of trees by early stopping;
- `logistic`: L2-regularised logistic regression on standardised features,
  C from a grid;
- `paretonbd`, `bgnbd`: purchase histories only, P(no purchase over the
  horizon).
Each is fitted on a fold's training window and measured on its validation
window, a horizon later. A family's setting is the one with the best mean
validation ROC AUC over the folds; the champion is the family with the best
mean, except that a simpler one within TIE_TOLERANCE of the best wins (the
difference is noise at that size, and a simpler model drifts less). Since
the classical models are candidates, the champion is never worse than the
best of them on validation.
"""
import numpy as np

from vigie.alerts.churn_estimators import LogisticEstimator, PurchaseEstimator, TreeEstimator
from vigie.alerts.churn_metrics import MetricsError, evaluate
from vigie.alerts.churn_model import ChurnModel, fit_calibration
from vigie.alerts.churn_registry import KIND_NAMES as NAMES

# Simplest first: the order ties are broken in.
KINDS = ("paretonbd", "bgnbd", "logistic", "xgboost")
CLASSICAL = ("paretonbd", "bgnbd")
TIE_TOLERANCE = 0.002
TREE_BASE = {"objective": "binary:logistic", "eval_metric": "logloss", "eta": 0.1, "subsample": 0.9,
             "colsample_bytree": 0.9, "tree_method": "hist"}
# Shallow trees with heavy leaves first: the simpler setting wins ties.
TREE_GRID = tuple({"max_depth": d, "min_child_weight": w} for d in (2, 4) for w in (20, 5))
LOGISTIC_GRID = tuple({"C": c} for c in (0.01, 0.1, 1.0))
MAX_ROUNDS, EARLY_STOPPING_ROUNDS = 400, 30
SCALAR_METRICS = ("roc_auc", "pr_auc", "brier", "ece", "lift_top_decile")


class Window:
    """One dated window: the clients' features at `reference` and their labels
    over [reference, reference + H)."""

    def __init__(self, reference, frame, labels):
        self.reference, self.frame, self.labels = reference, frame, np.asarray(labels, dtype=int)


def grid(kind):
    return {"xgboost": TREE_GRID, "logistic": LOGISTIC_GRID}.get(kind, ({},))


def _shares(labels, seed, early_stopping):
    """Stratified positions: fit / early stopping / calibration (70/15/15) for
    trees while selecting; fit / calibration (85/15) otherwise."""
    from sklearn.model_selection import train_test_split
    positions = np.arange(len(labels))
    fit, calibrate = train_test_split(positions, test_size=0.15, stratify=labels, random_state=seed)
    if not early_stopping:
        return fit, None, calibrate
    fit, stop = train_test_split(fit, test_size=0.15 / 0.85, stratify=labels[fit], random_state=seed)
    return fit, stop, calibrate


def fit_candidate(kind, setting, window, features, horizon_days, seed=0, threads=1, histories=None):
    """(ChurnModel calibrated on a held-out share, the setting with the number of
    trees when trees). A setting with "trees" is fitted with that many trees;
    without, trees stop early. `histories`: a frame of every client's features
    at a later date, with no labels, on which a purchase model (which needs no
    labels) is fitted instead of the window's fit share."""
    tree_search = kind == "xgboost" and "trees" not in setting
    fit, stop, calibrate = _shares(window.labels, seed, tree_search)
    frame, labels = window.frame, window.labels
    setting = dict(setting)
    if kind == "xgboost":
        estimator, setting["trees"] = _fit_trees(setting, frame, labels, features, fit, stop, seed, threads)
    elif kind == "logistic":
        estimator = LogisticEstimator.fit(frame.iloc[fit], labels[fit], features, setting["C"])
    else:
        estimator = PurchaseEstimator.fit(kind, frame.iloc[fit] if histories is None else histories,
                                          horizon_days)
    model = ChurnModel(estimator, None, estimator.features)
    model.calibration = fit_calibration(model.margins(frame.iloc[calibrate]), labels[calibrate])
    return model, setting


def _fit_trees(setting, frame, labels, features, fit, stop, seed, threads):
    import xgboost
    x = frame[features].to_numpy(dtype=float)
    params = dict(TREE_BASE, max_depth=setting["max_depth"], min_child_weight=setting["min_child_weight"],
                  seed=seed, nthread=threads)
    train = xgboost.DMatrix(x[fit], label=labels[fit], feature_names=features, missing=np.nan)
    if stop is None:
        booster = xgboost.train(params, train, num_boost_round=setting["trees"])
        return TreeEstimator(booster, features), setting["trees"]
    held = xgboost.DMatrix(x[stop], label=labels[stop], feature_names=features, missing=np.nan)
    booster = xgboost.train(params, train, num_boost_round=MAX_ROUNDS, evals=[(held, "stop")],
                            early_stopping_rounds=EARLY_STOPPING_ROUNDS, verbose_eval=False)
    trees = int(booster.best_iteration) + 1
    return TreeEstimator(booster[:trees], features), trees


def tree_parameters(setting, seed=0, threads=1):
    """The XGBoost parameters of a tree setting, for the card."""
    return dict(TREE_BASE, max_depth=setting["max_depth"], min_child_weight=setting["min_child_weight"],
                seed=seed, nthread=threads, trees=setting["trees"], max_rounds=MAX_ROUNDS,
                early_stopping_rounds=EARLY_STOPPING_ROUNDS)


def summarise(fold_metrics):
    """One entry from a candidate's metrics on each fold: the mean of each
    scalar metric, clients and churned summed, every fold's figures, and the
    reliability curve of the latest fold (the most recent behaviour)."""
    summary = {m: float(np.mean([f[m] for f in fold_metrics])) for m in SCALAR_METRICS
               if all(m in f for f in fold_metrics)}
    summary["clients"] = int(sum(f["clients"] for f in fold_metrics))
    summary["churned"] = int(sum(f["churned"] for f in fold_metrics))
    summary["folds"] = [{k: v for k, v in f.items() if k != "reliability"} for f in fold_metrics]
    if "reliability" in fold_metrics[-1]:
        summary["reliability"] = fold_metrics[-1]["reliability"]
    return summary


def evaluate_candidates(folds, features, horizon_days, seed=0, threads=1, progress=print):
    """{kind: {"setting", "metrics", "grid"}} for every kind that could be
    fitted on every fold, and {kind: why not} for the others.

    `folds`: [(training Window, validation Window)], oldest first. A tree
    setting's number of trees is the mean of what early stopping chose on
    the folds.
    """
    candidates, skipped = {}, {}
    for kind in KINDS:
        tried = []
        try:
            for setting in grid(kind):
                per_fold, trees = [], []
                for train, validation in folds:
                    model, fitted = fit_candidate(kind, setting, train, features, horizon_days, seed, threads)
                    probabilities = model.probabilities(validation.frame)
                    metrics = evaluate(validation.labels, model.margins(validation.frame), probabilities)
                    per_fold.append(dict(metrics, features_before=validation.reference.isoformat()))
                    trees.append(fitted.get("trees"))
                if kind == "xgboost":
                    setting = dict(setting, trees=max(1, int(round(np.mean(trees)))))
                tried.append((setting, summarise(per_fold)))
        except (MetricsError, ValueError, FloatingPointError) as exc:
            skipped[kind] = str(exc)
            progress(f"  {NAMES[kind]}: left out ({exc})")
            continue
        best_setting, best = max(tried, key=lambda item: item[1]["roc_auc"])   # first of equals
        candidates[kind] = {"setting": best_setting, "metrics": best,
                            "grid": [dict(s, roc_auc=round(m["roc_auc"], 6)) for s, m in tried]}
        progress(f"  {NAMES[kind]}: validation ROC AUC {best['roc_auc']:.3f}" +
                 (f" ({_describe(best_setting)})" if best_setting else ""))
    return candidates, skipped


def _describe(setting):
    return ", ".join(f"{k} {v}" for k, v in setting.items())


def choose(candidates, folds):
    """(champion kind, one sentence on why it won).

    The best mean validation ROC AUC wins, unless a simpler candidate (earlier
    in KINDS) lies within TIE_TOLERANCE of it: then the simplest of those does,
    provided it is not below the best classical model (Pareto/NBD, BG/NBD) on
    validation, so the champion never scores worse than the classical models.
    """
    if not candidates:
        raise ValueError("no candidate could be fitted")
    score = {k: c["metrics"]["roc_auc"] for k, c in candidates.items()}
    best = max(score.values())
    classical = max((score[k] for k in CLASSICAL if k in score), default=0.0)
    champion = next(k for k in KINDS if k in score and score[k] >= best - TIE_TOLERANCE
                    and score[k] >= classical)
    over = f"mean of {folds} folds" if folds > 1 else "one fold"
    others = sorted((k for k in score if k != champion), key=lambda k: -score[k])
    if not others:
        return champion, (f"{NAMES[champion]} won as the only candidate that could be fitted: "
                          f"validation ROC AUC {score[champion]:.3f} ({over})")
    top = max(score, key=lambda k: (score[k], -KINDS.index(k)))
    if top != champion:
        return champion, (f"{NAMES[champion]} won: validation ROC AUC {score[champion]:.3f} ({over}), "
                          f"within {TIE_TOLERANCE} of {NAMES[top]}'s {score[top]:.3f}, and simpler")
    runner = others[0]
    if score[runner] >= score[champion] - TIE_TOLERANCE:
        return champion, (f"{NAMES[champion]} won: validation ROC AUC {score[champion]:.3f} ({over}), "
                          f"the best, level with {NAMES[runner]}'s {score[runner]:.3f} "
                          f"(within {TIE_TOLERANCE}), and simpler")
    return champion, (f"{NAMES[champion]} won: validation ROC AUC {score[champion]:.3f} ({over}), "
                      f"{score[champion] - score[runner]:.3f} above the next best, "
                      f"{NAMES[runner]} ({score[runner]:.3f})")
