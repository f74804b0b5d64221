"""The dashboard: login, and a Dash multi-page app mounted on Vigie's Flask server.

Pages live in dashboard/pages (one module each, `dash.register_page`). They
read the store and settings from `flask.current_app.extensions["vigie"]` at
request time and get their numbers from `analytics` query functions only.
"""
import os
import threading
from dataclasses import dataclass

import dash

from vigie.dashboard.auth import create_auth_blueprint, guard_dash_routes
from vigie.dashboard.shell import register_navigation, shell_layout
from vigie.dashboard.unsubscribe import create_unsubscribe_blueprint

__all__ = ["init_dashboard"]

_HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class DashboardContext:
    """What pages need when the server was not built by vigie.app (which provides more)."""
    store: object
    settings: object


def _drop_unclaimed_page_callbacks():
    """Forget page callbacks queued by an earlier Dash app that never served a request.

    `@dash.callback` queues callbacks in a process-wide list that the next app
    to serve a request claims. Building the app imports the pages afresh and
    queues them again, so leftovers from an unserved app (a CLI command, a
    test) would be claimed twice. Dash (4.4) offers no public call for this,
    and no supported way around it:
    - `app.callback` registers on one app, but a page Dash imports has no app
      object; `dash.get_app()`, the documented way to reach it, returns the
      app of the last request this thread served once any app has served
      one (its context variable is set in the caller's context and never
      reset), so a second app's pages would register on the first app;
    - one app per process needs no clearing, and `vigie serve` builds one
      per worker process (`vigie demo` loads its traffic in a process of its
      own), but the tests build one app per test, each on its own store
      (tests/conftest.py `app`); building one per test worker instead belongs
      to the rework of those fixtures.
    tests/dashboard/test_mounting.py checks that every app gets each callback once.
    """
    from dash import _callback
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()


def _serialize_first_request_setup(server):
    """Run Dash's first-request hooks once, in one thread, before any request goes on.

    Dash (4.4) sets the app up in `before_request` hooks guarded by a plain
    flag: `_setup_server` walks the callback map while the pages router,
    another hook, adds its routing callback to that map. Two first requests
    served at once (a page loading vigie.js and vitals.js together) raced
    there and one got a 500 ("dictionary changed size during iteration").
    This hook goes first: the first request runs Dash's hooks under a lock,
    the others wait for it; after that Dash's own flags make its hooks no-ops.
    """
    hooks = [hook for hook in server.before_request_funcs.get(None, [])
             if getattr(hook, "__qualname__", "").startswith("Dash.")]
    lock = threading.Lock()
    done = threading.Event()

    def first_request_setup():
        if done.is_set():
            return None
        with lock:
            if not done.is_set():
                for hook in hooks:
                    hook()
                done.set()
        return None

    server.before_request_funcs.setdefault(None, []).insert(0, first_request_setup)


def init_dashboard(server, store, settings):
    """Mount login and the Dash app on `server`; returns the dash.Dash instance."""
    server.extensions.setdefault("vigie", DashboardContext(store, settings))
    _drop_unclaimed_page_callbacks()
    app = dash.Dash(
        # Dash names the page modules it loads after this package
        # (vigie.dashboard.pages.overview, ...): the name they are imported by.
        __name__,
        server=server,
        url_base_pathname="/",
        use_pages=True,
        pages_folder=os.path.join(_HERE, "pages"),
        assets_folder=os.path.join(_HERE, "assets"),
        title="Vigie",
        update_title=None,
        # Page callbacks name components that exist only once their page is
        # shown; this also stops Dash from rendering every page at start-up.
        suppress_callback_exceptions=True,
    )
    app.layout = shell_layout
    register_navigation(app)
    _serialize_first_request_setup(server)
    server.register_blueprint(create_auth_blueprint(store, app.get_asset_url("vigie.css")))
    server.register_blueprint(create_unsubscribe_blueprint(store, app.get_asset_url("vigie.css")))
    guard_dash_routes(server, app, store)
    return app
