"""Pareto/NBD (Schmittlein, Morrison & Colombo, 1987), in Fader & Hardie's notation.

While alive, a client buys at Poisson rate lambda; their lifetime is
exponential with rate mu. Across clients lambda ~ gamma(r, alpha) and
mu ~ gamma(s, beta), independent. A history is (x repeat purchases, t_x the
time of the last one, T the time since the first), all in weeks.

Unlike BG/NBD, a client may leave at any time, not only right after a
purchase, so a long silence after a single purchase is read correctly. The
likelihood needs Gauss's hypergeometric function, with one of two forms
depending on whether alpha or beta is the larger (both give the same value;
the chosen one keeps the argument below 1).
"""
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def _log_a0_terms(params, x, t_x, big_t):
    """log of the two terms whose difference is A0 (at t_x and at T)."""
    r, alpha, s, beta = params
    total = r + s + x
    if alpha >= beta:
        b, base = s + 1, alpha
    else:
        b, base = r + x, beta

    def term(y):
        z = abs(alpha - beta) / (base + y)
        with np.errstate(all="ignore"):
            direct = np.log(hyp2f1(total, b, total + 1, z))
            # Near z = 1 with many purchases the series overflows; Euler's
            # transformation, 2F1(a, b; c; z) = (1 - z)^(c - a - b)
            # 2F1(c - a, c - b; c; z), gives its logarithm without overflow.
            euler = (1 - b) * np.log1p(-z) + np.log(hyp2f1(1.0, total + 1 - b, total + 1, z))
        return np.where(np.isfinite(direct), direct, euler) - total * np.log(base + y)
    return term(t_x), term(big_t)


def _log_alive_ratio(params, x, t_x, big_t):
    """log of (s / (r+s+x)) * A0 * (alpha+T)^(r+x) * (beta+T)^s: dead versus alive."""
    r, alpha, s, beta = params
    at_last, at_end = _log_a0_terms(params, x, t_x, big_t)
    with np.errstate(divide="ignore"):
        log_a0 = at_last + np.log1p(-np.exp(np.minimum(at_end - at_last, 0.0)))
    return (np.log(s) - np.log(r + s + x) + log_a0
            + (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t))


def paretonbd_log_likelihood(params, x, t_x, big_t):
    """Each client's log-likelihood of their (x, t_x, T) under params (r, alpha, s, beta)."""
    r, alpha, s, beta = params
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    log_alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            + log_alive + np.logaddexp(0.0, _log_alive_ratio(params, x, t_x, big_t)))


def fit_paretonbd(x, t_x, big_t, start=(1.0, 1.0, 1.0, 1.0)):
    """Maximum-likelihood (r, alpha, s, beta), optimised on their logarithms."""
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))

    def loss(log_params):
        # The simplex wanders through parameters where the hypergeometric
        # overflows; those points are simply not the maximum.
        with np.errstate(all="ignore"):
            value = -paretonbd_log_likelihood(np.exp(log_params), x, t_x, big_t).sum()
        return value if np.isfinite(value) else 1e300
    result = minimize(loss, np.log(start), method="Nelder-Mead",
                      options={"maxiter": 6000, "xatol": 1e-7, "fatol": 1e-7})
    return np.exp(result.x)


def paretonbd_p_alive(params, x, t_x, big_t):
    """P(the client is still alive at T | their history)."""
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    return 1.0 / (1.0 + np.exp(_log_alive_ratio(params, x, t_x, big_t)))


def paretonbd_expected_purchases(params, x, t_x, big_t, t):
    """Expected purchases in (T, T + t] given each client's history."""
    r, alpha, s, beta = params
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    scale = (r + x) * (beta + big_t) / (alpha + big_t)
    if abs(s - 1) < 1e-9:
        alive_purchases = scale * np.log((beta + big_t + t) / (beta + big_t))
    else:
        alive_purchases = scale / (s - 1) * (1 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1))
    return alive_purchases * paretonbd_p_alive(params, x, t_x, big_t)


def paretonbd_p_no_purchase(params, x, t_x, big_t, t):
    """P(no purchase in (T, T + t] | history): the purchase-only churn probability.

    Dead clients buy nothing. A client alive at T with rates (lambda, mu)
    buys in t if they buy at some u < t before leaving: integral_0^t lambda
    e^-(lambda+mu)u du. Alive at T, lambda ~ gamma(r+x, alpha+T) and
    mu ~ gamma(s, beta+T) independently, which gives closed forms for each u;
    the integral over u is done by Gauss-Legendre quadrature.
    """
    log_ratio, buys = _no_purchase_parts(params, x, t_x, big_t, t)
    alive = 1.0 / (1.0 + np.exp(log_ratio))
    return 1 - alive * buys


def _no_purchase_parts(params, x, t_x, big_t, t):
    """(log of dead versus alive odds at T, P(a purchase in t | alive at T)).

    The second is 1 - P(no purchase | alive), integrated directly (buying at
    some u < t before leaving: integral_0^t lambda e^-(lambda+mu)u du) rather
    than as a difference, which would round to 0 when the rates are tiny. The
    powers are taken as exp(-k log1p(u / a)): (a / (a + u))^k rounds its base
    to 1 when a is huge."""
    r, alpha, s, beta = params
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    a, b = (alpha + big_t)[..., None], (beta + big_t)[..., None]
    shape = (r + x)[..., None]
    u = (_NODES + 1) * t / 2
    buy_first = (shape / (a + u)) * np.exp(-shape * np.log1p(u / a) - s * np.log1p(u / b))
    return _log_alive_ratio(params, x, t_x, big_t), (buy_first * _WEIGHTS).sum(axis=-1) * t / 2


def paretonbd_logit_no_purchase(params, x, t_x, big_t, t):
    """log(P(no purchase in t) / P(a purchase in t)), computed without
    rounding P to 1 for clients long gone: a ranking score with no ties where
    the probability itself would be 1.0 in floating point.

    P(a purchase) = P(alive) P(a purchase | alive), so the logit is
    log P(none) + log(1 + dead/alive odds) - log P(a purchase | alive)."""
    log_ratio, buys = _no_purchase_parts(params, x, t_x, big_t, t)
    alive = 1.0 / (1.0 + np.exp(log_ratio))
    with np.errstate(divide="ignore"):
        return np.log1p(-alive * buys) + np.logaddexp(0.0, log_ratio) - np.log(buys)
