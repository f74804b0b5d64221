"""BG/NBD against clients simulated from its own story."""
import numpy as np
import pytest

from vigie.purchase_models.bgnbd import (bgnbd_expected_purchases, bgnbd_logit_no_purchase,
                                         bgnbd_p_no_purchase, bgnbd_purchase_curve, fit_bgnbd)


def _simulate(rng, clients, r, alpha, a, b, weeks):
    """Purchase histories from the BG/NBD process itself (time in weeks)."""
    rates = rng.gamma(r, 1 / alpha, clients)
    drops = rng.beta(a, b, clients)
    x, t_x = np.zeros(clients), np.zeros(clients)
    for i in range(clients):
        t = 0.0
        while True:
            t += rng.exponential(1 / rates[i])
            if t > weeks:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < drops[i]:
                break
    return x, t_x


def test_bgnbd_fit_recovers_the_parameters_it_was_simulated_with():
    rng = np.random.default_rng(7)
    truth = (2.0, 8.0, 1.5, 6.0)
    x, t_x = _simulate(rng, 4000, *truth, weeks=52)
    fitted = fit_bgnbd(x, t_x, np.full(len(x), 52.0))
    assert fitted[0] / fitted[1] == pytest.approx(truth[0] / truth[1], rel=0.15)  # mean purchase rate
    assert fitted[2] / (fitted[2] + fitted[3]) == pytest.approx(truth[2] / sum(truth[2:]), rel=0.25)


def test_bgnbd_expected_purchases_match_a_simulation():
    rng = np.random.default_rng(11)
    params = (2.0, 8.0, 1.5, 6.0)
    # A client seen for no time yet: the expectation is the population's.
    x, _ = _simulate(rng, 20000, *params, weeks=13)
    expected = bgnbd_expected_purchases(params, np.zeros(1), np.zeros(1), np.zeros(1), 13.0)[0]
    assert expected == pytest.approx(x.mean(), rel=0.05)
    # Same history, longer silence since the last purchase: fewer expected purchases.
    recent, silent = bgnbd_expected_purchases(params, np.array([5.0, 5.0]), np.array([50.0, 20.0]),
                                              np.array([52.0, 52.0]), 13.0)
    assert silent < recent


def test_bgnbd_expected_purchases_with_a_below_one_match_a_simulation():
    # a < 1 (a heavy share of clients likely to drop out after any purchase) is a fit
    # real data gives; the closed form still holds, both of its factors being negative.
    rng = np.random.default_rng(13)
    params = (0.8, 3.0, 0.5, 2.0)
    x, _ = _simulate(rng, 40000, *params, weeks=10)
    expected = bgnbd_expected_purchases(params, np.zeros(1), np.zeros(1), np.zeros(1), 10.0)[0]
    assert expected == pytest.approx(x.mean(), rel=0.05)
    with pytest.raises(ValueError, match="0 / 0"):
        bgnbd_expected_purchases((0.8, 3.0, 1.0, 2.0), np.zeros(1), np.zeros(1), np.zeros(1), 10.0)


def test_the_purchase_curve_is_the_expectation_at_each_time():
    rng = np.random.default_rng(17)
    params = (2.0, 8.0, 1.5, 6.0)
    # Shared (x, T) pairs with different t_x, as whole days give them.
    x = rng.integers(0, 6, 500).astype(float)
    big_t = rng.integers(1, 40, 500) / 7
    t_x = np.where(x > 0, big_t * rng.integers(0, 8, 500) / 7, 0.0)
    times = [4.3, 8.7, 13.0]
    curve = bgnbd_purchase_curve(params, x, t_x, big_t, times)
    assert curve.shape == (3, 500)
    for row, t in zip(curve, times):
        assert row == pytest.approx(bgnbd_expected_purchases(params, x, t_x, big_t, t), rel=1e-12)
    with pytest.raises(ValueError, match="0 / 0"):
        bgnbd_purchase_curve((0.8, 3.0, 1.0, 2.0), x, t_x, big_t, times)


def test_bgnbd_p_no_purchase_matches_a_simulation_and_its_logit_never_rounds_to_one():
    rng = np.random.default_rng(19)
    params = (2.0, 8.0, 1.5, 6.0)
    # A new client: no purchase in 13 weeks is the simulated share with none.
    x, _ = _simulate(rng, 20000, *params, weeks=13)
    p = bgnbd_p_no_purchase(params, np.zeros(1), np.zeros(1), np.zeros(1), 13.0)[0]
    assert p == pytest.approx((x == 0).mean(), abs=0.01)
    # The logit agrees with P where P is moderate, and stays finite and ordered
    # for clients silent so long that P rounds to 1.
    histories = (np.array([5.0, 5.0, 40.0, 40.0]), np.array([50.0, 20.0, 10.0, 5.0]),
                 np.array([52.0, 52.0, 400.0, 400.0]))
    probabilities = bgnbd_p_no_purchase(params, *histories, 13.0)
    logits = bgnbd_logit_no_purchase(params, *histories, 13.0)
    assert logits[:2] == pytest.approx(np.log(probabilities[:2] / (1 - probabilities[:2])))
    assert probabilities[2] == probabilities[3] == 1.0
    assert np.all(np.isfinite(logits)) and logits[0] < logits[1] < logits[2] < logits[3]
    # A fit whose rate distribution is a spike (r and alpha huge, as when all
    # clients buy alike): the power form of the quiet stretch would round to 1.
    spike = (6.08e16, 2.86e17, 3.18e-24, 1.73e-20)
    logits = bgnbd_logit_no_purchase(spike, np.array([6.0, 9.0]), np.array([37.79, 25.88]),
                                     np.array([37.85, 26.29]), 30 / 7)
    assert np.all(np.isfinite(logits))
    assert bgnbd_p_no_purchase(spike, np.array([6.0]), np.array([37.79]), np.array([37.85]), 30 / 7)[0] < 1
