"""Churn at scale: train on many synthetic clients, score many more; print times and memory.

Ranking quality is measured by bench/churn.py, not here.

    .venv/bin/python bench/churn_scale.py                     # 100,000 to train, 1,000,000 scored
    .venv/bin/python bench/churn_scale.py --train-clients 20000 --score-clients 100000
    .venv/bin/python bench/churn_scale.py --backend clickhouse  # a throwaway clickhouse-server

The clients are made inside ClickHouse (INSERT ... SELECT over numbers()),
with the same story as the tests' generator: each client buys at their own
rhythm, churners slow down and look at the pricing and cancel pages before
they stop. Features are built in ClickHouse; the model scores slices of
clients (ranges of customer ids) in turn. Each step prints wall seconds,
CPU seconds (this process, which with chdb includes the embedded ClickHouse,
plus the server process with --backend clickhouse), the load average (the
machine may be shared: wall time alone says little) and peak memory: this
process's maximum resident set (resource.getrusage), with chdb including the
embedded ClickHouse, with a server not. --time-limit stops the run between
steps.

--keep DIR (chdb only) keeps the clients and the model in DIR for later
runs, which then skip generation and training (and add clients up to
--score-clients); they score every client DIR holds.

--baseline scores the same clients a second time, in the same process, with
XGBoost's own TreeSHAP kernel instead of the look-up tables (churn_shap), and
prints the ratios of wall and CPU time: the two runs see the same machine
load, as far as one can on a shared machine. It doubles the scoring time, so
keep it to smaller runs.
"""
import argparse
import datetime
import os
import resource
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SITE = "bench.vigie.test"
DAYS = 300
HORIZON = 60
CHUNK = 100_000
KEY_PAGES = (("pricing", "/pricing**"), ("cancel", "/cancel**"), ("billing", "/billing**"))

# Per-client facts as SQL of the client number i (deterministic hashes, no RNG).
_CLIENT = """
    {i} AS i,
    7 + modulo(intHash32(i), 39) AS gap,
    modulo(intHash32(i * 7 + 1), 100) < 35 AS churner,
    if(churner, %(end)s - modulo(intHash32(i * 13 + 5), 240), %(end)s + 10000) AS churn_day,
    %(start)s + modulo(intHash32(i * 3 + 2), 120) AS created_day
"""

CUSTOMERS = """
INSERT INTO customers (site, customer_id, created_at, plan, contract_status, segment, owner,
                       attr_keys, attr_values, version, deleted)
SELECT %(site)s, concat('c', toString(i)), toDateTime(created_day * 86400), 'standard', 'active',
       '', '', emptyArrayString(), emptyArrayString(), 1, 0
FROM (SELECT {client} FROM numbers(%(n)s))
"""

TRANSACTIONS = """
INSERT INTO transactions (site, customer_id, transaction_id, ts, amount, currency, type, origin, version)
SELECT %(site)s, concat('c', toString(i)), concat('t', toString(i), '-', toString(k)),
       toDateTime(day * 86400 + 43200), 20 + modulo(intHash32(i * 23 + k), 180), 'EUR',
       'purchase', 'bench', 1
FROM (
    SELECT {client}, intDiv(number, %(n)s) AS k,
           created_day + modulo(intHash32(i * 5 + 3), gap) + k * gap AS day
    FROM numbers(%(n)s * %(k)s)
)
WHERE day < least(churn_day, %(end)s) AND (day < churn_day - 50 OR modulo(k, 2) = 0)
"""

EVENTS = """
INSERT INTO events (event_id, site, ts, name, visitor_id, customer_id, hostname, pathname, engaged_ms)
SELECT generateUUIDv4(), %(site)s, toDateTime(day * 86400 + 36000), 'pageview', i + 1,
       concat('c', toString(i)), %(site)s,
       if(day >= churn_day - 50, arrayElement(['/pricing', '/cancel', '/billing'], 1 + modulo(k, 3)),
          if(modulo(intHash32(i * 19 + k), 100) < 5, '/pricing', '/')),
       modulo(intHash32(i * 29 + k), 300000)
FROM (
    SELECT {client}, intDiv(number, %(n)s) AS k,
           7 + modulo(intHash32(i * 17 + 1), 15) AS visit_gap,
           created_day + k * visit_gap AS day
    FROM numbers(%(n)s * %(k)s)
)
WHERE modulo(intHash32(i * 11 + 7), 100) < 80
  AND day < least(churn_day, %(end)s) AND (day < churn_day - 50 OR modulo(k, 2) = 0)
"""


