"""The composition root: builds the one server that carries collector and dashboard."""
import atexit
import logging
import threading

from flask import Flask, jsonify

from vigie.scheduler import Scheduler
from vigie.logins import CachedSignerSessionInterface
from vigie.settings import load_settings
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate

log = logging.getLogger(__name__)


class VigieContext:
    """What the parts of a running server share; stored as app.extensions['vigie']."""

    def __init__(self, settings, store, collector, scheduler, owns_store):
        self.settings = settings
        self.store = store
        self.collector = collector
        self.scheduler = scheduler
        self._owns_store = owns_store
        self._closed = False
        self._lock = threading.Lock()

    def close(self):
        """Flush buffered events and stop background work; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.scheduler.stop()
        self.collector.close()
        if self._owns_store:
            self.store.close()


def create_app(settings=None, store=None, start_background=True):
    """Build the Vigie WSGI app: collector at /api and /js, dashboard at /.

    settings: a Settings (default: read from the environment).
    store: an open Store to use (default: opened from settings.store_url).
    start_background: start the write buffer's flusher and the scheduler.
    """
    from vigie.collector import Collector, create_collector_blueprint
    from vigie.collector.event_endpoint import EventFastPath
    from vigie.dashboard import init_dashboard

    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    owns_store = store is None
    if store is None:
        store = open_store(settings.store_url)
    migrate(store)

    app = Flask("vigie")
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = None  # the collector enforces its own cap with a JSON 413
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = settings.cookie_secure
    app.session_interface = CachedSignerSessionInterface()  # hot path: no signer per request

    scheduler = Scheduler()
    collector = Collector(store, settings, scheduler=scheduler)
    collector_routes = create_collector_blueprint(collector, settings)
    app.register_blueprint(collector_routes)
    # The tracker's POST /api/event is answered before Flask builds a request
    # context: that context cost as much CPU as the whole pipeline.
    app.wsgi_app = EventFastPath(app.wsgi_app, collector_routes.event_endpoint)
    # Server-side API (API keys): POST /api/v1/events.
    from vigie.collector.server_api import create_server_api_blueprint
    app.register_blueprint(create_server_api_blueprint(collector, store, settings))
    # Client data API (churn): POST /api/v1/customers and /api/v1/transactions.
    from vigie.alerts.client_data.api import create_client_data_blueprint
    app.register_blueprint(create_client_data_blueprint(store))
    context = VigieContext(settings, store, collector, scheduler, owns_store)
    app.extensions["vigie"] = context

    # Spool figures in /healthz and Prometheus metrics (collector/ops.py).
    from vigie.collector.ops import create_ops_blueprint, health_report
    app.register_blueprint(create_ops_blueprint(collector, settings))

    @app.get("/healthz")
    def healthz():
        body, status = health_report(store, collector, settings)
        return jsonify(body), status

    init_dashboard(app, store, settings)

    # Analytics batch jobs (sessions, rollups) on the shared scheduler.
    from vigie.background_jobs import schedule_jobs
    schedule_jobs(scheduler, store, settings)
    # Stats API: API keys, or the dashboard's signed-in account.
    from vigie.analytics.stats_api import create_stats_blueprint
    from vigie.dashboard.auth import signed_in_user
    app.register_blueprint(create_stats_blueprint(store, settings, lambda: signed_in_user(store)))
    # Saved segments a key or account may apply (docs/segments.md).
    from vigie.analytics.segments_api import create_segments_blueprint
    app.register_blueprint(create_segments_blueprint(store, lambda: signed_in_user(store)))
    # Customer-value summaries of the retention pages, computed ahead of the first visit.
    from vigie.value_summaries import schedule_value_summaries
    schedule_value_summaries(scheduler, store, settings)

    # Weekly and monthly email reports, each sent once per period and subscription.
    from vigie.email_reports import schedule_email_reports
    schedule_email_reports(scheduler, store, settings)

    # Churn alerts: every site's rules on a schedule. Registered last so that,
    # when a scoring job is due in the same tick, the alerts see its scores.
    from vigie.alerts.engine import run_all_sites
    from vigie.audiences import matrix_audiences
    audiences = matrix_audiences(settings)
    scheduler.every(settings.alert_interval_minutes * 60, "churn alerts",
                    lambda: run_all_sites(store, settings, audiences=audiences))

    if start_background:
        collector.start()
        scheduler.start()
        atexit.register(context.close)
    return app
