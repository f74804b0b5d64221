"""`vigie demo`: a populated Vigie on the embedded store in one command.

Loading runs in a spawned child process so the serving process has never
opened the embedded store before gunicorn forks its worker (chdb state does
not survive a fork). The traffic goes through the collector's own ingestion
pipeline (Collector.ingest), exactly as tracker events would.
"""
import multiprocessing
import secrets
import sys
import time

from vigie.settings import load_settings

DEMO_SITE = "demo.vigie.test"
DEMO_TIMEZONE = "Europe/Paris"
DEMO_ADMIN = "admin@vigie.test"


def _plain_settings(settings):
    return {k: v for k, v in settings.as_dict().items() if not k.startswith("_")}


def load_demo(settings, days, visitors, seed, progress=sys.stderr):
    """Schema, demo site, admin account and traffic. Returns the admin password."""
    from collector import ClientInfo
    from vigie.app import create_app
    from vigie.demo_traffic import generate_traffic
    from warehouse import open_store
    from warehouse.migrations import migrate
    from warehouse.sites import add_site
    from warehouse.users import add_user

    store = open_store(settings.store_url)
    try:
        migrate(store)
        site = add_site(store, DEMO_SITE, DEMO_TIMEZONE)
        password = secrets.token_urlsafe(9)
        add_user(store, DEMO_ADMIN, password, is_admin=True)
        already = store.query_value("SELECT count() FROM events WHERE site = %(s)s", {"s": site.domain})
        if already:
            print(f"demo traffic already loaded ({already:,} events); "
                  "remove the data directory to generate it again", file=progress)
            return password

        app = create_app(settings, store=store, start_background=False)
        collector = app.extensions["vigie"].collector
        traffic = list(generate_traffic(site.domain, days, visitors, seed, timezone=DEMO_TIMEZONE))
        started, accepted, dropped = time.monotonic(), 0, {}
        step = max(len(traffic) // 20, 1)
        for index, (when, payload, client) in enumerate(traffic, 1):
            result = collector.ingest(
                payload, ClientInfo(client.ip, client.user_agent, client.accept_language),
                received_at=when)
            if result.accepted:
                accepted += 1
            else:
                dropped[result.reason] = dropped.get(result.reason, 0) + 1
            if index % step == 0 or index == len(traffic):
                rate = index / max(time.monotonic() - started, 1e-6)
                print(f"\rdemo traffic: {index * 100 // len(traffic):3d}% "
                      f"({index:,}/{len(traffic):,} events, {rate:,.0f}/s)",
                      end="", file=progress, flush=True)
        app.extensions["vigie"].close()
        print(file=progress)
        print(f"demo traffic: {accepted:,} events accepted over {days} days from {visitors:,} visitors"
              + (f"; dropped {dropped}" if dropped else ""), file=progress)
        return password
    finally:
        store.close()


def _load_in_child(plain_settings, days, visitors, seed, answer):
    settings = load_settings(environ={}, overrides=plain_settings)
    answer.put(load_demo(settings, days, visitors, seed))


def run_demo(settings, days=28, visitors=3000, seed=7, serve=True, out=sys.stdout):
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    child = context.Process(target=_load_in_child,
                            args=(_plain_settings(settings), days, visitors, seed, answer))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"vigie: loading the demo failed (exit code {child.exitcode})")
    password = answer.get(timeout=10)

    url = f"http://{settings.host}:{settings.port}/"
    login = f"log in as {DEMO_ADMIN} with password {password}"
    if not serve:
        print(f"demo data ready in {settings.store_url}; {login}", file=out, flush=True)
        return password

    from vigie.server import serve as serve_forever

    def announce():
        print(f"\nVigie demo is running at {url}\n{login}\n"
              f"site: {DEMO_SITE}   stop with Ctrl+C", file=out, flush=True)

    serve_forever(settings, on_ready=announce)
    return password
