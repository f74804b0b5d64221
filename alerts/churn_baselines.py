"""Simple baselines a churn model must beat, measured like the model.

- Recency: the longer since the last purchase, the likelier the churn. Clients
  who never bought rank first.
- BG/NBD (Fader, Hardie & Lee, 2005, "Counting Your Customers the Easy Way"):
  purchases follow a Poisson process whose rate varies across clients
  (gamma(r, alpha)); after each purchase a client may drop out with a
  probability that varies across clients (beta(a, b)). The four parameters are
  fitted by maximum likelihood on the training clients' purchase histories
  (vigie.purchase_models.bgnbd); the baseline score is minus the expected
  purchases over the horizon.
- Pareto/NBD (Schmittlein, Morrison & Colombo, 1987): like BG/NBD, but a
  client may leave at any time, not only after a purchase
  (vigie.purchase_models.paretonbd); the score is its P(no purchase over the
  horizon), the best ranking purchase histories alone allow when the process
  is Pareto/NBD.

A baseline's raw score is not a probability, so for the Brier score it is
mapped to one by a logistic fit on the training window's labels (the same
held-in data the model learns from), then measured on the evaluation window.
"""
import numpy as np

from vigie.alerts.churn_metrics import evaluate
from vigie.purchase_models.bgnbd import DAYS_PER_UNIT, bgnbd_expected_purchases, fit_bgnbd
from vigie.purchase_models.paretonbd import fit_paretonbd, paretonbd_p_no_purchase


def _probabilities(train_scores, train_labels, eval_scores):
    from sklearn.linear_model import LogisticRegression
    mean, std = train_scores.mean(), train_scores.std() or 1.0
    fit = LogisticRegression().fit(((train_scores - mean) / std).reshape(-1, 1), train_labels)
    return fit.predict_proba(((eval_scores - mean) / std).reshape(-1, 1))[:, 1]


def _measure(train_scores, train_labels, eval_scores, eval_labels):
    probabilities = _probabilities(train_scores, train_labels, eval_scores)
    return evaluate(eval_labels, eval_scores, probabilities)


def recency_scores(frame, never=None):
    recency = frame["recency_days"].to_numpy(dtype=float)
    never = never if never is not None else np.nanmax(np.append(recency, 0.0)) + 1.0
    return np.where(np.isnan(recency), never, recency)


def recency_baseline(train_x, train_y, eval_x, eval_y):
    never = np.nanmax(np.concatenate([train_x["recency_days"].to_numpy(dtype=float),
                                      eval_x["recency_days"].to_numpy(dtype=float), [0.0]])) + 1.0
    return _measure(recency_scores(train_x, never), np.asarray(train_y),
                    recency_scores(eval_x, never), np.asarray(eval_y))


def _exact_or_days(frame, exact, days):
    values = frame[days].to_numpy(dtype=float)
    if exact in frame:
        precise = frame[exact].to_numpy(dtype=float)
        values = np.where(np.isfinite(precise), precise, values)
    return values


def purchase_histories(frame):
    """(x repeat purchases, t_x, T) in weeks, and which clients ever bought.

    x counts distinct purchase moments (the lines of one order share its
    time) and the times are to the second where the frame has them
    (build_features does); else purchase days and whole days."""
    bought = frame["purchase_days"].to_numpy(dtype=float) > 0
    age = _exact_or_days(frame, "first_purchase_age_exact_days", "first_purchase_age_days")
    recency = _exact_or_days(frame, "recency_exact_days", "recency_days")
    purchases = _exact_or_days(frame, "purchase_moments", "purchase_days")
    x = np.where(bought, purchases - 1, 0.0)
    big_t = np.where(bought, age, 0.0) / DAYS_PER_UNIT
    t_x = np.where(bought, age - recency, 0.0) / DAYS_PER_UNIT
    return x, t_x, big_t, bought


def _purchase_model_baseline(name, fit, churn_score, never_bought, parameter_names,
                             train_x, train_y, eval_x, eval_y):
    """Fit a purchase model on the training clients' histories, score both
    windows with churn_score(params, x, t_x, T) (higher: likelier to churn;
    clients who never bought get `never_bought`) and measure it."""
    x, t_x, big_t, bought = purchase_histories(train_x)
    if bought.sum() < 10:
        raise ValueError("fewer than 10 training clients with purchases")
    params = fit(x[bought], t_x[bought], big_t[bought])

    def scores(frame):
        fx, ftx, fbig, fbought = purchase_histories(frame)
        values = np.full(len(fx), never_bought)
        values[fbought] = churn_score(params, fx[fbought], ftx[fbought], fbig[fbought])
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} scores are not finite for some clients")
        return values
    metrics = _measure(scores(train_x), np.asarray(train_y), scores(eval_x), np.asarray(eval_y))
    metrics["parameters"] = dict(zip(parameter_names, (float(p) for p in params)))
    return metrics


def bgnbd_baseline(train_x, train_y, eval_x, eval_y, horizon_days):
    """Minus the expected purchases over the horizon (never bought: 0 expected)."""
    def score(params, x, t_x, big_t):
        return -bgnbd_expected_purchases(params, x, t_x, big_t, horizon_days / DAYS_PER_UNIT)
    return _purchase_model_baseline("BG/NBD", fit_bgnbd, score, 0.0, ("r", "alpha", "a", "b"),
                                    train_x, train_y, eval_x, eval_y)


def paretonbd_baseline(train_x, train_y, eval_x, eval_y, horizon_days):
    """P(no purchase over the horizon); a client who never bought gets 1 and
    ranks first, as in recency."""
    def score(params, x, t_x, big_t):
        return paretonbd_p_no_purchase(params, x, t_x, big_t, horizon_days / DAYS_PER_UNIT)
    return _purchase_model_baseline("Pareto/NBD", fit_paretonbd, score, 1.0, ("r", "alpha", "s", "beta"),
                                    train_x, train_y, eval_x, eval_y)
