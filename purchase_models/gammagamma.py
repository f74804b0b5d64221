"""Gamma-Gamma spend model (Fader, Hardie & Lee, 2005, "RFM and CLV: Using Iso-Value Curves").

Each purchase of a client has a value drawn from gamma(p, nu), whose mean
p / nu is the client's own; across clients nu ~ gamma(q, gamma). Only a
client's number of purchases x and mean purchase value m enter the
likelihood, so the three parameters are fitted by maximum likelihood without
any label. The model assumes that how much a client spends per purchase does
not depend on how often they buy: `spend_frequency_correlation` measures it
on the data so callers can say when it does not hold.

The conditional expectation of a client's mean purchase value,

    E[Z | x, m] = p (gamma + x m) / (p x + q - 1),

is a weighted average of the population's mean p gamma / (q - 1) and the
client's own mean m, the client's weight growing with x: one large order
moves it less than a steady history does. It needs q > 1.
"""
import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln

STRONG_CORRELATION = 0.3   # |r| above which the independence assumption is reported as doubtful


def gammagamma_log_likelihood(params, x, m):
    """Each client's log-likelihood of their mean purchase value m over x purchases."""
    p, q, gamma = params
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + x * m))


def fit_gammagamma(x, m):
    """Maximum-likelihood (p, q, gamma) from clients' purchase counts x >= 1 and mean values m > 0.

    The values are divided by their mean before fitting, so the optimiser
    starts near the answer whatever the currency; gamma, the only parameter
    carrying the unit, is scaled back.
    """
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    if len(x) == 0 or np.any(x < 1) or np.any(m <= 0):
        raise ValueError("Gamma-Gamma needs clients with at least one purchase and a positive mean value")
    scale = float(m.mean())
    unit = m / scale

    def loss(log_params):
        with np.errstate(all="ignore"):
            value = -gammagamma_log_likelihood(np.exp(log_params), x, unit).sum()
        return value if np.isfinite(value) else 1e300
    result = minimize(loss, np.log([2.0, 3.0, 2.0]), method="Nelder-Mead",
                      options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-7})
    p, q, gamma = np.exp(result.x)
    return np.array([p, q, gamma * scale])


def gammagamma_expected_spend(params, x, m):
    """E[mean purchase value | x purchases averaging m]; a client with x = 0 gets the population mean."""
    p, q, gamma = params
    if q <= 1:
        raise ValueError(f"Gamma-Gamma fit gave q = {q:.3f}: the expected spend is infinite when q <= 1")
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    return p * (gamma + x * m) / (p * x + q - 1)


def gammagamma_population_mean(params):
    """The mean purchase value of a client about whom nothing is known: p gamma / (q - 1)."""
    p, q, gamma = params
    return p * gamma / (q - 1) if q > 1 else float("inf")


def spend_frequency_correlation(x, m):
    """Pearson's r between purchase counts and mean purchase values (0 when either is constant)."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    if len(x) < 2 or x.std() == 0 or m.std() == 0:
        return 0.0
    return float(np.corrcoef(x, m)[0, 1])
