"""BG/NBD (Fader, Hardie & Lee, 2005, "Counting Your Customers the Easy Way").

Purchases follow a Poisson process whose rate varies across clients
(gamma(r, alpha)); after each purchase a client may drop out with a
probability that varies across clients (beta(a, b)). The four parameters are
fitted by maximum likelihood on clients' histories (x, t_x, T).
"""
import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

DAYS_PER_UNIT = 7.0  # Vigie fits BG/NBD in weeks: better scaled than days


def bgnbd_log_likelihood(params, x, t_x, big_t):
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    stays = -(r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        drops = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12))
                         - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(stays, drops)


def fit_bgnbd(x, t_x, big_t):
    """Maximum-likelihood (r, alpha, a, b), optimised on their logarithms."""
    def loss(log_params):
        return -bgnbd_log_likelihood(np.exp(log_params), x, t_x, big_t).sum()
    result = minimize(loss, np.log([1.0, 1.0, 1.0, 1.0]), method="Nelder-Mead",
                      options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-6})
    return np.exp(result.x)


def bgnbd_expected_purchases(params, x, t_x, big_t, t):
    """Expected purchases in the next t weeks given each client's history."""
    r, alpha, a, b = params
    # The closed form holds for any a != 1: with a < 1 both (a - 1) and the
    # bracket below are negative (checked against a simulation of the
    # process in tests/purchase_models/test_bgnbd.py). At a = 1 it is 0 / 0.
    if abs(a - 1) < 1e-9:
        raise ValueError(f"BG/NBD fit gave a = {a:.3f}: the closed form of expected purchases is 0 / 0")
    z = t / (alpha + big_t + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        alive = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
    return head * tail / (1 + alive)


def bgnbd_purchase_curve(params, x, t_x, big_t, times):
    """Expected purchases by each of `times` (weeks ahead, ascending): an array (len(times), clients).

    Equal to bgnbd_expected_purchases at each time, at a fraction of the cost
    for many clients: only the hypergeometric factor depends on the time, and
    it depends on (x, T) alone, which clients share (whole days, small
    counts), so it is evaluated once per distinct pair and time.
    """
    r, alpha, a, b = params
    if abs(a - 1) < 1e-9:
        raise ValueError(f"BG/NBD fit gave a = {a:.3f}: the closed form of expected purchases is 0 / 0")
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    order = np.lexsort((big_t, x))
    xs, ts = x[order], big_t[order]
    first = np.ones(len(xs), dtype=bool)
    first[1:] = (xs[1:] != xs[:-1]) | (ts[1:] != ts[:-1])
    pair_of = np.empty(len(xs), dtype=int)
    pair_of[order] = np.cumsum(first) - 1
    px, pt = xs[first], ts[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        alive = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
    scale = (a + b + x - 1) / (a - 1) / (1 + alive)
    curve = []
    for t in times:
        tail = 1 - ((alpha + pt) / (alpha + pt + t)) ** (r + px) * hyp2f1(r + px, b + px, a + b + px - 1,
                                                                         t / (alpha + pt + t))
        curve.append(scale * tail[pair_of])
    return np.array(curve)


def _log_dead_odds(params, x, t_x, big_t):
    """log of P(dead) / P(alive) at T; -inf without repeat purchases (BG/NBD
    clients can only drop out right after a purchase)."""
    r, alpha, a, b = params
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (x, t_x, big_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12))
                        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)), -np.inf)


def bgnbd_p_alive(params, x, t_x, big_t):
    """P(the client is still alive at T | their history)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(_log_dead_odds(params, x, t_x, big_t)))


def _log_quiet(params, x, big_t, t):
    """log P(no purchase in t | alive at T): a quiet Poisson stretch,
    e^(-lambda t), lambda ~ gamma(r + x, alpha + T) given the history and
    being alive (an alive client can only drop out right after a purchase).
    Taken as -k log1p(t / (alpha + T)): the power form rounds its base to 1
    when alpha is huge."""
    r, alpha, _, _ = params
    x, big_t = np.asarray(x, dtype=float), np.asarray(big_t, dtype=float)
    return -(r + x) * np.log1p(t / (alpha + big_t))


def bgnbd_p_no_purchase(params, x, t_x, big_t, t):
    """P(no purchase in (T, T + t] | history): dead, or alive and quiet."""
    alive = bgnbd_p_alive(params, x, t_x, big_t)
    return 1 + alive * np.expm1(_log_quiet(params, x, big_t, t))


def bgnbd_logit_no_purchase(params, x, t_x, big_t, t):
    """log(P(no purchase) / P(a purchase)) in t, without rounding P to 1 for
    clients long gone (as paretonbd_logit_no_purchase)."""
    log_odds = _log_dead_odds(params, x, t_x, big_t)
    buys = -np.expm1(_log_quiet(params, x, big_t, t))      # P(a purchase | alive)
    alive = bgnbd_p_alive(params, x, t_x, big_t)
    with np.errstate(divide="ignore"):
        return np.log1p(-alive * buys) + np.logaddexp(0.0, log_odds) - np.log(buys)
