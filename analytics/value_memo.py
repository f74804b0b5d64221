"""Client histories and the CLV report, computed once per site, date and data generation.

At 100,000 clients reading the histories and fitting BG/NBD and Gamma-Gamma
take seconds, and the Customers and Churn pages, the portfolio trend (one
computation per month) and the Stats API all ask for the same ones. They
depend only on the site's transactions and client records, so they are kept
per (site, as-of date, horizon, discount rate) for as long as neither table
has changed: the generation is a hash of every stored row of both (the
columns the histories read), summed, which changes with any row written and
costs one scan of the site's rows (tens of milliseconds at 100,000 clients)
against seconds saved. A stale entry is never served; at worst a merge of
parts that drops replaced rows recomputes once.

The cached values are shared: callers must not change them (rfm_scores,
portfolio_report and the pages build new rows from them).
"""
import collections
import threading

from vigie.analytics.customer_value import clv_report, customer_histories

MAX_ENTRIES = 32   # a few sites x (today + the trend's months)

_GENERATION = """
SELECT
    (SELECT count() FROM transactions WHERE site = %(site)s),
    (SELECT sum(cityHash64(customer_id, transaction_id, toString(ts), toString(amount), type,
                           version)) FROM transactions WHERE site = %(site)s),
    (SELECT count() FROM customers WHERE site = %(site)s),
    (SELECT sum(cityHash64(customer_id, deleted, version)) FROM customers WHERE site = %(site)s)
"""

_entries = collections.OrderedDict()
_computing = {}   # key -> the lock held while that key's value is computed
_lock = threading.Lock()


def data_generation(store, site):
    """A value that changes whenever a transaction or client record of `site` is written."""
    rows = store.query(_GENERATION, {"site": site})
    return tuple(int(v or 0) for v in rows[0]) if rows else ()


def value_basis(store, site, as_of, horizon_days, discount_rate):
    """(customer_histories, clv_report) of `site` as of `as_of`, computed once per generation.

    Computed under a lock of its own key: a second page asking for the same value while
    the first computes it waits for that result instead of computing it again (seconds
    of CPU at 100,000 clients); other keys are not held up."""
    key = (id(store), site, as_of, horizon_days, discount_rate, data_generation(store, site))
    with _lock:
        computing = _computing.setdefault(key, threading.Lock())
    with computing:
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key]
        histories = customer_histories(store, site, as_of)
        basis = (histories, clv_report(store, site, as_of, horizon_days, histories, discount_rate))
        with _lock:
            _entries[key] = basis
            _computing.pop(key, None)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return basis


def forget():
    """Drop every entry (tests that reuse one store for unrelated data)."""
    with _lock:
        _entries.clear()
