"""How long an alerts run takes for a site with many clients.

    .venv/bin/python bench/alerts_run.py [--clients 20000] [--store-url URL]

Builds a synthetic site (clients, two years of purchases, two churn scores
each) in a throwaway embedded store (or a database named by --store-url),
adds one rule of every kind, then times three runs without delivery: the
first opens the alerts, the second finds them all in progress with nothing
changed (writes nothing), the third after every score moved (rewrites them).
Prints the figures; it asserts nothing.
"""
import argparse
import datetime
import pathlib
import random
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from vigie.alerts.engine import evaluate_site  # noqa: E402
from vigie.alerts.rules import add_rule  # noqa: E402
from vigie.settings import load_settings  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402
from vigie.warehouse.sites import add_site  # noqa: E402

SITE = "bench.example.com"
UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def build(store, clients, seed):
    rng = random.Random(seed)
    customers, transactions, scores = [], [], []
    for n in range(clients):
        cid = f"c{n:07d}"
        status = "cancelled" if rng.random() < 0.05 else "active"
        customers.append((SITE, cid, NOW - datetime.timedelta(days=900), "pro", status, None, "",
                          "", [], [], 1, 0))
        monthly = rng.choice((0.2, 0.5, 1.0, 2.0))
        stop = rng.choice((0, 0, 0, 90, 200, 400))  # days since a client slowed down or left
        for day in range(730, stop, -1):
            if rng.random() < monthly / 30:
                transactions.append((SITE, cid, f"t{n}-{day}", NOW - datetime.timedelta(days=day),
                                     40.0, "EUR", "purchase", "bench", 1))
        first = rng.random()
        for age, probability in ((8, first), (1, min(1.0, max(0.0, first + rng.gauss(0, 0.15))))):
            as_of = (NOW - datetime.timedelta(days=age)).date()
            scores.append((SITE, cid, as_of, NOW - datetime.timedelta(days=age), "bench",
                           probability, "", ["Fewer visits than usual"], ["visits_30d"]))
    store.insert("customers", ["site", "customer_id", "created_at", "plan", "contract_status",
                               "contract_ended_at", "segment", "owner", "attr_keys",
                               "attr_values", "version", "deleted"], customers)
    for start in range(0, len(transactions), 100_000):
        store.insert("transactions", ["site", "customer_id", "transaction_id", "ts", "amount",
                                      "currency", "type", "origin", "version"],
                     transactions[start:start + 100_000])
    score_columns = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability",
                     "risk_band", "reasons", "reason_features"]
    store.insert("churn_scores", score_columns, scores)
    return len(transactions), score_columns, scores


def timed(label, fn):
    started = time.perf_counter()
    summary = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {seconds:7.2f} s  new {len(summary.opened):>6}  "
          f"in progress {summary.updated:>6}  capped {summary.capped:>6}")
    return summary, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20000, help="clients (default 20000)")
    parser.add_argument("--seed", type=int, default=3, help="random seed (default 3)")
    parser.add_argument("--store-url", help="a clickhouse:// database to use instead of chdb")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500_000:
        parser.error("--clients must be between 1 and 500000 (the run must stay short)")

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.store_url or f"chdb://{tmp}/data")
        migrate(store)
        settings = load_settings(environ={})
        add_site(store, SITE)
        started = time.perf_counter()
        n_transactions, score_columns, scores = build(store, args.clients, args.seed)
        print(f"{args.clients} clients, {n_transactions} purchases, {len(scores)} scores on "
              f"{store.backend}, loaded in {time.perf_counter() - started:.1f} s")
        add_rule(store, SITE, "risk_above", threshold=0.8, severity="high")
        add_rule(store, SITE, "risk_rising", threshold=15, severity="medium")
        add_rule(store, SITE, "no_purchase", months=6, severity="low")
        add_rule(store, SITE, "contract_cancelled", severity="high")
        add_rule(store, SITE, "purchase_drop", months=3, threshold=50, severity="medium")

        first, t1 = timed("run 1 (opens alerts)", lambda: evaluate_site(store, settings, SITE, NOW))
        _, t2 = timed("run 2 (nothing changed)", lambda: evaluate_site(
            store, settings, SITE, NOW + datetime.timedelta(hours=1)))
        store.insert("churn_scores", score_columns, [
            row[:3] + (row[3] + datetime.timedelta(days=1), row[4], min(1.0, row[5] + 0.01))
            + row[6:] for row in scores[1::2]])
        _, t3 = timed("run 3 (every score moved)", lambda: evaluate_site(
            store, settings, SITE, NOW + datetime.timedelta(days=1)))
        print(f"clients per second: run 1 {args.clients / t1:,.0f}, run 2 {args.clients / t2:,.0f}"
              f", run 3 {args.clients / t3:,.0f}; run 2 / run 1 time ratio {t2 / t1:.2f}")
        store.close()


if __name__ == "__main__":
    main()
