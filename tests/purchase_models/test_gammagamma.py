"""Gamma-Gamma against hand-worked values and clients simulated from its own story."""
import math

import numpy as np
import pytest
from scipy.integrate import quad

from vigie.purchase_models.gammagamma import (fit_gammagamma, gammagamma_expected_spend,
                                              gammagamma_log_likelihood, gammagamma_population_mean,
                                              spend_frequency_correlation)


def _simulate(rng, clients, p, q, gamma):
    """x purchases per client (1 to 12), each of value gamma(p, nu), nu ~ gamma(q, gamma) (rates)."""
    x = rng.integers(1, 13, clients)
    nu = rng.gamma(q, 1 / gamma, clients)
    means = np.array([rng.gamma(p, 1 / nu[i], x[i]).mean() for i in range(clients)])
    return x.astype(float), means


def test_expected_spend_by_hand():
    params = (2.0, 3.0, 10.0)
    # Population mean p gamma / (q - 1) = 2 x 10 / 2 = 10.
    assert gammagamma_population_mean(params) == pytest.approx(10.0)
    # x = 2 averaging 20: 2 (10 + 40) / (4 + 3 - 1) = 100 / 6.
    # x = 1 with one order of 100: 2 (10 + 100) / (2 + 2) = 55, pulled far toward 10.
    # x = 0: 2 x 10 / 2 = the population mean.
    got = gammagamma_expected_spend(params, [2, 1, 0], [20, 100, 0])
    assert got == pytest.approx([100 / 6, 55.0, 10.0])
    # Ten orders averaging 100 are trusted more than one: 2 (10 + 1000) / 22 = 91.8.
    assert gammagamma_expected_spend(params, [10], [100])[0] == pytest.approx(2020 / 22)
    with pytest.raises(ValueError, match="q = 1.000"):
        gammagamma_expected_spend((2.0, 1.0, 10.0), [1], [5])


def test_likelihood_by_hand_and_a_density():
    # x = 1, p = q = gamma = 1, m = 1: Gamma(2) / (Gamma(1) Gamma(1)) x 1 / (1 + 1)^2 = 1/4.
    assert gammagamma_log_likelihood((1.0, 1.0, 1.0), [1], [1.0])[0] == pytest.approx(math.log(0.25))
    # For any x the density of the mean integrates to 1 over m > 0.
    area, _ = quad(lambda m: math.exp(gammagamma_log_likelihood((3.0, 4.0, 20.0), [3], [m])[0]),
                   0, np.inf)
    assert area == pytest.approx(1.0, abs=1e-6)


def test_fit_recovers_the_parameters_it_was_simulated_with():
    # 5,000 clients: p within 10 %, q and gamma within 15 %, the population
    # mean p gamma / (q - 1) within 5 %.
    rng = np.random.default_rng(23)
    truth = (6.0, 4.0, 15.0)
    x, m = _simulate(rng, 5000, *truth)
    p, q, gamma = fit_gammagamma(x, m)
    assert p == pytest.approx(truth[0], rel=0.10)
    assert q == pytest.approx(truth[1], rel=0.15)
    assert gamma == pytest.approx(truth[2], rel=0.15)
    assert gammagamma_population_mean((p, q, gamma)) == pytest.approx(
        gammagamma_population_mean(truth), rel=0.05)


def test_fit_does_not_depend_on_the_currency():
    rng = np.random.default_rng(5)
    x, m = _simulate(rng, 800, 4.0, 5.0, 30.0)
    in_units, in_cents = fit_gammagamma(x, m), fit_gammagamma(x, m * 100)
    assert in_cents[:2] == pytest.approx(in_units[:2], rel=1e-3)
    assert in_cents[2] == pytest.approx(in_units[2] * 100, rel=1e-3)


def test_fit_refuses_what_the_model_cannot_take():
    with pytest.raises(ValueError, match="positive mean"):
        fit_gammagamma([1, 2], [10.0, 0.0])
    with pytest.raises(ValueError, match="at least one purchase"):
        fit_gammagamma([], [])


def test_spend_frequency_correlation():
    assert spend_frequency_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spend_frequency_correlation([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert spend_frequency_correlation([2, 2, 2], [1, 5, 9]) == 0.0
    # Independent by construction: near zero.
    rng = np.random.default_rng(3)
    x, m = _simulate(rng, 3000, 6.0, 4.0, 15.0)
    assert abs(spend_frequency_correlation(x, m)) < 0.05
