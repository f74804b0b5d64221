"""Client histories, the CLV and RFM reports and what is built on them, computed once per data generation.

At 100,000 clients reading the histories and fitting BG/NBD and Gamma-Gamma
take seconds, and the Customers and Churn pages, the portfolio trend (one
computation per month) and the Stats API all ask for the same ones. They
depend only on the site's transactions and client records, so they are kept
per (site, as-of date, horizon, discount rate) for as long as neither table
has changed: the generation is a hash of every stored row of both (the
columns the histories read), summed, which changes with any row written and
costs one scan of the site's rows (tens of milliseconds at 100,000 clients)
against seconds saved. A stale entry is never served; at worst a merge of
parts that drops replaced rows recomputes once. Values that also read the
churn scores (portfolio splits by risk band) are kept until the next scoring
run as well.

Kept, not only the fits but what the pages build from them (RFM scores and
report, portfolio summary and trend): each is under a second at 100,000
clients, but a page load runs several, and whatever a load starts keeps the
server busy while the next load runs (the retention pages' repeated loads
took 3 s and more, bench/alerts_inbox.py).

The cached values are shared: callers must not change them (rfm_scores,
portfolio_report and the pages build new rows from them).
"""
import collections
import contextlib
import contextvars
import datetime
import json
import threading
import time

from vigie.analytics.customer_value import clv_report, customer_histories, rfm_report
from vigie.analytics.rfm import rfm_scores

# A few sites x (today's basis, scores and reports + the trend's months).
MAX_ENTRIES = 64

_GENERATION = """
SELECT
    (SELECT count() FROM transactions WHERE site = %(site)s),
    (SELECT sum(cityHash64(customer_id, transaction_id, toString(ts), toString(amount), type,
                           version)) FROM transactions WHERE site = %(site)s),
    (SELECT count() FROM customers WHERE site = %(site)s),
    (SELECT sum(cityHash64(customer_id, deleted, version, contract_status))
     FROM customers WHERE site = %(site)s)
"""

_SCORING = """
SELECT count(), sum(cityHash64(customer_id, toString(as_of), toString(scored_at), toString(probability),
                               risk_band))
FROM churn_scores WHERE site = %(site)s
"""

_STORED = """
SELECT generation, body FROM value_cache FINAL
WHERE site = %(site)s AND kind = %(kind)s AND args = %(args)s
"""
_STORE_COLUMNS = ["site", "kind", "args", "generation", "body", "computed_at", "version"]
_MISSING = object()
# Part of every stored summary's kind: raise it when a summary's keys change, so that rows
# written by an older release are recomputed instead of read (a missing key would be a 500).
SUMMARY_FORMAT = 1

# Within one_generation(): the generations already read, {(store id, site, which): value}.
_read_once = contextvars.ContextVar("vigie_value_generations", default=None)

_entries = collections.OrderedDict()
_computing = {}
_lock = threading.Lock()


def data_generation(store, site):
    """A value that changes whenever a transaction or client record of `site` is written."""
    rows = store.query(_GENERATION, {"site": site})
    return tuple(int(v or 0) for v in rows[0]) if rows else ()


def scoring_generation(store, site):
    """A value that changes with every scoring run of `site` (its rows and latest time)."""
    rows = store.query(_SCORING, {"site": site})
    return tuple(int(v or 0) for v in rows[0]) if rows else ()


@contextlib.contextmanager
def one_generation():
    """Read each site's generation once for the values asked for inside the block.

    A page that shows several kept values (the Customers page: RFM, CLV,
    portfolio, matrix) would otherwise scan the site's rows for each of them.
    """
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _read(store, site, reader):
    """reader(store, site), once per site within one_generation()."""
    read = _read_once.get()
    if read is None:
        return reader(store, site)
    key = (id(store), site, reader)
    if key not in read:
        read[key] = reader(store, site)
    return read[key]


def _generation(store, site, scores):
    generation = _read(store, site, data_generation)
    return generation + _read(store, site, scoring_generation) if scores else generation


def _tagged(value):
    if isinstance(value, datetime.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"__date__": value.isoformat()}
    if hasattr(value, "item"):   # a numpy number
        return value.item()
    raise TypeError(f"a kept summary cannot hold {type(value).__name__}")


