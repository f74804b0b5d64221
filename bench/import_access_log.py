"""Benchmark `vigie import access-log` end to end on both backends.

    .venv/bin/python bench/import_access_log.py [--lines 300000] [--backends clickhouse,chdb]
                                                [--jobs N]

Generates a realistic combined-format log (many visitors, browsers and
devices, pages with query strings, referrers, assets, errors, POSTs, bots and
a few malformed lines) whose expected pageview count is known, starts a
throwaway clickhouse-server (tests/clickhouse_server.py), runs the real CLI on
it (first with one process, the baseline, then with the parallel workers) and
on an embedded chdb store, checks that the stored row count equals the
expected count, and prints lines/s and the parallel/one-process ratio.
Target: 20,000 lines/s into the server.
"""
import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SITE = "shop.bench.test"
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel {v}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 16_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
]
REFERRERS = ["-", "-", "-", "https://www.google.com/", "https://duckduckgo.com/",
             "https://news.ycombinator.com/item?id=1", "https://t.co/abc", "https://www.facebook.com/",
             f"https://{SITE}/", f"https://{SITE}/blog/"]
ASSETS = ["/static/app.{n}.css", "/static/app.{n}.js", "/img/hero-{n}.webp", "/fonts/inter-{n}.woff2",
          "/favicon.ico", "/robots.txt"]


def generate(path, lines, seed=1):
    """Write the log; returns the number of lines that must become pageviews."""
    rng = random.Random(seed)
    uas = [b.format(v=rng.randint(100, 125) if "Chrome" in b or "Firefox" in b else rng.randint(0, 9))
           for b in BROWSERS for _ in range(40)]
    pages = ["/", "/pricing", "/about", "/contact", "/checkout", "/cart"] + \
            [f"/blog/post-{n}" for n in range(300)] + [f"/products/item-{n}.html" for n in range(200)]
    start = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    seconds = 14 * 86400
    expected = 0
    with open(path, "w") as f:
        for i in range(lines):
            when = start + datetime.timedelta(seconds=seconds * i // lines)
            stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
            ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}" \
                if rng.random() < 0.2 else f"198.51.{rng.randint(0, 80)}.{rng.randint(1, 254)}"
            bot = rng.random() < 0.04
            roll = rng.random()
            ua = rng.choice(BOTS) if bot else rng.choice(uas)
            method, status = "GET", 200
            target = rng.choice(pages)
            counts = True
            if roll < 0.26:
                target, counts = rng.choice(ASSETS).format(n=rng.randint(1, 9)), False
            elif roll < 0.33:
                status, counts = 404, False
            elif roll < 0.35:
                method, status, counts = "POST", 302, False
            elif roll < 0.36:
                f.write("garbage " + str(i) + "\n")
                continue
            elif roll < 0.40:
                target += f"?utm_source=newsletter&utm_medium=email&utm_campaign=c{i % 7}"
            elif roll < 0.42:
                status = 304
            if bot:
                counts = False
            expected += counts
            f.write(f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {rng.randint(200, 90000)} '
                    f'"{rng.choice(REFERRERS)}" "{ua}"\n')
    return expected


