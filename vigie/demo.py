"""`vigie demo`: a populated Vigie on the embedded store in one command.

Loading runs in a spawned child process so the serving process has never
opened the embedded store before gunicorn forks its worker (chdb state does
not survive a fork). The traffic goes through the collector's own ingestion
pipeline (Collector.ingest with the event's past receive time), exactly as
tracker events posted to /api/event would, enrichment and identity included.
Goals, client data, the churn model, scores and alerts follow (vigie.demo_churn).
"""
import logging
import multiprocessing
import queue
import secrets
import sys
import time

from vigie.demo_churn import DemoDataError
from vigie.settings import SettingsError, load_settings
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError
from vigie.warehouse.users import UserError

DEMO_SITE = "demo.vigie.test"
DEMO_TIMEZONE = "Europe/Paris"
DEMO_ADMIN = "admin@vigie.test"
# Generating a month of traffic for thousands of visitors takes well under a
# minute; this only stops a wedged loader from hanging the command forever.
LOAD_TIMEOUT_SECONDS = 3600
# The churn model needs at least 30 clients active in each of its two past
# windows, with churned and retained ones among them: the demo always has
# this many, however few visitors it is asked for.
MIN_CLIENTS = 300
VISITORS_PER_CLIENT = 6
EXPECTED_ERRORS = (SettingsError, SiteError, UserError, StoreError, OSError, DemoDataError)


class DemoError(RuntimeError):
    """Loading the demo failed for a reason the user can act on."""


def _plain_settings(settings):
    return {k: v for k, v in settings.as_dict().items() if not k.startswith("_")}


