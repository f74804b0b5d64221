"""How good a churn score is, on labelled out-of-time data.

ROC AUC (ranking), PR AUC (average precision: ranking where churners are
rare), Brier score (calibration: mean squared error of the probability) and
lift in the top decile (churn rate among the 10 % highest scores divided by
the overall churn rate: how much better than calling clients at random).
With probabilities: expected calibration error (ECE: the client-weighted mean
gap between predicted and observed churn over ten equal-width probability
bins) and the reliability curve behind it.
"""
import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


class MetricsError(ValueError):
    """The labels cannot measure anything (e.g. nobody churned)."""


def lift_top_decile(labels, scores):
    labels = np.asarray(labels, dtype=float)
    scores = np.asarray(scores, dtype=float)
    top = max(1, int(np.ceil(len(labels) * 0.1)))
    # Stable order on ties so equal scores do not pick a lucky subset.
    order = np.argsort(-scores, kind="stable")[:top]
    overall = labels.mean()
    return float(labels[order].mean() / overall) if overall > 0 else float("nan")


RELIABILITY_BINS = 10


def reliability(labels, probabilities, bins=RELIABILITY_BINS):
    """[{"low", "high", "clients", "predicted", "observed"}] of the non-empty
    equal-width probability bins, and the expected calibration error."""
    labels = np.asarray(labels, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    curve, gap = [], 0.0
    for b in range(bins):
        inside = which == b
        if not inside.any():
            continue
        predicted, observed = float(probabilities[inside].mean()), float(labels[inside].mean())
        gap += inside.sum() * abs(predicted - observed)
        curve.append({"low": float(edges[b]), "high": float(edges[b + 1]), "clients": int(inside.sum()),
                      "predicted": round(predicted, 6), "observed": round(observed, 6)})
    return curve, float(gap / len(labels))


def evaluate(labels, scores, probabilities=None):
    """Metrics of `scores` (any ranking) against 0/1 labels.

    Brier needs probabilities; without them it is left out.
    """
    labels = np.asarray(labels, dtype=int)
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        raise MetricsError(f"{len(labels)} clients, {positives} churned: both churned and "
                           "retained clients are needed to measure a model")
    metrics = {
        "clients": int(len(labels)),
        "churned": positives,
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "lift_top_decile": lift_top_decile(labels, scores),
    }
    if probabilities is not None:
        metrics["brier"] = float(brier_score_loss(labels, probabilities))
        metrics["reliability"], metrics["ece"] = reliability(labels, probabilities)
    return metrics
