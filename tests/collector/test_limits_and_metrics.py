"""Rate limits (429 with Retry-After), /metrics for Prometheus, and the spool in /healthz."""
import datetime

import pytest
from flask import Flask

from vigie.collector import Collector, create_collector_blueprint
from vigie.warehouse.dropped_events import dropped_counts
from vigie.collector.limits import TokenBuckets
from tests.collector.conftest import post_event
from vigie.warehouse.sites import add_site

PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}


def rate_limited_in_store(store, site):
    """The site's `rate_limited` count in dropped_events, whatever UTC day the test ran on."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    counts = dropped_counts(store, site, today - datetime.timedelta(days=1), today)
    return sum(n for (_, reason), n in counts.items() if reason == "rate_limited")


def test_a_token_bucket_allows_its_burst_then_its_rate():
    buckets = TokenBuckets(rate=2, burst=3)
    assert [buckets.take("a", now=100.0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a", now=100.0) == pytest.approx(0.5)  # one token comes every 0.5 s
    assert buckets.take("b", now=100.0) == 0                      # another key, its own bucket
    assert buckets.take("a", now=100.5) == 0
    assert buckets.take("a", now=100.5) == pytest.approx(0.5)
    assert [buckets.take("a", now=200.0) for _ in range(4)][-1] > 0  # refilled to 3, not more


def test_a_token_bucket_forgets_keys_without_growing():
    buckets = TokenBuckets(rate=1, burst=1, max_keys=10)
    for n in range(25):
        buckets.take(f"ip-{n}", now=0.0)
    assert len(buckets._buckets) <= 10


def limited_client(store, settings, **limits):
    add_site(store, "shop.test")
    add_site(store, "blog.test")
    limited = settings.replace(**limits)
    collector = Collector(store, limited)
    app = Flask("limits-test")
    app.register_blueprint(create_collector_blueprint(collector, limited))
    return collector, app.test_client()


def test_an_address_over_its_limit_gets_429_naming_the_limit(store, settings):
    collector, client = limited_client(store, settings, rate_limit_per_ip=1, rate_limit_per_site=0)
    answers = [post_event(client, PAGE, ip="198.51.100.1").status_code for _ in range(11)]
    assert answers == [202] * 10 + [429]  # a burst of 10 seconds' worth, then refused
    refused = post_event(client, PAGE, ip="198.51.100.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert refused.get_json()["reason"] == "rate_limited_ip"
    assert "limit is 1 per second (rate_limit_per_ip)" in refused.get_json()["error"]
    assert post_event(client, PAGE, ip="198.51.100.2").status_code == 202  # another address
    assert collector.counts() == {"accepted": 11, "rate_limited_ip": 2}
    assert store.query_value("SELECT count() FROM dropped_events") == 0  # no insert per 429
    assert collector.close() == 0
    assert rate_limited_in_store(store, "shop.test") == 2  # the owner sees them, in one batch
    assert store.query_value("SELECT count() FROM dropped_events") == 1


def test_a_site_over_its_limit_gets_429_and_other_sites_do_not(store, settings):
    collector, client = limited_client(store, settings, rate_limit_per_ip=0, rate_limit_per_site=0.5)
    answers = [post_event(client, dict(PAGE, domain="WWW.Shop.test"), ip=f"198.51.100.{n}").status_code
               for n in range(6)]
    assert answers == [202] * 5 + [429]
    refused = post_event(client, PAGE, ip="198.51.100.99")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert refused.get_json() == {
        "error": "too many events for site 'shop.test': the limit is 0.5 per second "
                 "(rate_limit_per_site); retry in 2 s", "reason": "rate_limited_site"}
    blog = {"name": "pageview", "domain": "blog.test", "url": "https://blog.test/"}
    assert post_event(client, blog).status_code == 202
    assert post_event(client, "not json").status_code == 400  # still worded by the pipeline
    assert collector.close() == 0
    assert rate_limited_in_store(store, "shop.test") == 2
    assert rate_limited_in_store(store, "blog.test") == 0


def test_refusals_are_counted_for_known_sites_only_without_store_queries(store, settings):
    collector, client = limited_client(store, settings, rate_limit_per_ip=0.1, rate_limit_per_site=0)
    assert post_event(client, PAGE, ip="198.51.100.1").status_code == 202  # its burst: one event
    queries = []
    original = collector.store.query
    collector.store.query = lambda *args, **kw: queries.append(args) or original(*args, **kw)
    unknown = dict(PAGE, domain="unregistered.test", url="https://unregistered.test/")
    over = [post_event(client, body, ip="198.51.100.1")
            for body in (PAGE, dict(PAGE, domain="WWW.SHOP.test"), unknown, "not json", "x" * 9000)]
    assert [answer.status_code for answer in over] == [429] * 5
    assert queries == []  # a flood of 429s never reaches the store
    collector.store.query = original
    assert collector.counts() == {"accepted": 1, "rate_limited_ip": 5}
    assert collector.close() == 0
    assert rate_limited_in_store(store, "shop.test") == 2
    assert store.query_value("SELECT count() FROM dropped_events") == 1


def test_defaults_leave_ordinary_traffic_alone(store, settings):
    collector, client = limited_client(store, settings)
    assert all(post_event(client, PAGE, ip=f"198.51.100.{n % 50}").status_code == 202
               for n in range(300))
    assert collector.close() == 0


@pytest.fixture
def quiet_app(settings, store):
    """The whole server without background flushes: the test decides when events are written."""
    from vigie.app import create_app
    app = create_app(settings.replace(buffer_max_seconds=3600), store=store, start_background=False)
    yield app
    app.extensions["vigie"].close()


def metric_value(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


def test_metrics_count_what_happened(quiet_app, store):
    app, client = quiet_app, quiet_app.test_client()
    add_site(store, "shop.test")
    for _ in range(2):
        assert post_event(client, PAGE).status_code == 202
    assert post_event(client, dict(PAGE, domain="nope.test")).status_code == 404
    assert post_event(client, "x" * 9000).status_code == 413
    collector = app.extensions["vigie"].collector
    assert collector.flush() == 2
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = answer.get_data(as_text=True)
    assert metric_value(text, "vigie_events_accepted_total") == 2
    assert metric_value(text, 'vigie_events_dropped_total{reason="unknown_site"}') == 1
    assert metric_value(text, 'vigie_events_dropped_total{reason="too_large"}') == 1
    assert metric_value(text, "vigie_events_flushed_total") == 2
    assert metric_value(text, "vigie_events_spooled_total") == 0
    assert metric_value(text, "vigie_insert_failures_total") == 0
    assert metric_value(text, 'vigie_insert_duration_seconds_bucket{le="+Inf"}') == 1
    assert metric_value(text, "vigie_insert_duration_seconds_count") == 1
    assert metric_value(text, "vigie_buffer_events") == 0
    assert metric_value(text, "vigie_workers") == 1
    assert "# TYPE vigie_insert_duration_seconds histogram" in text


def test_metrics_are_closed_to_remote_and_proxied_clients(client):
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert remote.status_code == 403 and "metrics_token" in remote.get_json()["error"]
    proxied = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                         headers={"X-Forwarded-For": "203.0.113.5"})
    assert proxied.status_code == 403


def test_a_metrics_token_opens_metrics_to_its_bearer_only(settings, store):
    from vigie.app import create_app
    app = create_app(settings.replace(metrics_token="s3cret-scrape-token"), store=store,
                     start_background=False)
    try:
        client = app.test_client()
        remote = {"REMOTE_ADDR": "203.0.113.5"}
        assert client.get("/metrics", environ_base=remote).status_code == 401
        wrong = client.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "metrics_token" in wrong.get_json()["error"]
        right = client.get("/metrics", environ_base=remote,
                           headers={"Authorization": "Bearer s3cret-scrape-token"})
        assert right.status_code == 200 and "vigie_events_accepted_total 0" in right.get_data(as_text=True)
    finally:
        app.extensions["vigie"].close()


def test_healthz_reports_the_spool(quiet_app, store):
    app, client = quiet_app, quiet_app.test_client()
    add_site(store, "shop.test")
    assert post_event(client, PAGE).status_code == 202
    body = client.get("/healthz").get_json()
    assert body["buffered_events"] == 1 and body["spooled_events"] == 0
    assert 0 <= body["oldest_spooled_seconds"] < 60  # the event waits in the open segment
    app.extensions["vigie"].collector.flush()
    body = client.get("/healthz").get_json()
    assert (body["buffered_events"], body["spooled_events"], body["oldest_spooled_seconds"]) == (0, 0, 0)
