"""How fast is enrichment? Events per second through parse, validate and enrich.

Runs the real pipeline steps in memory (no store: the site directory is a
dict) over generated traffic with a realistic share of repeated user agents,
referrers and addresses, once with cold caches and then warm, and prints the
figures and the warm/cold ratio. Bounded by --events and --seconds.

    .venv/bin/python bench/enrich.py --events 50000
"""
import argparse
import datetime
import random
import sys
import time

from vigie.collector import bots, enrichment, geo, sources
from vigie.collector.pipeline import ClientInfo, Incoming, enrich, parse, validate
from vigie.warehouse.sites import Site

UTC = datetime.timezone.utc
SITE = Site("shop.example", "UTC", datetime.datetime(2026, 1, 1, tzinfo=UTC))
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel {v}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.{v}; +http://www.google.com/bot.html)",
    "curl/8.{v}.0",
]
REFERRERS = ["", "", "https://www.google.com/", "https://www.bing.com/search?q=beans+{v}",
             "https://l.facebook.com/", "https://blog{v}.example.org/post", "https://semalt.com/"]
LANDINGS = ["https://shop.example/", "https://shop.example/p/{v}?utm_source=fb&utm_medium=cpc",
            "https://shop.example/?gclid=abc{v}", "https://shop.example/blog/{v}"]


class Directory:
    def find_site(self, domain):
        return SITE if domain == SITE.domain else None


def traffic(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        v = rng.randint(1, 300)  # a few hundred distinct strings of each kind, as on a real site
        body = {"name": "pageview", "domain": "shop.example",
                "url": rng.choice(LANDINGS).format(v=v),
                "referrer": rng.choice(REFERRERS).format(v=v), "screen_width": rng.choice([390, 1280, 1920])}
        client = ClientInfo(f"81.2.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                            rng.choice(BROWSERS).format(v=v % 30 + 100), "fr-FR,fr;q=0.9")
        yield body, client


def clear_caches():
    for cached in (enrichment.describe_user_agent, bots.bot_reason, bots.is_referrer_spam,
                   sources.source_for_host, sources.source_for_utm, geo.country):
        cached.cache_clear()


def run(events, deadline):
    ctx, when = Directory(), datetime.datetime.now(UTC)
    done = kept = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for body, client in events:
        event = Incoming(body=dict(body), client=client, received_at=when)
        for step in (parse, validate, enrich):
            event = step(event, ctx)
            if not isinstance(event, Incoming):
                break
        else:
            kept += 1
        done += 1
        if done % 1000 == 0 and time.perf_counter() > deadline:
            break
    return done, kept, time.perf_counter() - started, time.process_time() - cpu_started


def main(argv=None):
    parser = argparse.ArgumentParser(description="Measure enrichment throughput (events/s), cold and warm caches.")
    parser.add_argument("--events", type=int, default=50_000, help="events per run (default 50000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop each run after this long (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated traffic")
    args = parser.parse_args(argv)
    if args.events <= 0 or args.seconds <= 0:
        parser.error("--events and --seconds must be positive")
    events = list(traffic(args.events, args.seed))
    clear_caches()
    bots._crawler_regex()  # compiling the crawler list is a one-off start-up cost
    figures = {}
    for label in ("cold", "warm"):
        done, kept, elapsed, cpu = run(events, time.perf_counter() + args.seconds)
        # CPU time is the steadier figure on a shared machine; wall time is what a sender sees.
        figures[label] = done / cpu
        print(f"{label:>4}: {done} events ({kept} kept, {done - kept} dropped) in {elapsed:.2f}s wall, "
              f"{cpu:.2f}s CPU = {done / cpu:,.0f} events per CPU second "
              f"({done / elapsed:,.0f}/s wall)")
    info = enrichment.describe_user_agent.cache_info()
    print(f"user-agent cache: {info.currsize} entries, {info.hits} hits, {info.misses} misses")
    print(f"warm/cold ratio: {figures['warm'] / figures['cold']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