def _untagged(obj):
    if "__datetime__" in obj:
        return datetime.datetime.fromisoformat(obj["__datetime__"])
    if "__date__" in obj:
        return datetime.date.fromisoformat(obj["__date__"])
    return obj


def _read_stored(store, site, kind, args, generation):
    rows = store.query(_STORED, {"site": site, "kind": f"{kind}/{SUMMARY_FORMAT}", "args": args})
    if not rows or rows[0][0] != generation:
        return _MISSING
    return json.loads(rows[0][1], object_hook=_untagged)


def _write_stored(store, site, kind, args, generation, value):
    now = datetime.datetime.now(datetime.timezone.utc)
    store.insert("value_cache", _STORE_COLUMNS, [(
        site, f"{kind}/{SUMMARY_FORMAT}", args, generation, json.dumps(value, default=_tagged, separators=(",", ":")),
        now.replace(microsecond=0), time.time_ns())])


def remember(store, site, kind, args, compute, scores=False, stored=False):
    """compute(), once per (site, kind, args) for as long as the site's data is unchanged.

    `scores`: the value also reads the site's churn scores, so a new scoring
    run makes it stale too. `stored`: a small summary (JSON, dates allowed)
    also kept in the store's value_cache table, so every server process and
    the next start read it instead of computing it again (a ClickHouse server
    runs several worker processes, each with its own memory).

    Computed under a lock of its own key: a second page asking for the same
    value while the first computes it waits for that result instead of
    computing it again (seconds of CPU at 100,000 clients, and the next page
    load would run behind both); other keys are not held up.
    """
    generation = _generation(store, site, scores)
    key = (id(store), site, kind, args, generation)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
        computing = _computing.setdefault(key, threading.Lock())
    try:
        with computing:
            with _lock:
                if key in _entries:   # computed by the request this one waited for
                    return _entries[key]
            value = _MISSING
            if stored:
                value = _read_stored(store, site, kind, repr(args), repr(generation))
            if value is _MISSING:
                value = compute()
                if stored:
                    _write_stored(store, site, kind, repr(args), repr(generation), value)
            with _lock:
                _entries[key] = value
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
            return value
    finally:
        # Whether it was computed, found or failed, nobody needs this key's lock any more
        # (waiters hold it already); left behind, one would pile up per value and change.
        with _lock:
            if _computing.get(key) is computing:
                del _computing[key]


def value_basis(store, site, as_of, horizon_days, discount_rate):
    """(customer_histories, clv_report) of `site` as of `as_of`, computed once per generation."""
    def compute():
        histories = customer_histories(store, site, as_of)
        return histories, clv_report(store, site, as_of, horizon_days, histories, discount_rate)
    return remember(store, site, "basis", (as_of, horizon_days, discount_rate), compute)


def scored_clients(store, site, as_of, horizon_days, discount_rate):
    """rfm_scores of the histories as of `as_of`, computed once per generation."""
    return remember(store, site, "rfm_scores", (as_of,), lambda: rfm_scores(
        value_basis(store, site, as_of, horizon_days, discount_rate)[0]))


def _without_clients(report):
    return {k: v for k, v in report.items() if k != "clients"}


def clv_overview(store, site, as_of, horizon_days, discount_rate):
    """clv_report without its per-client rows (totals, model, buckets), kept in the store too."""
    return remember(store, site, "clv_overview", (as_of, horizon_days, discount_rate), lambda: _without_clients(
        value_basis(store, site, as_of, horizon_days, discount_rate)[1]), stored=True)


def rfm_overview(store, site, as_of, horizon_days, discount_rate):
    """rfm_report of every client without the per-client rows (counts and grid), kept in the store too."""
    return remember(store, site, "rfm_overview", (as_of,), lambda: _without_clients(
        kept_rfm_report(store, site, as_of, None, horizon_days, discount_rate)), stored=True)


def kept_rfm_report(store, site, as_of, segment, horizon_days, discount_rate):
    """rfm_report as of `as_of` (one segment's clients, or every client's), once per generation."""
    def compute():
        histories, _ = value_basis(store, site, as_of, horizon_days, discount_rate)
        return rfm_report(store, site, as_of, segment, histories=histories,
                          scored=scored_clients(store, site, as_of, horizon_days, discount_rate))
    return remember(store, site, "rfm", (as_of, segment), compute)


def forget():
    """Drop every entry (tests that reuse one store for unrelated data)."""
    with _lock:
        _entries.clear()
        _computing.clear()
