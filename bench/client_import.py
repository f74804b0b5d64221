"""Throughput and memory of `vigie import transactions` on a generated CSV file.

Prints the rows per second of the whole import (check pass + write pass), the
share of time spent writing, and the peak memory of the process, for one file
size. Memory should stay flat as --rows grows: the importer streams the file
twice instead of holding it.

    .venv/bin/python bench/client_import.py --rows 200000
    .venv/bin/python bench/client_import.py --store-url clickhouse://default@127.0.0.1:9000/bench
"""
import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vigie.alerts.client_data.csv_import import CsvOptions, import_csv  # noqa: E402
from vigie.alerts.client_data.kinds import TRANSACTIONS  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402
from vigie.warehouse.sites import add_site  # noqa: E402

MAX_ROWS = 5_000_000  # keeps a run to minutes, whatever is asked


def write_file(path, rows, seed):
    """`rows` transactions without ids over 2,000 clients in 2024, about 1% exact duplicates."""
    rng = random.Random(seed)
    start = datetime.datetime(2024, 1, 1)
    with open(path, "w") as f:
        f.write("customer_id,timestamp,amount,currency,type\n")
        previous = None
        for _ in range(rows):
            if previous and rng.random() < 0.01:
                line = previous
            else:
                when = start + datetime.timedelta(seconds=rng.randrange(300 * 86400))
                kind = rng.choices(["purchase", "renewal", "refund"], [80, 15, 5])[0]
                line = (f"C-{rng.randrange(2000):05d},{when:%Y-%m-%dT%H:%M:%S}Z,"
                        f"{rng.randrange(100, 50000) / 100:.2f},EUR,{kind}\n")
            f.write(line)
            previous = line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the file (default 50,000)")
    parser.add_argument("--store-url", help="store to import into (default: a temporary chdb directory)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = max(1, min(args.rows, MAX_ROWS))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "transactions.csv")
        write_file(path, rows, args.seed)
        store = open_store(args.store_url or f"chdb://{tmp}/store")
        try:
            migrate(store)
            site = add_site(store, "bench.example.com")
            phases = {}

            def progress(stage, done, total):
                phases.setdefault(stage, time.perf_counter())

            started = time.perf_counter()
            report = import_csv(store, site, path, TRANSACTIONS, CsvOptions(), progress)
            elapsed = time.perf_counter() - started
            writing = elapsed - (phases.get("importing", started + elapsed) - started)
            stored = store.query_value("SELECT count() FROM transactions FINAL WHERE site = %(s)s",
                                       {"s": site.domain})
        finally:
            store.close()
        size_mb = os.path.getsize(path) / 1e6

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backend: {store.backend}")
    print(f"file: {rows:,} rows, {size_mb:.1f} MB")
    print(f"imported: {report.imported:,} rows, rejected {report.rejected_rows:,}, "
          f"stored after FINAL {stored:,}")
    print(f"time: {elapsed:.2f} s, {rows / elapsed:,.0f} rows/s "
          f"(first batch written after {elapsed - writing:.2f} s)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
