"""POST /api/v1/events on both backends: keys, explicit timestamps, partial failures."""
import datetime
import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

from vigie.collector.identity import visitor_id
from vigie.warehouse.api_keys import create_api_key, revoke_api_key
from vigie.warehouse.salts import salt_for_day
from vigie.warehouse.sites import add_site

UTC = datetime.timezone.utc
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:118.0) Gecko/20100101 Firefox/118.0"


@pytest.fixture
def api(store, settings):
    """A Vigie app with the site shop.test and an API key for it: (client, token, app)."""
    from vigie.app import create_app
    add_site(store, "shop.test", identify_customers=True)  # the events carry customer ids
    add_site(store, "other.test")
    app = create_app(settings.replace(api_max_payload_bytes=20_000, backfill_max_days=30),
                     store=store, start_background=False)
    _, token = create_api_key(store, "shop.test", "tests")
    yield app.test_client(), token, app
    app.extensions["vigie"].close()


def post(client, body, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/v1/events", data=data, content_type="application/json",
                       headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.20"})


def ago(**delta):
    return (datetime.datetime.now(UTC) - datetime.timedelta(**delta)).replace(microsecond=0)


def rows(store, app):
    app.extensions["vigie"].collector.flush()
    return store.query_dicts(
        "SELECT ts, name, visitor_id, customer_id, hostname, pathname, referrer_host, browser, "
        "prop_keys, prop_values, revenue, currency, engaged_ms, screen_width FROM events "
        "ORDER BY ts, name")


def test_events_land_with_their_own_timestamps(api, store):
    client, token, app = api
    first, second = ago(days=3, hours=2), ago(days=1)
    body = {"events": [
        {"name": "pageview", "url": "https://shop.test/pricing", "referrer": "https://news.example/",
         "timestamp": first.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat(),
         "ip": "203.0.113.5", "user_agent": FIREFOX, "screen_width": 1440},
        {"name": "purchase", "url": "https://www.shop.test/checkout",
         "timestamp": second.strftime("%Y-%m-%dT%H:%M:%SZ"), "customer_id": "cust-7",
         "props": {"plan": "pro"}, "revenue": {"amount": 49.5, "currency": "eur"},
         "engaged_ms": 1200, "ip": "203.0.113.5", "user_agent": FIREFOX},
    ]}
    response = post(client, body, token)
    assert response.status_code == 200
    assert response.get_json() == {"accepted": 2, "rejected": []}
    stored = rows(store, app)
    assert [(r["ts"], r["name"]) for r in stored] == [(first, "pageview"), (second, "purchase")]
    assert stored[0]["visitor_id"] == visitor_id(
        salt_for_day(store, first.date(), create=False), "shop.test", "203.0.113.5", FIREFOX)
    assert (stored[0]["hostname"], stored[0]["pathname"], stored[0]["referrer_host"],
            stored[0]["browser"], stored[0]["screen_width"]) == \
        ("shop.test", "/pricing", "news.example", "Firefox", 1440)
    purchase = stored[1]
    assert (purchase["customer_id"], purchase["prop_keys"], purchase["prop_values"],
            purchase["revenue"], purchase["currency"], purchase["engaged_ms"]) == \
        ("cust-7", ["plan"], ["pro"], 49.5, "EUR", 1200)
    # The visitor's address and user agent are hashed, never stored.
    dump = json.dumps(store.query("SELECT * FROM events"), default=str)
    assert "203.0.113.5" not in dump and "Firefox/118.0" not in dump


def test_events_without_ip_and_user_agent_share_one_visitor_per_caller(api, store):
    client, token, app = api
    when = ago(hours=5)
    events = [{"name": "signup", "url": "https://shop.test/", "timestamp": when.isoformat()},
              {"name": "upgrade", "url": "https://shop.test/", "timestamp": when.isoformat()}]
    assert post(client, {"events": events}, token).get_json() == {"accepted": 2, "rejected": []}
    stored = rows(store, app)
    assert len({r["visitor_id"] for r in stored}) == 1
    assert stored[0]["visitor_id"] == visitor_id(
        salt_for_day(store, when.date(), create=False), "shop.test", "198.51.100.20",
        f"vigie-api {token.split('_')[1]}")


def test_valid_events_are_kept_when_others_fail(api, store):
    client, token, app = api
    good = {"name": "pageview", "url": "https://shop.test/a", "timestamp": ago(hours=1).isoformat()}
    body = {"events": [
        good,
        "not an object",
        dict(good, url="https://evil.example/a"),
        dict(good, timestamp=ago(days=31).isoformat()),
        dict(good, timestamp=ago(minutes=-10).isoformat()),
        dict(good, timestamp="2024-03-10 09:00:00"),
        dict(good, timestamp="yesterday"),
        {"name": "pageview", "url": "https://shop.test/b"},
        dict(good, screen_width="wide"),
        dict(good, ip="999.1.1.1"),
        dict(good, user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        dict(good, domain="other.test"),
        dict(good, url="https://shop.test/c", domain="WWW.Shop.Test"),
        dict(good, timestamp="0001-01-01T00:00:00+01:00"),
        dict(good, timestamp=1710000000),
    ]}
    response = post(client, body, token)
    assert response.status_code == 207
    answer = response.get_json()
    assert answer["accepted"] == 2
    assert [(r["index"], r["reason"]) for r in answer["rejected"]] == [
        (1, "bad_request"), (2, "foreign_hostname"), (3, "timestamp_too_old"),
        (4, "timestamp_in_future"), (5, "bad_request"), (6, "bad_request"), (7, "bad_request"),
        (8, "bad_request"), (9, "bad_request"), (10, "bot_pattern"), (11, "foreign_site"),
        (13, "bad_request"), (14, "bad_request")]
    errors = {r["index"]: r["error"] for r in answer["rejected"]}
    assert errors[1] == "event must be a JSON object, got str"
    assert errors[2] == "page host 'evil.example' does not belong to site 'shop.test'"
    assert "more than 30 days old" in errors[3]
    assert "more than 5 minutes in the future" in errors[4]
    assert "has no UTC offset" in errors[5]
    assert "is not an ISO 8601 date and time" in errors[6]
    assert errors[7].startswith("'timestamp' is required")
    assert errors[8] == "'screen_width' must be an integer, got str"
    assert errors[9] == "'ip' '999.1.1.1' is not an IPv4 or IPv6 address"
    assert "not the API key's site 'shop.test'" in errors[11]
    assert errors[13] == "'timestamp' '0001-01-01T00:00:00+01:00' is out of range"
    assert errors[14] == "'timestamp' must be an ISO 8601 string, got int"
    assert sorted(r["pathname"] for r in rows(store, app)) == ["/a", "/c"]


def test_the_key_decides_the_site(api, store):
    client, token, app = api
    page = {"name": "pageview", "url": "https://other.test/", "timestamp": ago(hours=1).isoformat()}
    answer = post(client, {"events": [page]}, token).get_json()
    assert answer["rejected"][0]["reason"] == "foreign_hostname"
    assert rows(store, app) == []


@pytest.mark.parametrize("headers, message", [
    ({}, "an API key is required"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "must read 'Bearer <key>'"),
    ({"Authorization": "Bearer vk_nothing"}, "unknown or revoked"),
    ({"Authorization": "Bearer vk_0123456789ab_" + "0" * 64}, "unknown or revoked"),
])
def test_missing_or_bad_keys_get_401(api, store, headers, message):
    client, _, app = api
    event = {"name": "pageview", "url": "https://shop.test/", "timestamp": ago(hours=1).isoformat()}
    response = post(client, {"events": [event]}, **headers)
    assert response.status_code == 401
    assert message in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert rows(store, app) == []


def test_a_wrong_secret_or_a_revoked_key_is_refused(api, store):
    client, token, app = api
    event = {"name": "pageview", "url": "https://shop.test/", "timestamp": ago(hours=1).isoformat()}
    wrong = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    assert post(client, {"events": [event]}, wrong).status_code == 401
    revoke_api_key(store, token.split("_")[1])
    assert post(client, {"events": [event]}, token).status_code == 401
    assert rows(store, app) == []


@pytest.mark.parametrize("body, status, message", [
    (b"{not json", 400, "body is not valid JSON"),
    (b"\xff\xfe", 400, "body is not UTF-8 text"),
    (b"", 400, "body is empty"),
    (b"[]", 400, "must be a JSON object"),
    (b'{"event": []}', 400, "'events' is required"),
    (b'{"events": {"name": "x"}}', 400, "'events' must be a list, got dict"),
    (b'{"events": []}', 400, "'events' is empty"),
    (json.dumps({"events": [{}] * 1001}).encode(), 400, "'events' has 1001 items; at most 1000"),
    (b'{"events": ["' + b"x" * 20_000 + b'"]}', 413, "exceeds the 20000-byte limit"),
])
def test_malformed_bodies_are_refused_whole(api, store, body, status, message):
    client, token, app = api
    response = post(client, body, token)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert rows(store, app) == []


def test_a_chunked_oversized_body_is_cut_off_over_real_http(api, store):
    client, token, app = api
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        chunks = [b'{"events": ["'] + [b"x" * 1000] * 30 + [b'"]}']
        conn.request("POST", "/api/v1/events", body=iter(chunks), encode_chunked=True,
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["reason"] == "too_large"
    finally:
        conn.close()
        server.shutdown()
        thread.join(5)
    assert rows(store, app) == []


def test_other_methods_get_a_json_405(api):
    client, token, _ = api
    response = client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response.get_json()["reason"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


def test_an_unreachable_store_gets_a_json_503_not_a_500(store, settings):
    """The key cannot be checked: the caller is told to retry, nothing is half-done."""
    from flask import Flask

    from vigie.collector import Collector
    from vigie.collector.server_api import create_server_api_blueprint
    from tests.clickhouse_server import free_port
    from vigie.warehouse import open_store
    add_site(store, "shop.test")
    _, token = create_api_key(store, "shop.test")
    unreachable = open_store(f"clickhouse://default@127.0.0.1:{free_port()}/gone")
    collector = Collector(store, settings)
    app = Flask("server-api-test")
    app.register_blueprint(create_server_api_blueprint(collector, unreachable, settings))
    event = {"name": "pageview", "url": "https://shop.test/", "timestamp": ago(hours=1).isoformat()}
    response = post(app.test_client(), {"events": [event]}, token)
    assert response.status_code == 503
    assert response.get_json()["reason"] == "store_unavailable"
    assert collector.close() == 0
    assert store.query_value("SELECT count() FROM events") == 0


def test_a_retried_event_id_is_stored_once(api, store, settings):
    """The client timed out and sent again: same id, one event, in whichever worker it lands."""
    from vigie.collector import Collector
    client, token, app = api
    when = ago(hours=2).isoformat()
    first = {"name": "pageview", "url": "https://shop.test/a", "timestamp": when,
             "event_id": "order-42-view"}
    other = dict(first, url="https://shop.test/b", event_id="order-43-view")
    assert post(client, {"events": [first]}, token).status_code == 200
    # The retry, twice in one batch, before the first copy was written.
    answer = post(client, {"events": [first, first, other]}, token)
    assert answer.get_json() == {"accepted": 3, "rejected": []}
    assert [r["pathname"] for r in rows(store, app)] == ["/a", "/b"]
    # Later, through another worker sharing the spool: already stored, not written again.
    worker = Collector(store, settings)
    from vigie.collector.batch import ingest_batch
    from vigie.collector.pipeline import ClientInfo
    ingest_batch(worker, "shop.test", [first], ClientInfo("198.51.100.20", "vigie-api"), 30)
    assert worker.flush() == 0 and worker.close() == 0
    assert worker.metrics_snapshot()["counters"]["duplicates_skipped"] == 1
    assert store.query_value("SELECT count() FROM events") == 2
    # The same key from another site is another event.
    stored = store.query_value("SELECT toString(event_id) FROM events WHERE pathname = '/a'")
    from vigie.collector.event_id_generator import derived_event_id
    assert stored == str(derived_event_id("api", "shop.test", "order-42-view"))
    assert stored != str(derived_event_id("api", "other.test", "order-42-view"))


@pytest.mark.parametrize("event_id, message", [(42, "'event_id' must be a string"),
                                               ("", "1 to 128 printable"),
                                               ("x" * 129, "1 to 128 printable"),
                                               ("a\nb", "1 to 128 printable")])
def test_a_bad_event_id_rejects_only_its_event(api, store, event_id, message):
    client, token, app = api
    base = {"name": "pageview", "url": "https://shop.test/", "timestamp": ago(hours=1).isoformat()}
    answer = post(client, {"events": [dict(base, event_id=event_id), base]}, token)
    assert answer.status_code == 207
    [rejected] = answer.get_json()["rejected"]
    assert rejected["index"] == 0 and message in rejected["error"]
    assert len(rows(store, app)) == 1
