"""The churn bench's client generator (bench/churn_process.py) against Pareto/NBD theory.

The bench's bound is only a bound if its clients really follow the process
the model assumes and if P(no purchase) is the probability of its labels:
the generator's mean purchases must match the closed form, the true-parameter
P(alive) and P(no purchase) must match what the simulated clients did, and
web visits must fade as documented.
"""
import numpy as np
import pytest

from bench import churn_process as process
from vigie.purchase_models.paretonbd import paretonbd_p_alive, paretonbd_p_no_purchase

RETAIL = (0.55, 10.58, 0.61, 11.67)
FICKLE = (1.2, 6.0, 1.5, 12.0)


def _within(observed, expected, standard_error, sigmas=4.0):
    assert abs(observed - expected) < sigmas * standard_error, (observed, expected, standard_error)


@pytest.mark.parametrize("params", [RETAIL, FICKLE])
def test_mean_repeat_purchases_match_the_closed_form(params):
    weeks = 39.0
    population = process.simulate(params, 100_000, 1e-9, weeks, np.random.default_rng(1))
    repeats = np.bincount(population.buyer, minlength=len(population)) - 1
    _within(repeats.mean(), process.expected_repeats(params, weeks), repeats.std() / np.sqrt(len(repeats)))


def test_every_client_first_buys_on_arrival_and_never_after_death_or_the_end():
    population = process.simulate(RETAIL, 5_000, 52.0, 91.0, np.random.default_rng(2))
    first = np.full(len(population), np.inf)
    np.minimum.at(first, population.buyer, population.bought_at)
    assert np.array_equal(first, population.arrival)
    assert np.all(population.bought_at <= np.minimum(population.death, 91.0)[population.buyer])


@pytest.mark.parametrize("params", [RETAIL, FICKLE])
def test_the_true_parameter_posterior_matches_what_clients_did(params):
    """P(alive at T) against the share alive, and P(no purchase in [T, T + H))
    against the churn labels, overall and within deciles of the probability."""
    population = process.simulate(params, 40_000, 52.0, 91.0, np.random.default_rng(3))
    x, t_x, big_t = process.histories(population, 78.0)
    alive = paretonbd_p_alive(params, x, t_x, big_t)
    truly_alive = population.death > 78.0
    _within(alive.mean(), truly_alive.mean(), np.sqrt(alive.mean() * (1 - alive.mean()) / len(x)))
    quiet = paretonbd_p_no_purchase(params, x, t_x, big_t, 13.0)
    labels = process.churned(population, 78.0, 13.0)
    _within(quiet.mean(), labels.mean(), np.sqrt(quiet.mean() * (1 - quiet.mean()) / len(x)))
    order = np.argsort(quiet)
    for decile in np.array_split(order, 10):
        p = quiet[decile].mean()
        _within(labels[decile].mean(), p, np.sqrt(max(p * (1 - p), 1e-4) / len(decile)))


def test_histories_count_repeats_and_time_from_arrival():
    population = process.Clients(np.array([1.0, 2.0]), np.ones(2), np.ones(2), np.array([9.0, 3.0]),
                                 np.array([0, 0, 0, 1]), np.array([1.0, 2.5, 6.0, 2.0]))
    x, t_x, big_t = process.histories(population, 5.0)
    assert x.tolist() == [1.0, 0.0] and t_x.tolist() == [1.5, 0.0] and big_t.tolist() == [4.0, 3.0]
    assert process.churned(population, 5.0, 1.0).tolist() == [1, 1]
    assert process.churned(population, 5.0, 1.5).tolist() == [0, 1]


def test_web_visits_fade_before_death_and_stop_after_it():
    population = process.simulate(RETAIL, 40_000, 1e-9, 200.0, np.random.default_rng(4))
    who, when = process.visits(population, 0.0, 200.0, np.random.default_rng(5))
    assert np.all(when < population.death[who])
    # Clients who die between weeks 30 and 150: visits in their last 4 weeks
    # against 4 weeks well before the fade (weeks 16 to 12 before death).
    dying = (population.death > 30.0) & (population.death < 150.0)
    before_death = population.death[who] - when
    last = np.bincount(who[(before_death < 4.0) & dying[who]], minlength=len(population))[dying].sum()
    earlier = np.bincount(who[(before_death >= 12.0) & (before_death < 16.0) & dying[who]],
                          minlength=len(population))[dying].sum()
    expected = process.FADE_FLOOR + (1 - process.FADE_FLOOR) * 2.0 / process.FADE_WEEKS
    _within(last / earlier, expected, expected * np.sqrt(1 / last + 1 / earlier))


def test_auc_by_ranks_counts_ties_as_half():
    assert process.auc([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]) == 1.0
    assert process.auc([0, 1], [0.5, 0.5]) == 0.5
    assert process.auc([1, 0, 1, 0], [0.1, 0.9, 0.2, 0.8]) == 0.0
