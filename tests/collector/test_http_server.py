"""The collector behind a real HTTP server on 127.0.0.1: bodies that lie about
their size, proxies, and failures that must still answer JSON."""
import http.client
import io
import json
import logging
import threading

import pytest
from flask import Flask
from werkzeug.serving import make_server

from vigie.collector import STEPS, Collector, create_collector_blueprint
from vigie.collector.event_endpoint import BodyTooLarge, read_capped
from tests.collector.conftest import CHROME, post_event
from vigie.warehouse.sites import add_site

PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}


@pytest.fixture
def served(collector, settings):
    app = Flask("collector-http-test")
    app.register_blueprint(create_collector_blueprint(collector, settings))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def send(port, method, body=None, headers=None, chunked=False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, "/api/event", body=body, headers=headers or {},
                     encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_a_good_event_over_real_http(served, collector, store):
    status, headers, body = send(served, "POST", json.dumps(PAGE).encode(),
                                 {"Content-Type": "application/json", "User-Agent": CHROME})
    assert (status, json.loads(body)) == (202, {"accepted": 1})
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert collector.flush() == 1


def test_a_chunked_body_without_length_is_cut_at_the_cap(served, settings, store, collector):
    cap = settings.max_payload_bytes
    padding = json.dumps(dict(PAGE, props={"pad": "x" * 1500}))

    def chunks():
        for _ in range(cap // len(padding) + 2):
            yield padding.encode()
    status, _, body = send(served, "POST", chunks(),
                           {"Content-Type": "text/plain", "User-Agent": CHROME}, chunked=True)
    assert status == 413 and f"{cap}-byte limit" in json.loads(body)["error"]
    assert collector.flush() == 0


def test_a_chunked_body_under_the_cap_is_accepted(served, collector):
    status, _, body = send(served, "POST", iter([json.dumps(PAGE).encode()]),
                           {"Content-Type": "text/plain", "User-Agent": CHROME}, chunked=True)
    assert (status, json.loads(body)) == (202, {"accepted": 1})


class Trickle(io.RawIOBase):
    """A stream that hands out one byte per read, like a slow client."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        piece, self.data = self.data[:1], self.data[1:]
        return piece


def test_read_capped_counts_bytes_actually_read():
    assert read_capped(Trickle(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(BodyTooLarge, match="10-byte limit"):
        read_capped(Trickle(b"x" * 11), 10)
    assert read_capped(io.BytesIO(b""), 10) == b""


def test_forwarded_for_is_used_only_when_trusted(store, settings):
    add_site(store, "shop.test")

    def visitor_ids(trust):
        store.execute("TRUNCATE TABLE events")
        add_site(store, "shop.test", identify_customers=True)
        proxy_settings = settings.replace(trust_proxy_headers=trust)
        collector = Collector(store, proxy_settings)
        app = Flask("proxy-test")
        app.register_blueprint(create_collector_blueprint(collector, proxy_settings))
        client = app.test_client()
        # One person (first X-Forwarded-For entry) through two proxy addresses,
        # then another person through the first proxy.
        # customer_id only tags the rows so they can be read back in order.
        post_event(client, dict(PAGE, customer_id="1"), ip="10.0.0.1",
                   **{"X-Forwarded-For": "198.51.100.1, 10.0.0.9"})
        post_event(client, dict(PAGE, customer_id="2"), ip="10.0.0.2",
                   **{"X-Forwarded-For": "198.51.100.1"})
        post_event(client, dict(PAGE, customer_id="3"), ip="10.0.0.1",
                   **{"X-Forwarded-For": "198.51.100.2"})
        collector.close()
        rows = store.query("SELECT visitor_id FROM events ORDER BY customer_id")
        return [r[0] for r in rows]

    first, second, third = visitor_ids(True)
    assert first == second != third          # grouped by the client behind the proxy
    first, second, third = visitor_ids(False)
    assert first == third != second          # grouped by the proxy's own address


def test_store_failure_is_a_json_503_and_the_ip_is_not_logged(store, settings, caplog):
    collector = Collector(store, settings)  # empty site cache: the lookup must reach the store
    app = Flask("failure-test")
    app.register_blueprint(create_collector_blueprint(collector, settings))
    store.execute("RENAME TABLE sites TO sites_away")
    try:
        with caplog.at_level(logging.INFO):
            response = post_event(app.test_client(), PAGE, ip="198.51.100.99")
    finally:
        store.execute("RENAME TABLE sites_away TO sites")
    assert response.status_code == 503
    assert response.get_json() == {"error": "the event store is unavailable; retry later",
                                   "reason": "store_unavailable"}
    assert "shop.test" in caplog.text and "198.51.100.99" not in caplog.text
    assert collector.drop_counts() == {"store_unavailable": 1}


def test_an_unexpected_failure_is_logged_with_its_step_and_answered_json(store, settings, caplog):
    add_site(store, "shop.test")

    def explode(event, ctx):
        raise ZeroDivisionError("bad arithmetic")
    steps = STEPS[:3] + (("explode", explode),) + STEPS[3:]
    collector = Collector(store, settings, steps=steps)
    app = Flask("explode-test")
    app.register_blueprint(create_collector_blueprint(collector, settings))
    with caplog.at_level(logging.INFO):
        response = post_event(app.test_client(), PAGE, ip="198.51.100.42")
    assert response.status_code == 503 and response.get_json()["reason"] == "internal_error"
    assert "not stored" in response.get_json()["error"]
    assert "pipeline step 'explode' failed: bad arithmetic" in caplog.text
    assert "shop.test" in caplog.text and "198.51.100.42" not in caplog.text
    assert collector.buffered_count() == 0
