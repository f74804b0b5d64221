"""Pareto/NBD checked against the model's own definition, integrated by hand.

The closed forms (hypergeometric likelihood, P(alive), expected purchases,
P(no purchase)) are compared with direct numerical integration of the
individual-level story over the gamma mixing distributions, at the published
CDNOW fit (r 0.55, alpha 10.58, s 0.61, beta 11.67, weeks) where alpha < beta,
and at a set where alpha > beta (the other branch of the formula).
"""
import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from vigie.purchase_models.paretonbd import (fit_paretonbd, paretonbd_expected_purchases,
                                             paretonbd_log_likelihood, paretonbd_p_alive,
                                             paretonbd_logit_no_purchase, paretonbd_p_no_purchase)

CDNOW = (0.55, 10.58, 0.61, 11.67)
OTHER = (2.0, 6.0, 0.8, 3.0)  # alpha > beta
HISTORIES = [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 35.0, 39.0), (1, 2.0, 30.0)]


def _lam(params, power, rate):
    """E[lambda^power e^(-lambda rate)] under gamma(r, alpha)."""
    r, alpha, _, _ = params
    return np.exp(gammaln(r + power) - gammaln(r) + r * np.log(alpha) - (r + power) * np.log(alpha + rate))


def _mu(params, power, rate):
    """E[mu^power e^(-mu rate)] under gamma(s, beta)."""
    _, _, s, beta = params
    return np.exp(gammaln(s + power) - gammaln(s) + s * np.log(beta) - (s + power) * np.log(beta + rate))


def _quad(function, low, high):
    return integrate.quad(function, low, high, epsabs=1e-14, epsrel=1e-10, limit=200)[0]


def _likelihood(params, x, t_x, big_t):
    """The individual likelihood lambda^x e^-(lambda+mu)T + lambda^x mu integral_tx^T
    e^-(lambda+mu)u du, averaged over lambda and mu (one integral left, over u)."""
    alive = _lam(params, x, big_t) * _mu(params, 0, big_t)
    return alive, alive + _quad(lambda u: _lam(params, x, u) * _mu(params, 1, u), t_x, big_t)


@pytest.mark.parametrize("params", [CDNOW, OTHER])
@pytest.mark.parametrize("x, t_x, big_t", HISTORIES)
def test_likelihood_and_p_alive_match_the_integrated_story(params, x, t_x, big_t):
    alive, direct = _likelihood(params, x, t_x, big_t)
    closed = paretonbd_log_likelihood(params, np.array([x]), np.array([t_x]), np.array([big_t]))[0]
    assert closed == pytest.approx(np.log(direct), abs=1e-6)
    assert paretonbd_p_alive(params, [x], [t_x], [big_t])[0] == pytest.approx(alive / direct, abs=1e-7)


@pytest.mark.parametrize("params", [CDNOW, OTHER])
@pytest.mark.parametrize("x, t_x, big_t", HISTORIES)
def test_expected_purchases_and_p_no_purchase_match_the_integrated_story(params, x, t_x, big_t):
    t = 13.0
    _, direct = _likelihood(params, x, t_x, big_t)
    # Alive at T with (lambda, mu): lambda (1 - e^-mu t) / mu = lambda integral_0^t e^-mu v dv purchases.
    expected = _lam(params, x + 1, big_t) * _quad(lambda v: _mu(params, 0, big_t + v), 0, t) / direct
    # No purchase while alive: leave at v < t before buying, or stay quiet through t.
    quiet = (_quad(lambda v: _lam(params, x, big_t + v) * _mu(params, 1, big_t + v), 0, t)
             + _lam(params, x, big_t + t) * _mu(params, 0, big_t + t)) / direct
    alive = paretonbd_p_alive(params, [x], [t_x], [big_t])[0]
    assert paretonbd_expected_purchases(params, [x], [t_x], [big_t], t)[0] == pytest.approx(expected, rel=1e-7)
    assert paretonbd_p_no_purchase(params, [x], [t_x], [big_t], t)[0] == pytest.approx(1 - alive + quiet, abs=1e-7)


def test_silence_reads_as_dropout_at_the_cdnow_fit():
    """Same purchases, same T: the client whose last purchase is old is less
    likely alive; a single purchase 39 weeks ago leaves a minority alive."""
    lonely = paretonbd_p_alive(CDNOW, [0], [0.0], [38.86])[0]
    regular, silent = paretonbd_p_alive(CDNOW, [7, 7], [38.0, 5.0], [39.0, 39.0])
    assert lonely == pytest.approx(0.2938, abs=1e-4)  # the integrals above give 0.29377, to 4 decimals
    assert regular > 0.98 and silent < 0.002


def test_fit_recovers_the_cdnow_parameters_from_clients_simulated_with_them():
    rng = np.random.default_rng(11)
    n, weeks = 6000, 39.0
    r, alpha, s, beta = CDNOW
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    life = np.minimum(rng.exponential(1 / mu), weeks)
    x = rng.poisson(lam * life)
    # Given x purchases in (0, life], their times are uniform: t_x is the largest.
    t_x = np.where(x > 0, life * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    fitted = fit_paretonbd(x, t_x, np.full(n, weeks))
    assert fitted[0] == pytest.approx(r, rel=0.15) and fitted[2] == pytest.approx(s, rel=0.3)
    assert fitted[0] / fitted[1] == pytest.approx(r / alpha, rel=0.1)  # mean purchase rate
    truth = paretonbd_log_likelihood(CDNOW, x, t_x, np.full(n, weeks)).sum()
    best = paretonbd_log_likelihood(fitted, x, t_x, np.full(n, weeks)).sum()
    assert truth - 10 < best and best >= truth  # the maximum, and near the truth


def test_frequent_buyers_near_alpha_equal_beta_do_not_overflow():
    """A fit with s near 0 and beta huge (nobody drops out) makes the
    hypergeometric series overflow for 40 purchases; Euler's transformation
    keeps it finite. Regular buyers seen a few days ago are alive and likely
    to buy within 13 weeks, the more so the more they bought."""
    params = (5.94, 22.35, 1.06e-23, 9.67e9)
    x, t_x, big_t = np.array([10.0, 40.0]), np.array([71.0, 71.0]), np.array([71.57, 71.57])
    alive = paretonbd_p_alive(params, x, t_x, big_t)
    none = paretonbd_p_no_purchase(params, x, t_x, big_t, 13.0)
    assert np.all(np.isfinite(alive)) and np.all(alive > 0.99)
    assert np.all(np.isfinite(none)) and 0 < none[1] < none[0] < 0.2
    assert np.all(np.isfinite(paretonbd_logit_no_purchase(params, x, t_x, big_t, 13.0)))


@pytest.mark.parametrize("params", [CDNOW, OTHER])
def test_the_logit_agrees_with_p_no_purchase_and_stays_finite_where_p_is_one(params):
    x, t_x, big_t = (np.array(v) for v in zip(*HISTORIES))
    p = paretonbd_p_no_purchase(params, x, t_x, big_t, 13.0)
    assert paretonbd_logit_no_purchase(params, x, t_x, big_t, 13.0) == pytest.approx(np.log(p / (1 - p)))
    # 20 purchases in 10 weeks, then 400 weeks of silence: P rounds to 1, the logit does not.
    gone = paretonbd_logit_no_purchase(params, np.array([20.0, 20.0]), np.array([10.0, 10.0]),
                                       np.array([300.0, 410.0]), 13.0)
    assert np.all(np.isfinite(gone)) and gone[0] < gone[1]
