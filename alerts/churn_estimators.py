"""The kinds of churn model a champion can be, behind one interface.

Each estimator turns a frame of client features into a raw margin (higher:
likelier to churn; the calibration in churn_model maps it to a probability)
and into per-feature contributions the reasons rank. Each saves itself as
`model.json` in the model's directory and loads back from it.

- `xgboost`: gradient-boosted trees; contributions are TreeSHAP values
  (looked up in tables built once per model, churn_shap; XGBoost's own
  kernel for models they cannot read) or Saabas attributions.
- `logistic`: L2-regularised logistic regression on standardised features.
  A missing value is read as the training mean (z = 0: the `has_*` features
  already say what is missing) and z is clipped to +-5 so one extreme client
  cannot dominate. Contributions are coef * z, exactly the margin's terms.
- `paretonbd`, `bgnbd`: purchase-history models (vigie.purchase_models)
  scoring P(no purchase over the horizon), as its logit. They read only
  purchase days, the last purchase and the first one, so they have no
  per-feature contributions: the reasons come from the purchase features they
  read, recency first, then the number of purchases, and each template still
  speaks only when the client's value is worrying (churn_reasons).
"""
import json
import os

import numpy as np

from vigie.alerts.churn_baselines import purchase_histories
from vigie.purchase_models.bgnbd import DAYS_PER_UNIT, bgnbd_logit_no_purchase, fit_bgnbd
from vigie.purchase_models.paretonbd import fit_paretonbd, paretonbd_logit_no_purchase

MODEL_FILE = "model.json"
Z_LIMIT = 5.0
# The churn logit of a client who never bought: the purchase models know
# nothing of them and their P(no purchase) is 1, whose logit is infinite.
# 20 (P = 1 - 2e-9) ranks them with the surest leavers, as recency does, and
# stays finite for the calibration; a fixed value keeps every slice of a
# scoring run alike.
NEVER_BOUGHT_LOGIT = 20.0


class TreeEstimator:
    kind = "xgboost"

    def __init__(self, booster, features):
        self.booster, self.features = booster, list(features)
        self._shap = None

    def _matrix(self, frame):
        import xgboost
        return xgboost.DMatrix(frame[self.features].to_numpy(dtype=float),
                               feature_names=self.features, missing=np.nan)

    def margins(self, frame):
        return self.booster.predict(self._matrix(frame), output_margin=True)

    def contributions(self, frame, exact=True):
        """TreeSHAP values (exact), or Saabas attributions, bias dropped."""
        if exact and self._shap_tables():
            return self._shap.contributions(frame[self.features].to_numpy(dtype=float))
        values = self.booster.predict(self._matrix(frame), pred_contribs=True, approx_contribs=not exact)
        return values[:, :len(self.features)]

    def _shap_tables(self):
        """The model's TreeSHAP tables, built on first use (False: XGBoost's own kernel)."""
        if self._shap is None:
            from vigie.alerts.churn_shap import ShapTables, UnsupportedTrees
            try:
                self._shap = ShapTables(self.booster, len(self.features))
            except UnsupportedTrees:
                self._shap = False
        return self._shap

    def importance(self):
        """{feature: share of the trees' total gain}: every split's loss
        reduction summed per feature, not XGBoost's default average gain,
        which ranks a feature used once with a lucky split above one the
        trees rely on throughout."""
        gains = self.booster.get_score(importance_type="total_gain")
        total = sum(gains.values())
        return {f: (gains.get(f, 0.0) / total if total else 0.0) for f in self.features}

    def save(self, directory):
        self.booster.save_model(os.path.join(directory, MODEL_FILE))

    @classmethod
    def load(cls, directory, features):
        import xgboost
        booster = xgboost.Booster()
        booster.load_model(os.path.join(directory, MODEL_FILE))
        return cls(booster, features)


