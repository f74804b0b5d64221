"""A trained churn model: its estimator (any kind of churn_estimators), its
calibration, its features and its card.

An estimator's raw margin ranks clients but is not a probability; the
calibration maps it to one that means what it says ("30 % of such clients
churn"). It is Platt scaling (a logistic curve, two numbers, strictly
increasing: no ties), stored as plain JSON beside the estimator's
`model.json`. The card's `kind` says which estimator loads that file
(xgboost for cards written before there were other kinds).
"""
import json
import os

import numpy as np

CALIBRATION_FILE, CARD_FILE = "calibration.json", "card.json"


def fit_calibration(margins, labels):
    """A JSON-able Platt calibration from held-out raw margins and their labels.

    Platt (a logistic curve of the margin) is strictly increasing, so clients
    the model ranks apart keep distinct probabilities. Isotonic regression,
    used before, is a step function: on real data it gave 42 % of clients
    exactly 1.0, and ties cost ranking (AUC). Saved isotonic calibrations
    still load and apply.

    Platt's own targets, (churned + 1) / (churned + 2) for a churner and
    1 / (retained + 2) for the others, instead of 1 and 0: on a small
    calibration share that a model separates perfectly, hard labels send the
    slope to infinity and every probability to exactly 0 or 1.
    """
    margins = np.asarray(margins, dtype=float)
    labels = np.asarray(labels, dtype=int)
    churned = labels.sum()
    targets = np.where(labels == 1, (churned + 1) / (churned + 2), 1 / (len(labels) - churned + 2))
    a, b = _platt_newton(margins, targets)
    return {"method": "platt", "a": a, "b": b}


def _log_loss(margins, targets, a, b):
    z = a * margins + b
    # -(t log p + (1 - t) log(1 - p)) with p = expit(z), without overflow.
    return float(np.sum(np.logaddexp(0.0, z) - targets * z))


def _platt_newton(margins, targets, rounds=100):
    """(a, b) minimising the log loss of expit(a * margin + b) against the
    targets, by Newton's method with step halving: two parameters, so a
    2 x 2 solve per round, far quicker than a general-purpose solver."""
    from scipy.special import expit
    a, b = 0.0, float(np.log(targets.mean() / (1 - targets.mean())))
    loss = _log_loss(margins, targets, a, b)
    for _ in range(rounds):
        p = expit(a * margins + b)
        residual, weight = p - targets, p * (1 - p)
        gradient = np.array([residual @ margins, residual.sum()])
        hessian = np.array([[weight @ margins ** 2, weight @ margins], [weight @ margins, weight.sum()]])
        step = np.linalg.solve(hessian + 1e-12 * np.eye(2), gradient)
        for _ in range(30):
            trial = _log_loss(margins, targets, a - step[0], b - step[1])
            if trial <= loss:
                break
            step = step / 2
        else:
            break
        a, b, improvement = a - step[0], b - step[1], loss - trial
        loss = trial
        if improvement < 1e-12 * max(1.0, loss):
            break
    return float(a), float(b)


def ordered_importance(importance):
    """Feature importance as [[feature, share], ...], largest share first (ties
    by name), from a {feature: share} mapping or such pairs. A list, not a JSON
    object, so the order survives any writer (save() sorts object keys) and
    any reader; older cards stored a mapping and read back the same way."""
    pairs = importance.items() if isinstance(importance, dict) else importance or ()
    return [[str(f), float(share)] for f, share in sorted(pairs, key=lambda p: (-float(p[1]), str(p[0])))]


def _ordered_card(card):
    if "feature_importance" not in card:
        return card
    return dict(card, feature_importance=ordered_importance(card["feature_importance"]))


def apply_calibration(calibration, margins):
    margins = np.asarray(margins, dtype=float)
    if calibration["method"] == "isotonic":
        return np.interp(margins, calibration["x"], calibration["y"])
    from scipy.special import expit
    return expit(calibration["a"] * margins + calibration["b"])


class ChurnModel:
    """`estimator`: a churn_estimators estimator, or an XGBoost booster (wrapped)."""

    def __init__(self, estimator, calibration, features, card=None):
        if not hasattr(estimator, "kind"):
            from vigie.alerts.churn_estimators import TreeEstimator
            estimator = TreeEstimator(estimator, features)
        self.estimator = estimator
        self.calibration = calibration
        self.features = list(features)
        self.card = card or {}

    @property
    def kind(self):
        return self.estimator.kind

    @property
    def booster(self):
        """The XGBoost booster of a tree model (None for other kinds)."""
        return getattr(self.estimator, "booster", None)

    def margins(self, frame):
        return self.estimator.margins(frame)

    def probabilities(self, frame):
        return apply_calibration(self.calibration, self.margins(frame))

    def contributions(self, frame, exact=True):
        """Per-client, per-feature contributions to the risk, in the order of
        `features`. Trees: TreeSHAP values (exact, 0.05 to 0.1 ms per client
        for 300 trees of depth 4, from tables: churn_shap) or Saabas
        attributions (some five times faster, usually naming the same top
        features); other kinds: see churn_estimators."""
        return self.estimator.contributions(frame, exact=exact)

    def save(self, directory):
        os.makedirs(directory, exist_ok=True)
        self.estimator.save(directory)
        card = dict(_ordered_card(self.card), kind=self.kind)
        for name, document in ((CALIBRATION_FILE, self.calibration), (CARD_FILE, card)):
            with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
                json.dump(document, f, indent=2, sort_keys=True)

    @classmethod
    def load(cls, directory):
        with open(os.path.join(directory, CALIBRATION_FILE), encoding="utf-8") as f:
            calibration = json.load(f)
        with open(os.path.join(directory, CARD_FILE), encoding="utf-8") as f:
            card = _ordered_card(json.load(f))
        from vigie.alerts.churn_estimators import load_estimator   # scipy and xgboost: only when loading
        estimator = load_estimator(card.get("kind", "xgboost"), directory, card["features"])
        return cls(estimator, calibration, card["features"], card)
