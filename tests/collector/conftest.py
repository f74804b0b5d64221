import pytest
from flask import Flask

from vigie.collector import Collector, create_collector_blueprint
from vigie.scheduler import Scheduler
from vigie.warehouse.sites import add_site

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/124.0.0.0 Safari/537.36")


@pytest.fixture
def collector(store, settings):
    add_site(store, "shop.test", "Europe/Paris")
    c = Collector(store, settings.replace(buffer_max_rows=1000, buffer_max_seconds=60),
                  scheduler=Scheduler())
    yield c
    c.close()


@pytest.fixture
def collector_client(collector, settings, tmp_path):
    tracker = tmp_path / "vigie.js"
    tracker.write_text("/* tracker */ window.vigie=1;")
    app = Flask("collector-test")
    app.register_blueprint(create_collector_blueprint(collector, settings, tracker_path=str(tracker)))
    client = app.test_client()
    client.tracker_path = tracker
    return client


def post_event(client, body, ua=CHROME, ip="203.0.113.7", **headers):
    import json
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/event", data=data, content_type="text/plain",
                       headers={"User-Agent": ua, **headers}, environ_base={"REMOTE_ADDR": ip})