class LogisticEstimator:
    kind = "logistic"

    def __init__(self, features, means, scales, coefficients, intercept):
        self.features = list(features)
        self.means, self.scales = np.asarray(means, dtype=float), np.asarray(scales, dtype=float)
        self.coefficients, self.intercept = np.asarray(coefficients, dtype=float), float(intercept)

    @classmethod
    def fit(cls, frame, labels, features, c):
        from sklearn.linear_model import LogisticRegression
        x = frame[features].to_numpy(dtype=float)
        known = ~np.isnan(x)
        counts = np.maximum(known.sum(axis=0), 1)
        # A feature missing for every client gets mean 0 and scale 1: z = 0.
        means = np.where(known, x, 0.0).sum(axis=0) / counts
        scales = np.sqrt(np.where(known, (x - means) ** 2, 0.0).sum(axis=0) / counts)
        scales = np.where(scales > 0, scales, 1.0)
        estimator = cls(features, means, scales, np.zeros(len(features)), 0.0)
        fit = LogisticRegression(C=c, max_iter=2000).fit(estimator.standardised(frame), labels)
        estimator.coefficients, estimator.intercept = fit.coef_[0], float(fit.intercept_[0])
        return estimator

    def standardised(self, frame):
        z = (frame[self.features].to_numpy(dtype=float) - self.means) / self.scales
        return np.clip(np.nan_to_num(z, nan=0.0), -Z_LIMIT, Z_LIMIT)

    def margins(self, frame):
        return self.standardised(frame) @ self.coefficients + self.intercept

    def contributions(self, frame, exact=True):
        """coef * (x - mean) / sd per feature: the margin's own terms."""
        return self.standardised(frame) * self.coefficients

    def importance(self):
        """{feature: share of the sum of |coefficient|} (coefficients are per
        standard deviation, so they compare across features)."""
        weights = np.abs(self.coefficients)
        total = weights.sum()
        return {f: (float(w / total) if total else 0.0) for f, w in zip(self.features, weights)}

    def save(self, directory):
        _write(directory, {"kind": self.kind, "features": self.features, "means": self.means.tolist(),
                           "scales": self.scales.tolist(), "coefficients": self.coefficients.tolist(),
                           "intercept": self.intercept})

    @classmethod
    def load(cls, directory, features):
        d = _read(directory)
        return cls(d["features"], d["means"], d["scales"], d["coefficients"], d["intercept"])


class PurchaseEstimator:
    """Pareto/NBD or BG/NBD over the clients' purchase histories (in weeks)."""
    FITS = {"paretonbd": (fit_paretonbd, paretonbd_logit_no_purchase, ("r", "alpha", "s", "beta")),
            "bgnbd": (fit_bgnbd, bgnbd_logit_no_purchase, ("r", "alpha", "a", "b"))}
    # The features whose reasons speak for it, with their rank (higher first).
    REASON_FEATURES = {"recency_days": 2.0, "frequency": 1.0}

    def __init__(self, kind, parameters, horizon_days):
        self.kind, self.parameters, self.horizon_days = kind, dict(parameters), int(horizon_days)
        self.features = list(self.REASON_FEATURES)

    @classmethod
    def fit(cls, kind, frame, horizon_days):
        fit, _, names = cls.FITS[kind]
        x, t_x, big_t, bought = purchase_histories(frame)
        if bought.sum() < 10:
            raise ValueError("fewer than 10 clients with purchases to fit on")
        fitted = fit(x[bought], t_x[bought], big_t[bought])
        return cls(kind, dict(zip(names, (float(p) for p in fitted))), horizon_days)

    def margins(self, frame):
        """The logit of P(no purchase over the horizon), computed in log space
        so clients long gone keep distinct scores instead of all rounding to
        P = 1; NEVER_BOUGHT_LOGIT for clients who never bought."""
        _, logit, names = self.FITS[self.kind]
        x, t_x, big_t, bought = purchase_histories(frame)
        values = np.full(len(x), NEVER_BOUGHT_LOGIT)
        params = [self.parameters[n] for n in names]
        with np.errstate(all="ignore"):
            values[bought] = logit(params, x[bought], t_x[bought], big_t[bought],
                                   self.horizon_days / DAYS_PER_UNIT)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{self.kind} churn scores are not finite for some clients")
        return values

    def contributions(self, frame, exact=True):
        return np.tile([self.REASON_FEATURES[f] for f in self.features], (len(frame), 1))

    def importance(self):
        return {}

    def save(self, directory):
        _write(directory, {"kind": self.kind, "parameters": self.parameters,
                           "horizon_days": self.horizon_days})

    @classmethod
    def load(cls, directory, features):
        d = _read(directory)
        return cls(d["kind"], d["parameters"], d["horizon_days"])


def _write(directory, document):
    with open(os.path.join(directory, MODEL_FILE), "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, sort_keys=True)


def _read(directory):
    with open(os.path.join(directory, MODEL_FILE), encoding="utf-8") as f:
        return json.load(f)


def load_estimator(kind, directory, features):
    """The estimator of a saved model; `kind` comes from its card (xgboost for
    cards written before there were other kinds)."""
    if kind == "xgboost":
        return TreeEstimator.load(directory, features)
    if kind == "logistic":
        return LogisticEstimator.load(directory, features)
    if kind in PurchaseEstimator.FITS:
        return PurchaseEstimator.load(directory, features)
    raise ValueError(f"unknown model kind {kind!r}")