class Progress:
    """Percent done and events per second on stderr.

    On a terminal one line is rewritten in place; in a log (CI, a pipe) a
    line is printed every tenth, so the log stays readable.
    """

    def __init__(self, total, out):
        self.total, self.out = total, out
        self.live = hasattr(out, "isatty") and out.isatty()
        self.every = max(total // (100 if self.live else 10), 1)
        self.started = time.monotonic()

    def update(self, done):
        if done % self.every and done != self.total:
            return
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = (f"demo traffic: {done * 100 // max(self.total, 1):3d}% "
                f"({done:,}/{self.total:,} events, {rate:,.0f} events/s)")
        if self.live:
            print("\r" + line, end="", file=self.out, flush=True)
        else:
            print(line, file=self.out, flush=True)

    def finish(self):
        if self.live:
            print(file=self.out, flush=True)


def send_traffic(collector, traffic, progress):
    """Ingest (time, payload, client) triples; returns (accepted, {drop reason: count})."""
    from vigie.collector import ClientInfo

    accepted, dropped = 0, {}
    for done, (when, payload, client) in enumerate(traffic, 1):
        result = collector.ingest(
            payload, ClientInfo(client.ip, client.user_agent, client.accept_language),
            received_at=when)
        if result.accepted:
            accepted += 1
        else:
            dropped[result.reason] = dropped.get(result.reason, 0) + 1
        progress.update(done)
    progress.finish()
    return accepted, dropped


def client_count(visitors):
    """Clients of the demo shop: about one per six visitors, never fewer than MIN_CLIENTS."""
    return max(MIN_CLIENTS, visitors // VISITORS_PER_CLIENT)


def load_demo(settings, days, visitors, seed, out=sys.stderr):
    """Schema, site, admin account, goals, clients, traffic, model, scores and alerts.

    Returns the admin password.
    """
    import datetime

    from vigie import demo_churn
    from vigie.app import create_app
    from vigie.demo_clients import generate_clients
    from vigie.demo_traffic import NO_RESULTS_EVENT, generate_traffic
    from vigie.warehouse import open_store
    from vigie.warehouse.events import count_site_events
    from vigie.warehouse.migrations import migrate
    from vigie.warehouse.sites import add_site
    from vigie.warehouse.report_subscriptions import account_subscriptions, add_subscription
    from vigie.warehouse.users import add_user

    store = open_store(settings.store_url)
    try:
        migrate(store, report=lambda line: print(line, file=out))
        # The demo traffic signs some visitors in: its customer ids are what
        # links visits to purchases, so the site opts in to them.
        # Its search results page sends an event when nothing matched (docs/site-search.md).
        site = add_site(store, DEMO_SITE, DEMO_TIMEZONE, identify_customers=True,
                        search_no_results_event=NO_RESULTS_EVENT)
        # A fresh password on every run: a demo store copied elsewhere does not
        # come with a known login.
        password = secrets.token_urlsafe(9)
        add_user(store, DEMO_ADMIN, password, is_admin=True)
        # The admin gets the weekly email report (Settings -> Email reports lists it); the demo
        # sets no report_mail_url, so nothing is sent (docs/email-reports.md).
        if not account_subscriptions(store, DEMO_ADMIN):
            add_subscription(store, DEMO_ADMIN, site.domain, "weekly", DEMO_ADMIN)
        already = count_site_events(store, site.domain)
        if already:
            print(f"demo traffic already loaded ({already:,} events); "
                  "remove the data directory to generate it again", file=out)
            return password

        now = datetime.datetime.now(datetime.timezone.utc)
        customers = generate_clients(client_count(visitors), seed, now)
        demo_churn.define_conversions(store, site.domain, out)
        demo_churn.import_clients(store, site.domain, customers, out)

        app = create_app(settings, store=store, start_background=False)
        context = app.extensions["vigie"]
        signed_in = [(c.customer_id, c.fading_web(now)) for c in customers if c.active_at(now)]
        traffic = list(generate_traffic(site.domain, days, visitors, seed, now=now,
                                        timezone=DEMO_TIMEZONE, customers=signed_in))
        try:
            accepted, dropped = send_traffic(context.collector, traffic, Progress(len(traffic), out))
        finally:
            context.close()
        print(f"demo traffic: {accepted:,} events accepted over {days} day{'s' if days != 1 else ''} from "
              f"{visitors:,} visitors" + (f"; not stored: {dropped}" if dropped else ""), file=out)
        demo_churn.run_jobs(store, settings, out)
        scored = demo_churn.train_and_score(store, settings, site.domain, out)
        mailbox = demo_churn.alerts_and_deliveries(store, settings, site.domain, scored, out)
        print(f"demo alerts are in the mail file {mailbox} (read it with any text viewer or "
              "`mail -f`)", file=out)
        return password
    finally:
        store.close()


def _load_in_child(plain_settings, days, visitors, seed, answer):
    # The demo prints its own progress; the server's info lines (one per alert
    # delivered, per model trained...) would drown it. Set before create_app,
    # whose logging set-up then leaves this one alone.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(environ={}, overrides=plain_settings)
        answer.put(("ok", load_demo(settings, days, visitors, seed)))
    except EXPECTED_ERRORS as exc:
        answer.put(("error", str(exc)))


def load_in_fresh_process(settings, days, visitors, seed):
    """Run load_demo in a spawned process; returns the admin password or raises DemoError."""
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    child = context.Process(target=_load_in_child, name="vigie-demo-loader",
                            args=(_plain_settings(settings), days, visitors, seed, answer))
    child.start()
    deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
    outcome = None
    try:
        while outcome is None and time.monotonic() < deadline:
            try:
                outcome = answer.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    break
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
            child.join(timeout=10)
    if outcome is None:
        raise DemoError(f"loading the demo did not finish (loader exit code {child.exitcode})")
    status, value = outcome
    if status == "error":
        raise DemoError(value)
    return value


def run_demo(settings, days=28, visitors=3000, seed=7, serve=True, out=sys.stdout):
    """Load the demo, then (serve=True) serve it until SIGTERM/SIGINT."""
    from vigie.server import serve as serve_forever, worker_count

    if serve:
        worker_count(settings)  # a server that would refuse to start: say so before loading
    password = load_in_fresh_process(settings, days, visitors, seed)
    url = f"http://{settings.host}:{settings.port}/"
    login = f"log in as {DEMO_ADMIN} with password {password}"
    if not serve:
        print(f"demo data ready in {settings.store_url}; {login}", file=out, flush=True)
        return password

    def announce():
        print(f"\nVigie demo is running at {url}\n{login}\n"
              f"site: {DEMO_SITE}   stop with Ctrl+C", file=out, flush=True)

    serve_forever(settings, on_ready=announce)
    return password
