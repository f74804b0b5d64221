"""The clients of bench/churn.py: a Pareto/NBD purchase process, and web visits that fade.

Time is in weeks, as in the published Pareto/NBD fits. Client i arrives
(makes a first purchase) at a_i, uniform over [0, arrival_weeks). Their
purchase rate is lambda_i ~ gamma(r, alpha) and their dropout rate
mu_i ~ gamma(s, beta) (shape, rate), independent; their lifetime is
exponential with rate mu_i. While alive they make repeat purchases as a
Poisson process of rate lambda_i; once dead they never come back. This is
exactly the process the Pareto/NBD model assumes, so with the true
(r, alpha, s, beta) its posterior P(no purchase in (T, T + H] | history) is
the best ranking any method can get from purchase histories alone.

Web visits (optional) are the part purchases cannot see. While alive, a
client visits at their own rate v_i ~ gamma(VISIT_SHAPE, VISIT_RATE) per week,
independent of lambda_i; in the FADE_WEEKS before their death the rate
falls linearly from v_i to FADE_FLOOR * v_i (interest wanes before a client
leaves), and a dead client no longer visits. Visits are drawn as a Poisson
process at rate v_i over the life and thinned by the fade.
"""
from dataclasses import dataclass

import numpy as np

VISIT_SHAPE, VISIT_RATE = 2.0, 2.5     # mean 0.8 visits a week
FADE_WEEKS, FADE_FLOOR = 8.0, 0.1


@dataclass
class Clients:
    arrival: np.ndarray          # weeks
    purchase_rate: np.ndarray    # lambda, per week
    dropout_rate: np.ndarray     # mu, per week
    death: np.ndarray            # weeks (arrival + lifetime)
    buyer: np.ndarray            # client index of each purchase, first purchases included
    bought_at: np.ndarray        # weeks, sorted by (buyer, time)

    def __len__(self):
        return len(self.arrival)


def simulate(params, clients, arrival_weeks, end_weeks, rng):
    """`clients` Pareto/NBD clients with (r, alpha, s, beta), purchases up to end_weeks."""
    r, alpha, s, beta = params
    arrival = rng.uniform(0.0, arrival_weeks, clients)
    purchase_rate = rng.gamma(r, 1.0 / alpha, clients)
    dropout_rate = rng.gamma(s, 1.0 / beta, clients)
    death = arrival + rng.exponential(1.0 / dropout_rate)
    alive_until = np.minimum(death, end_weeks)
    repeats = rng.poisson(purchase_rate * np.maximum(alive_until - arrival, 0.0))
    buyer = np.repeat(np.arange(clients), repeats)
    at = arrival[buyer] + rng.uniform(0.0, 1.0, len(buyer)) * (alive_until - arrival)[buyer]
    buyer = np.concatenate([np.arange(clients), buyer])
    at = np.concatenate([arrival, at])
    order = np.lexsort((at, buyer))
    return Clients(arrival, purchase_rate, dropout_rate, death, buyer[order], at[order])


def histories(population, at):
    """(x repeat purchases, t_x, T) of every client at time `at` (weeks), from
    the purchases strictly before it; clients must all have arrived by then."""
    if np.any(population.arrival >= at):
        raise ValueError("every client must have arrived before the history's end")
    before = population.bought_at < at
    counts = np.bincount(population.buyer[before], minlength=len(population))
    last = np.full(len(population), -np.inf)
    np.maximum.at(last, population.buyer[before], population.bought_at[before])
    return counts - 1.0, last - population.arrival, at - population.arrival


def churned(population, start, horizon):
    """1 for the clients with no purchase in [start, start + horizon), else 0."""
    inside = (population.bought_at >= start) & (population.bought_at < start + horizon)
    return (np.bincount(population.buyer[inside], minlength=len(population)) == 0).astype(int)


def visits(population, since, until, rng):
    """(client index, week) of every web visit in [since, until), sorted by client."""
    start = np.maximum(population.arrival, since)
    stop = np.minimum(population.death, until)
    span = np.maximum(stop - start, 0.0)
    rate = rng.gamma(VISIT_SHAPE, 1.0 / VISIT_RATE, len(population))
    who = np.repeat(np.arange(len(population)), rng.poisson(rate * span))
    when = start[who] + rng.uniform(0.0, 1.0, len(who)) * span[who]
    keep = rng.uniform(0.0, 1.0, len(who)) < fade(population.death[who] - when)
    return who[keep], when[keep]


def fade(weeks_to_death):
    """The share of a client's usual visit rate left `weeks_to_death` before they leave."""
    weeks = np.clip(np.asarray(weeks_to_death, dtype=float), 0.0, FADE_WEEKS)
    return FADE_FLOOR + (1.0 - FADE_FLOOR) * weeks / FADE_WEEKS


def expected_repeats(params, weeks):
    """E[repeat purchases in the first `weeks` after arrival] under Pareto/NBD."""
    r, alpha, s, beta = params
    if abs(s - 1.0) < 1e-9:
        return r * beta / alpha * np.log((beta + weeks) / beta)
    return r * beta / (alpha * (s - 1.0)) * (1.0 - (beta / (beta + weeks)) ** (s - 1.0))


def auc(labels, scores):
    """ROC AUC by ranks (ties count one half); higher scores should mean label 1."""
    from scipy.stats import rankdata
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = labels.sum(), (~labels).sum()
    ranks = rankdata(scores)
    return (ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def bootstrap_gaps(labels, scores, reference, rng, rounds=200):
    """Standard errors of each score's AUC and of its gap to `reference`'s AUC,
    from the same resamples of clients (paired: the gap's error is much
    smaller than either AUC's, as both rank the same clients)."""
    labels = np.asarray(labels)
    errors = {}
    draws = [rng.integers(0, len(labels), len(labels)) for _ in range(rounds)]
    base = np.array([auc(labels[d], reference[d]) for d in draws])
    for name, values in scores.items():
        own = np.array([auc(labels[d], values[d]) for d in draws])
        errors[name] = (float(own.std(ddof=1)), float((own - base).std(ddof=1)))
    return errors