def _sql(template, i):
    """The statement with the client facts of client number `i` (an SQL expression)."""
    return template.format(client=_CLIENT.format(i=i))


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_now(server_pid=None):
    """CPU seconds used so far by this process and its children, plus the server's."""
    usage = os.times()
    total = usage.user + usage.system + usage.children_user + usage.children_system
    if server_pid is not None:
        from bench.collector import cpu_seconds
        total += cpu_seconds(server_pid)
    return total


class Clock:
    def __init__(self, limit, server_pid=None):
        self.started, self.limit, self.figures = time.monotonic(), limit, []
        self.server_pid = server_pid
        self.step_cpu = cpu_now(server_pid)

    def start(self):
        """Start timing a step: returns its wall start, remembers its CPU start."""
        self.step_cpu = cpu_now(self.server_pid)
        return time.monotonic()

    def check(self, step):
        if time.monotonic() - self.started > self.limit:
            raise SystemExit(f"time limit of {self.limit:.0f} s reached before {step}; figures so far: "
                             f"{self.figures}")

    def record(self, step, seconds, **extra):
        cpu = cpu_now(self.server_pid) - self.step_cpu
        self.figures.append((step, round(seconds, 1), round(cpu, 1)))
        details = "".join(f", {k} {v}" for k, v in extra.items())
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{step}: {seconds:.1f} s wall, {cpu:.1f} s CPU, load average {load}, "
              f"peak memory {peak_mb():,.0f} MB{details}", flush=True)