def _env(store_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env["VIGIE_STORE_URL"] = store_url
    return env


def vigie(store_url, *args):
    return subprocess.run([sys.executable, "-m", "vigie", *args], env=_env(store_url),
                          capture_output=True, text=True, timeout=1800, cwd=ROOT)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _schedstat(pid):
    """(seconds on a CPU, seconds runnable but waiting for a free CPU) of a process's main thread."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            on_cpu, waiting, _ = f.read().split()
    except (OSError, ValueError):
        return None
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def _cpu_seconds(pid):
    """User + system CPU seconds of a whole process (all its threads), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_import(store_url, log_path, jobs):
    """Run the CLI import, sampling where its main thread's wall time goes until it exits."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie", "import", "access-log", log_path, "--site", SITE,
         *(["--jobs", str(jobs)] if jobs else [])],
        env=_env(store_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    sched, loads = (0.0, 0.0), []
    while process.poll() is None:
        sched = _schedstat(process.pid) or sched
        loads.append(os.getloadavg()[0])
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr, sched, sum(loads) / max(len(loads), 1)


def run(name, store_url, log_path, lines, expected, server_pid=None, jobs=None):
    from vigie.warehouse import open_store
    setup = vigie(store_url, "sites", "add", SITE)
    if setup.returncode:
        raise SystemExit(f"{name}: sites add failed: {setup.stderr}")
    server_before = _cpu_seconds(server_pid) if server_pid else None
    started, cpu_before = time.monotonic(), _children_cpu()
    code, stdout, stderr, (on_cpu, waiting), load = run_import(store_url, log_path, jobs)
    elapsed, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    if code:
        raise SystemExit(f"{name}: import failed ({code}): {stderr[-2000:]}")
    store = open_store(store_url)
    try:
        stored = store.query_value("SELECT count() FROM events WHERE site = %(s)s", {"s": SITE})
    finally:
        store.close()
    status = "OK" if stored == expected else f"MISMATCH (expected {expected})"
    print(f"{name:10s} {lines:,} lines in {elapsed:.1f}s = {lines / elapsed:,.0f} lines/s "
          f"(whole CLI run, process start included); {stored:,} rows stored: {status}")
    print(f"           CPU time of the import (all its processes and threads): {cpu:.1f}s = "
          f"{lines / cpu:,.0f} lines per CPU-second")
    blocked = max(elapsed - on_cpu - waiting, 0.0)
    if jobs == 1:
        print(f"           where the main thread's {elapsed:.1f}s went: {on_cpu:.1f}s on a CPU, "
              f"{waiting:.1f}s runnable but waiting for a free core (load average {load:.1f} on "
              f"{os.cpu_count()} cores during the run), {blocked:.1f}s blocked (ClickHouse, "
              "disk, the insert thread holding the GIL)")
    else:
        print(f"           the reading process was on a CPU {on_cpu:.1f}s of {elapsed:.1f}s; "
              f"load average {load:.1f} on {os.cpu_count()} cores during the run")
    if server_before is not None:
        server_cpu = _cpu_seconds(server_pid) - server_before
        print(f"           clickhouse-server CPU during the import: {server_cpu:.1f}s")
    print("           " + stdout.strip().replace("\n", "\n           "))
    return stored == expected, (lines / elapsed, lines / cpu, lines / max(on_cpu + blocked, 1e-6))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300_000, help="log lines to generate (default 300000)")
    parser.add_argument("--backends", default="clickhouse,chdb",
                        help="comma-separated: clickhouse (server) and/or chdb (default both)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="--jobs of the parallel server import (default: the CLI's own)")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        log_path = os.path.join(tmp, "access.log")
        expected = generate(log_path, args.lines)
        print(f"generated {args.lines:,} lines ({os.path.getsize(log_path) / 1e6:.1f} MB), "
              f"{expected:,} of them pageviews")
        ok, rates = True, {}
        if "clickhouse" in backends:
            from tests.clickhouse_server import ClickHouseServer
            with ClickHouseServer() as server:
                base = f"clickhouse://default@127.0.0.1:{server.tcp_port}"
                # Baseline in the same run: the same log through one process.
                good, one = run("server, 1 process", f"{base}/bench_one", log_path, args.lines,
                                expected, server_pid=server.process.pid, jobs=1)
                ok &= good
                good, rates["clickhouse"] = run(
                    f"server, {args.jobs or 'default'} jobs", f"{base}/bench", log_path,
                    args.lines, expected, server_pid=server.process.pid, jobs=args.jobs)
                ok &= good
                print(f"parallel import vs one process: {rates['clickhouse'][0] / one[0]:.2f}x "
                      f"lines/s wall clock, {rates['clickhouse'][1] / one[1]:.2f}x lines per "
                      "CPU-second")
        if "chdb" in backends:
            good, rates["chdb"] = run("chdb", f"chdb://{tmp}/chdb", log_path, args.lines, expected,
                                      jobs=1)
            ok &= good
        if "clickhouse" in rates:
            wall = rates["clickhouse"][0]
            print(f"target 20,000 lines/s into the server: {wall / 20_000:.2f}x wall clock "
                  f"({wall:,.0f} lines/s)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
