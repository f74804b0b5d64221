"""Requests that arrive together on a fresh server are all served.

Dash sets itself up during the first request, in two hooks: the server
set-up walks the callback map while the page router adds its callback to it.
Two first requests at once once ran them side by side, and a script download
got a 500 ("dictionary changed size during iteration").
"""
import threading

import dash._validate

from tests.dashboard.test_mounting import _bare_server
from vigie.dashboard import init_dashboard

REQUESTS = 4


def test_first_requests_served_together_all_succeed(store, settings, monkeypatch):
    server = _bare_server(settings)
    init_dashboard(server, store, settings)
    steps = []
    validate_layout = dash._validate.validate_layout
    validate_background = dash._validate.validate_background_callbacks
    check_pathnames = dash._validate.check_for_duplicate_pathnames

    def set_up_starts(*args):
        steps.append("set-up starts")
        threading.Event().wait(0.3)  # long enough for the other requests to arrive
        return validate_layout(*args)

    def set_up_ends(*args):
        result = validate_background(*args)
        steps.append("set-up ends")
        return result

    def router_added(*args):
        steps.append("router added")
        return check_pathnames(*args)

    monkeypatch.setattr(dash._validate, "validate_layout", set_up_starts)
    monkeypatch.setattr(dash._validate, "validate_background_callbacks", set_up_ends)
    monkeypatch.setattr(dash._validate, "check_for_duplicate_pathnames", router_added)
    start = threading.Barrier(REQUESTS, timeout=10)
    statuses = []

    def fetch():
        client = server.test_client()
        start.wait()
        statuses.append(client.get("/healthz").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert statuses == [200] * REQUESTS
    # Once, and one after the other: nothing changes the map while it is walked.
    assert steps == ["set-up starts", "set-up ends", "router added"]