def generate(store, first, count, end_day, clock):
    """Clients first .. first + count - 1, in chunks so no statement is huge."""
    started = clock.start()
    for lo in range(first, first + count, CHUNK):
        clock.check(f"generating clients from {lo}")
        n = min(CHUNK, first + count - lo)
        params = {"site": SITE, "n": n, "start": end_day - DAYS, "end": end_day}
        per_client = f"(modulo(number, %(n)s) + {int(lo)})"
        store.execute(_sql(CUSTOMERS, f"(number + {int(lo)})"), params)
        store.execute(_sql(TRANSACTIONS, per_client), dict(params, k=DAYS // 7 + 1))
        store.execute(_sql(EVENTS, per_client), dict(params, k=DAYS // 7 + 1))
        print(f"  generated clients {lo:,} .. {lo + n - 1:,}", flush=True)
    rows = {t: store.query_value(f"SELECT count() FROM {t} WHERE site = %(s)s", {"s": SITE})
            for t in ("customers", "transactions", "events")}
    clock.record(f"generate {count:,} clients", time.monotonic() - started,
                 rows=", ".join(f"{t} {n:,}" for t, n in rows.items()))


def _slice(line, clock, started):
    """Scoring progress with elapsed time and memory; stops a run over its time limit."""
    print(f"{line}  [{time.monotonic() - started:.0f} s, peak memory {peak_mb():,.0f} MB]", flush=True)
    clock.check("the next scoring slice")


def run(args, store, model_dir, server_pid=None):
    from vigie.alerts.churn_training import train_churn_model
    from vigie.warehouse.migrations import migrate
    migrate(store)
    clock = Clock(args.time_limit, server_pid)
    end = datetime.date(2024, 7, 1)
    end_day = (end - datetime.date(1970, 1, 1)).days
    made = _kept(store)
    if made:
        print(f"reusing the {made:,} clients and the promoted model of the kept work directory", flush=True)
    else:
        generate(store, 0, args.train_clients, end_day, clock)
        clock.check("training")
        started = clock.start()
        model = train_churn_model(store, SITE, KEY_PAGES, model_dir, as_of=end, horizon_days=HORIZON,
                                  threads=args.threads, today=end, progress=lambda line: print(line, flush=True))
        # No ROC AUC here: these clients follow a made-up rule any model learns
        # almost perfectly; bench/churn.py measures ranking quality honestly.
        clock.record(f"train on {args.train_clients:,} clients", time.monotonic() - started)
        if not model.card["promoted"]:
            raise SystemExit("the model was not promoted, so there is nothing to score with")
        made = args.train_clients

    if args.score_clients > made:
        generate(store, made, args.score_clients - made, end_day, clock)
    clock.check("scoring")
    first = _score(args, store, end, clock, "table TreeSHAP")
    if args.baseline:
        clock.check("the baseline scoring")
        baseline = _score(args, store, end, clock, "XGBoost TreeSHAP", xgboost_kernel=True)
        print(f"baseline / tables: wall {baseline[0] / first[0]:.2f}x, CPU {baseline[1] / first[1]:.2f}x", flush=True)


def _kept(store):
    """The clients already made in a kept work directory that holds a promoted
    model (0 otherwise): clients are numbered, so more can be added after them."""
    from vigie.alerts.churn_registry import promoted_record
    if promoted_record(store, SITE) is None:
        return 0
    return store.query_value("SELECT count() FROM customers WHERE site = %(s)s", {"s": SITE})


def _score(args, store, end, clock, label, xgboost_kernel=False):
    """Score every client; (wall seconds, CPU seconds). `xgboost_kernel`: exact
    values from XGBoost's pred_contribs, as before the tables."""
    from vigie.alerts.churn_estimators import TreeEstimator
    from vigie.alerts.churn_scoring import score_clients
    tables = TreeEstimator._shap_tables
    if xgboost_kernel:
        TreeEstimator._shap_tables = lambda estimator: False
    try:
        started = clock.start()
        run = score_clients(store, SITE, 0.3, 0.6, as_of=end, batch_size=args.batch_size, today=end,
                            exact_reasons=not args.fast_reasons,
                            progress=lambda line: _slice(line, clock, started))
    finally:
        TreeEstimator._shap_tables = tables
    seconds = time.monotonic() - started
    reasons = "Saabas" if args.fast_reasons else f"{label} for medium/high, Saabas for low"
    clock.record(f"score {run.clients:,} clients ({reasons} reasons)", seconds,
                 rate=f"{run.clients / seconds:,.0f} clients/s", bands=run.bands)
    return clock.figures[-1][1], clock.figures[-1][2]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-clients", type=int, default=100_000, help="clients to train on (default 100000)")
    parser.add_argument("--score-clients", type=int, default=1_000_000, help="clients to score (default 1000000)")
    parser.add_argument("--batch-size", type=int, default=50_000, help="clients per scoring slice (default 50000)")
    parser.add_argument("--threads", type=int, default=1, help="XGBoost threads for training (default 1)")
    parser.add_argument("--fast-reasons", action="store_true",
                        help="Saabas attributions instead of SHAP values for the reasons")
    parser.add_argument("--baseline", action="store_true",
                        help="score again with XGBoost's own TreeSHAP kernel and print the ratios")
    parser.add_argument("--backend", choices=("chdb", "clickhouse"), default="chdb",
                        help="embedded chdb (default) or a throwaway clickhouse-server")
    parser.add_argument("--keep", metavar="DIR",
                        help="work in DIR and keep it; a later run with the same DIR reuses its clients "
                             "and model (training 100,000 clients takes tens of minutes), adding clients "
                             "up to --score-clients")
    parser.add_argument("--time-limit", type=float, default=3600, help="seconds before the run stops between steps (default 3600)")
    args = parser.parse_args(argv)
    if args.train_clients < 1000 or args.score_clients < 1:
        parser.error("--train-clients must be at least 1000 and --score-clients positive")
    if args.keep and args.backend != "chdb":
        parser.error("--keep works with the embedded chdb store only")

    from vigie.warehouse import open_store
    work = args.keep or tempfile.mkdtemp(prefix="vigie-bench-churn-")
    print(f"churn bench: {args.train_clients:,} clients to train, {args.score_clients:,} to score, "
          f"backend {args.backend}, work directory {work}", flush=True)
    try:
        if args.backend == "clickhouse":
            from tests.clickhouse_server import ClickHouseServer
            with ClickHouseServer() as server:
                store = open_store(f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench")
                run(args, store, os.path.join(work, "models"), server.process.pid)
                store.close()
        else:
            store = open_store(f"chdb://{work}/data?database=bench")
            run(args, store, os.path.join(work, "models"))
            store.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
