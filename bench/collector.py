"""Collector throughput and latency under the production server, against bare Flask.

Setup (once, as root on Debian): apt-get install wrk
Run:    .venv/bin/python bench/collector.py --store clickhouse   (a throwaway clickhouse-server)
        .venv/bin/python bench/collector.py --store chdb         (the embedded store)

Both servers run exactly as `vigie serve` runs them (vigie/server.py: gunicorn,
gthread workers, the worker count and threads the settings give), side by
side: a bare Flask app whose POST /api/event only answers 202, and the real
Vigie server (parse, validate, enrich, identify, spool write-ahead, buffer,
batched inserts). wrk drives them in turns on loopback, --rounds rounds of
--seconds each at full speed, in alternating order so that a load drifting on
a shared machine weighs on both alike; the ratio is taken per round. Then the
real server again at half the rate it reached, for latency. Afterwards the
events stored are counted against the 202s wrk received (requests still in
flight when wrk stops may be stored without being counted, never the reverse).
Each run also reports the server's CPU per request (gunicorn master and
workers): a second view, which depends less than req/s on the CPU that other
work on a shared machine leaves.

Targets: full pipeline >= 75 % of bare Flask's requests/s; p99 < 50 ms at half
rate; every accepted event stored. Figures are printed, never asserted.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SITE = "bench.vigie.test"
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/124.0.0.0 Safari/537.36")

# Counts 202s per wrk thread, optionally paces each connection, and prints
# machine-readable totals. Each request names its own page so none is cached.
WRK_SCRIPT = """
local threads = {}
local pause_ms = tonumber(os.getenv("BENCH_PAUSE_MS") or "0")
function setup(thread) table.insert(threads, thread) end
function init(args) accepted = 0; counter = 0 end
function delay() return pause_ms end
function request()
  counter = counter + 1
  local body = '{"name":"pageview","domain":"%(site)s","url":"https://%(site)s/p/' .. counter ..
               '","referrer":"https://www.google.com/","screen_width":1440}'
  return wrk.format("POST", "/api/event", {["Content-Type"]="text/plain",
                    ["User-Agent"]="%(ua)s"}, body)
