"""What slot claims cost each `vigie serve` worker (warehouse.run_claims), on both backends.

Every worker polls each analytics job about once a minute. Most polls find
the slot already run (one read); one poll per slot writes a claim, reads the
winner and, after the run, writes the finished row. This prints the time of
each kind, next to a `SELECT 1` round trip measured in the same process as
the baseline (the machine may be loaded: compare the ratios, not the
milliseconds). The settle wait (1 s in the server) is left out: it is a sleep.

    .venv/bin/python bench/job_claims.py --rounds 200 --backend both
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vigie.warehouse.run_claims import claim_slot, finish_slot  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402

INTERVAL, LEASE = 300, 600
START = datetime.datetime(2026, 3, 10, tzinfo=datetime.timezone.utc)


def _mean_ms(fn, rounds):
    began = time.perf_counter()
    for i in range(rounds):
        fn(i)
    return 1000 * (time.perf_counter() - began) / rounds


def bench(url, rounds):
    store = open_store(url)
    try:
        migrate(store)
        baseline = _mean_ms(lambda i: store.query_value("SELECT 1"), rounds)

        def win(i):
            moment = START + datetime.timedelta(seconds=i * INTERVAL)
            claim = claim_slot(store, "bench", moment, INTERVAL, LEASE, settle_seconds=0)
            finish_slot(store, claim, moment)
        won = _mean_ms(win, rounds)
        # Polls within the last slot, which is finished: the common case.
        last = START + datetime.timedelta(seconds=(rounds - 1) * INTERVAL)
        idle = _mean_ms(lambda i: claim_slot(store, "bench", last + datetime.timedelta(seconds=1),
                                             INTERVAL, LEASE, settle_seconds=0), rounds)
        return baseline, idle, won
    finally:
        store.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="polls and claims to time (default 200)")
    parser.add_argument("--backend", choices=("chdb", "clickhouse", "both"), default="both",
                        help="which store to measure (default both)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    for backend in ("chdb", "clickhouse") if args.backend == "both" else (args.backend,):
        tmp = tempfile.mkdtemp(prefix="vigie-bench-")
        server = None
        try:
            if backend == "chdb":
                url = f"chdb://{tmp}/data?database=bench"
            else:
                from tests.clickhouse_server import ClickHouseServer
                server = ClickHouseServer().start()
                url = f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench"
            baseline, idle, won = bench(url, args.rounds)
            print(f"{backend}: SELECT 1 {baseline:.2f} ms; poll of a finished slot {idle:.2f} ms "
                  f"({idle / baseline:.1f}x); won claim + finished row {won:.2f} ms "
                  f"({won / baseline:.1f}x), {args.rounds} rounds", flush=True)
        finally:
            if server is not None:
                server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
