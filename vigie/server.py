"""Production serving with gunicorn (threaded workers).

The app is built inside each worker after the fork, so every worker has its
own store connections. With the embedded store exactly one worker runs, since
one process owns a chdb directory. On worker exit the write buffer is flushed:
SIGTERM never loses an accepted event.
"""
import gc
import os
from urllib.parse import urlsplit

from gunicorn.app.base import BaseApplication

from vigie.settings import SettingsError


def worker_count(settings, cpu_count=None):
    """How many worker processes `vigie serve` runs for these settings."""
    embedded = urlsplit(settings.store_url).scheme == "chdb"
    if embedded:
        if settings.workers > 1:
            raise SettingsError(
                f"workers={settings.workers}: the embedded store (chdb) is owned by one process; "
                "use workers=1 with threads, or a clickhouse:// store for several workers")
        return 1
    if settings.workers:
        workers = settings.workers
    else:
        workers = 2 * (cpu_count or os.cpu_count() or 1) + 1
    if workers > 1 and settings.secret_key_generated:
        raise SettingsError(
            "several workers need a shared secret_key to keep logins valid across them: "
            "set VIGIE_SECRET_KEY (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)")
    return workers


def _close_worker_app(worker):
    app = getattr(worker, "wsgi", None)
    context = getattr(app, "extensions", {}).get("vigie") if app is not None else None
    if context is not None:
        context.close()


class VigieServer(BaseApplication):
    def __init__(self, settings, app_factory=None, on_ready=None):
        self.settings = settings
        self.app_factory = app_factory
        self.on_ready = on_ready
        super().__init__()

    def load_config(self):
        s = self.settings
        options = {
            "bind": f"{s.host}:{s.port}",
            "workers": worker_count(s),
            "worker_class": "gthread",
            "threads": s.threads,
            "timeout": 60,
            "graceful_timeout": 20,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": s.log_level.lower(),
            # gunicorn's own lines may name a client address; this logger takes it out.
            "logger_class": "vigie.log_privacy.PrivateLogger",
            "worker_exit": lambda server, worker: _close_worker_app(worker),
        }
        if self.on_ready:
            options["when_ready"] = lambda server: self.on_ready()
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 25.1+ otherwise opens a runtime-control socket at one
            # path per user, shared (and fought over) by every Vigie on the host.
            options["control_socket_disable"] = True
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        if self.app_factory:
            app = self.app_factory(self.settings)
        else:
            from vigie.app import create_app
            app = create_app(self.settings)
        _freeze_startup_objects()
        return app


def _freeze_startup_objects():
    """Keep what the worker built at startup out of every later garbage collection.

    A Vigie worker holds some 175,000 objects (Flask, Dash, the warehouse...)
    that live as long as it does. The events a worker buffers survive into the
    oldest generation, and about every 15,000 of them Python runs a full
    collection over all those objects: a pause of 200-400 ms (measured on a
    loaded 2-core machine) with the GIL held, during which no request is
    answered: the collector's p99. Frozen, they are never scanned again;
    garbage made afterwards is collected as before.
    """
    gc.collect()
    gc.freeze()


def serve(settings, app_factory=None, on_ready=None):
    """Run until SIGTERM/SIGINT; blocks."""
    worker_count(settings)  # refuse bad combinations before forking anything
    VigieServer(settings, app_factory=app_factory, on_ready=on_ready).run()