end
function response(status, headers, body) if status == 202 then accepted = accepted + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("accepted") end
  io.write(string.format("BENCH requests=%%d accepted=%%d seconds=%%f p50_us=%%d p99_us=%%d errors=%%d\\n",
    summary.requests, total, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""" % {"site": SITE, "ua": UA}


def bare_app(settings):
    """Flask doing nothing but answering 202 JSON: the ceiling for the same server config."""
    from flask import Flask, jsonify
    app = Flask("bare")

    @app.post("/api/event")
    def event():
        return jsonify({"accepted": 1}), 202

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})
    return app


def serve_bare():
    from vigie.server import serve
    from vigie.settings import load_settings
    serve(load_settings(), app_factory=bare_app)


def env_for(store_url, port, spool_dir, workers=0, threads=0):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    if workers:
        env["VIGIE_WORKERS"] = str(workers)
    if threads:
        env["VIGIE_THREADS"] = str(threads)
    env.update(VIGIE_STORE_URL=store_url, VIGIE_PORT=str(port), VIGIE_SPOOL_DIR=spool_dir,
               VIGIE_SECRET_KEY="bench-secret-key-shared-by-workers", VIGIE_LOG_LEVEL="WARNING",
               # Limits stay on (their cost is part of the hot path) but far above the load.
               VIGIE_RATE_LIMIT_PER_IP="1000000", VIGIE_RATE_LIMIT_PER_SITE="1000000")
    return env


def start(command, env, port, timeout=90):
    import requests
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {process.stderr.read()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit(f"server did not answer /healthz within {timeout}s")


def stop(process, timeout=60):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wrk(port, seconds, connections, threads, script, pause_ms=0):
    env = dict(os.environ, BENCH_PAUSE_MS=str(pause_ms))
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", script, f"http://127.0.0.1:{port}/api/event"],
        env=env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"BENCH (.*)", result.stdout)
    if not match:
        raise SystemExit(f"wrk failed: {result.stdout[-1000:]} {result.stderr[-1000:]}")
    figures = dict(pair.split("=") for pair in match.group(1).split())
    figures = {k: float(v) for k, v in figures.items()}
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def cpu_seconds(pid):
    """User + system CPU seconds a process (all its threads) has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid):
    """CPU seconds of a gunicorn master and its workers (their children, threads included)."""
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            total += cpu_seconds(current)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    pids.extend(int(child) for child in f.read().split())
        except OSError:
            continue  # a worker that exited between the two reads
    return total


def show(label, f):
    cpu = f"   {f['cpu_us']:4.0f} us CPU/req" if "cpu_us" in f else ""
    print(f"{label:<28} {f['rps']:9.0f} req/s   p50 {f['p50_us'] / 1000:6.1f} ms   "
          f"p99 {f['p99_us'] / 1000:6.1f} ms   202s {int(f['accepted']):7d}   "
          f"socket errors {int(f['errors'])}{cpu}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Setup: apt-get install wrk (Debian).")
    parser.add_argument("--store", choices=("clickhouse", "chdb"), default="clickhouse",
                        help="a throwaway clickhouse-server (default) or the embedded store")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each run (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of one run per server, in alternating order (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes for both servers (default: what vigie serve picks)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per worker for both servers (default: the setting's default)")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare()
    if not 1 <= args.seconds <= 300:
        parser.error("--seconds must be between 1 and 300")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: apt-get install wrk")

    from tests.clickhouse_server import ClickHouseServer, free_port
    from vigie.warehouse import open_store
    from vigie.warehouse.migrations import migrate
    from vigie.warehouse.sites import add_site

    work = tempfile.mkdtemp(prefix="vigie-bench-")
    script = os.path.join(work, "bench.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    server = ClickHouseServer().start() if args.store == "clickhouse" else None
    try:
        store_url = (f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench" if server
                     else f"chdb://{work}/data")
        store = open_store(store_url)
        migrate(store)
        add_site(store, SITE)
        store.close()  # the embedded store has one owner: the server
        spool = os.path.join(work, "spool")
        wrk_args = (args.seconds, args.connections, args.wrk_threads, script)
        from vigie.server import worker_count
        from vigie.settings import load_settings
        settings = load_settings(environ=env_for(store_url, 0, spool, args.workers, args.threads))
        print(f"store {args.store}; gunicorn gthread, {worker_count(settings)} worker(s) x "
              f"{settings.threads} threads; wrk {args.wrk_threads} threads, {args.connections} "
              f"connections, {args.rounds} rounds of {args.seconds} s per server; "
              f"{os.cpu_count()} CPU(s)", flush=True)

        # Both servers run side by side and take turns (bare, Vigie, Vigie, bare, ...):
        # on a shared machine the load drifts within minutes, and a ratio of two
        # runs minutes apart measures the drift as much as the collector.
        bare_port, full_port = free_port(), free_port()
        bare = start([sys.executable, os.path.abspath(__file__), "--serve-bare"],
                     env_for(store_url, bare_port, spool, args.workers, args.threads), bare_port)
        full = None
        try:
            full = start([sys.executable, "-m", "vigie", "serve"],
                         env_for(store_url, full_port, spool, args.workers, args.threads), full_port)
            wrk(bare_port, 2, *wrk_args[1:])  # warm-up
            warm = wrk(full_port, 2, *wrk_args[1:])
            accepted, ratios, server_cpu = int(warm["accepted"]), [], 0.0
            cpu_per_request = {"bare": [], "full": []}
            for round_number in range(args.rounds):
                order = ("bare", "full") if round_number % 2 == 0 else ("full", "bare")
                figures = {}
                for which in order:
                    before = cpu_seconds(server.process.pid) if server and which == "full" else None
                    process = bare if which == "bare" else full
                    started_cpu = tree_cpu_seconds(process.pid)
                    figures[which] = wrk(bare_port if which == "bare" else full_port, *wrk_args)
                    # CPU per request barely moves with the machine's load, unlike req/s.
                    figures[which]["cpu_us"] = ((tree_cpu_seconds(process.pid) - started_cpu)
                                                / max(figures[which]["requests"], 1) * 1e6)
                    cpu_per_request[which].append(figures[which]["cpu_us"])
                    if before is not None:
                        server_cpu += cpu_seconds(server.process.pid) - before
                accepted += int(figures["full"]["accepted"])
                ratios.append(figures["full"]["rps"] / figures["bare"]["rps"])
                show(f"round {round_number + 1}: bare Flask", figures["bare"])
                show(f"round {round_number + 1}: Vigie collector", figures["full"])
            half = figures["full"]["rps"] / 2
            pause_ms = max(int(args.connections * 1000 / half), 1)
            paced = wrk(full_port, *wrk_args, pause_ms=pause_ms)
            accepted += int(paced["accepted"])
            show(f"Vigie at ~{half:.0f} req/s target", paced)
        finally:
            stop(bare)
            if full is not None:
                stop(full)
        store = open_store(store_url)
        try:
            stored = store.query_value("SELECT count() FROM events WHERE site = %(s)s", {"s": SITE})
            unique = store.query_value("SELECT uniqExact(event_id) FROM events")
        finally:
            store.close()
        ratios.sort()
        print(f"ratio full/bare per round: {', '.join(f'{r:.0%}' for r in ratios)}; median "
              f"{ratios[len(ratios) // 2]:.1%} (target >= 75%)")
        bare_cpu, full_cpu = (sorted(cpu_per_request[w])[len(ratios) // 2] for w in ("bare", "full"))
        print(f"server CPU per request, median: bare Flask {bare_cpu:.0f} us, Vigie {full_cpu:.0f} us; "
              f"bare/Vigie {bare_cpu / full_cpu:.1%} (gunicorn CPU only, wrk and ClickHouse excluded)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: a shared machine, "
              "compare the ratios, not the rates")
        if server:
            print(f"clickhouse-server CPU while Vigie was driven: {server_cpu:.1f} s "
                  f"({server_cpu / (args.rounds * args.seconds):.0%} of one core)")
        print(f"p99 at half rate: {paced['p99_us'] / 1000:.1f} ms (target < 50 ms); "
              f"achieved {paced['rps']:.0f} req/s")
        print(f"events: {accepted} accepted (202), {stored} stored, {unique} distinct ids, "
              f"{max(accepted - stored, 0)} missing")
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
