"""The whole server answers POST /api/event outside Flask, exactly as the blueprint's route does."""
import json

import pytest
from flask import Flask

from vigie.collector import create_collector_blueprint
from tests.collector.conftest import CHROME, post_event
from vigie.warehouse.sites import add_site

PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

CASES = [
    ("accepted", PAGE, CHROME),
    ("bad json", b"{not json", CHROME),
    ("unknown site", dict(PAGE, domain="nope.test"), CHROME),
    ("too large", b"x" * 9000, CHROME),
    ("bot", PAGE, BOT),
    ("customer_id ignored", dict(PAGE, customer_id="c-1"), CHROME),
]


@pytest.fixture
def whole_app(settings, store):
    from vigie.app import create_app
    add_site(store, "shop.test")
    app = create_app(settings.replace(buffer_max_seconds=3600), store=store, start_background=False)
    yield app
    app.extensions["vigie"].close()


def answer(client, body, ua):
    response = post_event(client, body, ua=ua)
    return response.status_code, dict(response.headers), response.get_data()


@pytest.mark.parametrize("label, body, ua", CASES, ids=[c[0] for c in CASES])
def test_the_fast_path_answers_like_the_flask_route(whole_app, collector, settings, label, body, ua):
    routed = Flask("blueprint-only")
    routed.register_blueprint(create_collector_blueprint(collector, settings))
    fast = answer(whole_app.test_client(), body, ua)
    assert fast == answer(routed.test_client(), body, ua)
    assert fast[1]["Access-Control-Allow-Origin"] == "*"
    assert fast[1]["Content-Type"] == "application/json"
    assert json.loads(fast[2])  # every answer is JSON the tracker can read


def test_the_fast_path_skips_the_apps_hooks_and_keeps_the_rest(whole_app):
    hooked = []
    whole_app.before_request(lambda: hooked.append(True))
    client = whole_app.test_client()
    assert post_event(client, PAGE).status_code == 202
    assert hooked == []  # the request never entered Flask
    assert whole_app.extensions["vigie"].collector.counts() == {"accepted": 1}
    assert client.options("/api/event").status_code == 204  # other methods are Flask's
    wrong = client.get("/api/event")
    assert wrong.status_code == 405 and wrong.get_json()["reason"] == "method_not_allowed"
    assert hooked  # and they do go through the app's hooks
