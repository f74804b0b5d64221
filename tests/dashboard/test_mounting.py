"""init_dashboard on a bare Flask server, and more than one app in a process."""
from flask import Flask, jsonify

from vigie.dashboard import init_dashboard
from tests.dashboard.conftest import login


def _bare_server(settings):
    server = Flask("bare")
    server.config.update(SECRET_KEY=settings.secret_key, TESTING=True)

    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return server


def test_mounts_on_a_bare_flask_server(store, settings, account):
    server = _bare_server(settings)
    dash_app = init_dashboard(server, store, settings)
    assert dash_app.server is server
    assert server.extensions["vigie"].store is store
    client = server.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 302
    assert login(client).status_code == 302
    assert client.get("/").status_code == 200


def _overview_callbacks(client):
    dependencies = client.get("/_dash-dependencies").get_json()
    return [d["output"] for d in dependencies if "overview" in d["output"]]


def test_each_app_gets_the_page_callbacks_once(store, settings, account):
    # The first app never serves a request (like a CLI command building the app).
    init_dashboard(_bare_server(settings), store, settings)
    server = _bare_server(settings)
    init_dashboard(server, store, settings)
    client = server.test_client()
    login(client)
    outputs = _overview_callbacks(client)
    assert sorted(outputs) == sorted(set(outputs))
    assert "overview-url.search" in outputs
    # A third app after one has served still gets its own copy.
    third = _bare_server(settings)
    init_dashboard(third, store, settings)
    third_client = third.test_client()
    login(third_client)
    assert sorted(_overview_callbacks(third_client)) == sorted(outputs)
