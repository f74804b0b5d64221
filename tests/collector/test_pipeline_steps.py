"""The pipeline steps and enrichment helpers called directly, without HTTP or a store.

Steps take their dependencies from the context they are given; here the
context is a plain object holding a site directory and a list-backed buffer.
"""
import dataclasses
import datetime
import uuid

import pytest

from vigie.collector import ClientInfo, Drop, STEPS
from vigie.collector import enrichment
from vigie.collector.identity import visitor_id
from vigie.collector.pipeline import Incoming, StepFailed, buffer, enrich, parse, run_pipeline, validate
from vigie.collector.validate import BadEvent, parse_body, validate_payload
from tests.collector.conftest import CHROME
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.sites import Site

UTC = datetime.timezone.utc
SHOP = Site("shop.test", "UTC", datetime.datetime(2026, 1, 1, tzinfo=UTC))
WHEN = datetime.datetime(2026, 3, 10, 12, 0, 30, 123456, tzinfo=UTC)
PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/a?b=1"}


class Directory:
    """A pipeline context whose sites come from a dict and whose buffer writes to a list."""

    def __init__(self, *sites):
        self.sites = {s.domain: s for s in sites}
        self.written = []
        self.buffer = self  # the buffer step only calls add(row)

    def add(self, row):
        self.written.append(row)

    def find_site(self, domain):
        return self.sites.get(domain)


def incoming(body, ua=CHROME, language=""):
    return Incoming(body=body, client=ClientInfo("203.0.113.7", ua, language), received_at=WHEN)


def test_the_step_list_is_visible_and_ordered():
    assert [name for name, _ in STEPS] == ["parse", "validate", "enrich", "identify", "buffer"]
    assert all(callable(step) for _, step in STEPS)


def test_parse_accepts_bytes_text_and_dicts():
    assert parse(incoming(b'{"name": "x"}'), None).payload == {"name": "x"}
    assert parse(incoming('{"name": "é"}'), None).payload == {"name": "é"}
    already = {"name": "y"}
    assert parse(incoming(already), None).payload is already


@pytest.mark.parametrize("body, message", [
    (b"nope", "not valid JSON"),
    (b"   ", "empty"),
    (b"null", "got NoneType"),
    (b'"text"', "got str"),
    (b"[" * 5000, "nested too deeply"),
    ([1, 2], "got list"),
])
def test_parse_drops_what_is_not_a_json_object(body, message):
    drop = parse(incoming(body), None)
    assert isinstance(drop, Drop) and drop.status == 400 and drop.reason == "bad_request"
    assert message in drop.message


def test_validate_normalises_fields():
    fields = validate_payload({"name": " signup ", "domain": "WWW.Shop.Test", "url": "https://Blog.Shop.Test./x",
                               "props": {"n": 2, "f": 1.5, "ok": True}, "revenue": {"amount": 3, "currency": "usd"}})
    assert fields["name"] == "signup" and fields["domain"] == "shop.test"
    assert fields["hostname"] == "blog.shop.test"
    assert (fields["prop_keys"], fields["prop_values"]) == (["n", "f", "ok"], ["2", "1.5", "true"])
    assert (fields["revenue"], fields["currency"]) == (3.0, "USD")
    assert (fields["referrer"], fields["customer_id"], fields["screen_width"]) == ("", "", 0)


@pytest.mark.parametrize("changes, message", [
    ({"domain": 7}, "'domain' must be a string, got int"),
    ({"referrer": "x" * 2001}, "'referrer' is longer than 2000"),
    ({"customer_id": "c" * 201}, "'customer_id' is longer than 200"),
    ({"engaged_ms": 1.5}, "'engaged_ms' must be an integer, got float"),
    ({"scroll_depth": "50"}, "'scroll_depth' must be an integer, got str"),
    ({"props": {"k" * 301: "v"}}, "must have 1 to 300 characters"),
    ({"props": {"": "v"}}, "must have 1 to 300 characters"),
    ({"props": {"big": float("nan")}}, "prop 'big' must be a finite number, got nan"),
    ({"props": {"list": [1]}}, "prop 'list' must be a string, number or boolean, got list"),
    ({"revenue": {"amount": 5}}, "'revenue.currency' must be a 3-letter currency code"),
    ({"revenue": {"currency": "EUR"}}, "'revenue.amount' must be a finite number"),
    ({"revenue": {"amount": float("inf"), "currency": "EUR"}}, "'revenue.amount' must be a finite number"),
    ({"url": "https:///nohost"}, "absolute http(s) URL"),
])
def test_validate_names_the_faulty_field(changes, message):
    with pytest.raises(BadEvent, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_payload(dict(PAGE, **changes))


def test_validate_step_checks_site_and_host():
    ctx = Directory(SHOP)
    event = validate(parse(incoming(dict(PAGE)), ctx), ctx)
    assert event.site == SHOP
    unknown = validate(parse(incoming(dict(PAGE, domain="nope.test")), ctx), ctx)
    assert (unknown.status, unknown.reason) == (404, "unknown_site") and "'nope.test'" in unknown.message
    foreign = validate(parse(incoming(dict(PAGE, url="https://evil.test/")), ctx), ctx)
    assert (foreign.status, foreign.reason) == (403, "foreign_hostname")
    assert "'evil.test'" in foreign.message and "'shop.test'" in foreign.message


def test_enrich_step_derives_the_columns():
    ctx = Directory(SHOP)
    body = dict(PAGE, url="https://www.shop.test/p/1?utm_source=Mail&utm_term=boots#top",
                referrer="https://WWW.Example.ORG/list")
    event = enrich(validate(parse(incoming(body, language="de-CH, de;q=0.8"), ctx), ctx), ctx)
    f = event.fields
    assert (f["browser"], f["browser_version"], f["os"], f["os_version"], f["device"]) == \
        ("Chrome", "124.0", "Windows", "10", "desktop")
    assert (f["pathname"], f["referrer_host"], f["language"], f["country"]) == \
        ("/p/1", "example.org", "de-ch", "")
    assert (f["utm_source"], f["utm_medium"], f["utm_term"]) == ("Mail", "", "boots")


def test_enrich_step_drops_bots():
    ctx = Directory(SHOP)
    event = validate(parse(incoming(dict(PAGE), ua="Mozilla/5.0 (compatible; bingbot/2.0)"), ctx), ctx)
    drop = enrich(event, ctx)
    assert drop == Drop("bot_pattern", 202, "bot traffic is counted, not stored")


def test_buffer_step_builds_a_row_in_column_order():
    ctx = Directory(dataclasses.replace(SHOP, identify_customers=True))
    event = enrich(validate(parse(incoming(dict(PAGE, customer_id="c-1")), ctx), ctx), ctx)
    event.fields["visitor_id"] = 99
    buffer(event, ctx)
    [row] = ctx.written
    values = dict(zip(EVENT_COLUMNS, row))
    assert len(row) == len(EVENT_COLUMNS)
    assert isinstance(values["event_id"], uuid.UUID) and values["event_id"].version == 4
    assert values["ts"] == WHEN.replace(microsecond=0)
    assert (values["site"], values["visitor_id"], values["customer_id"], values["pathname"]) == \
        ("shop.test", 99, "c-1", "/a")


def test_run_pipeline_stops_at_the_first_drop_and_names_a_failing_step():
    ctx = Directory(SHOP)
    final, drop = run_pipeline(incoming(b"{}"), ctx)
    assert final is None and drop.message == "'name' is required"

    def broken(event, ctx):
        raise KeyError("boom")
    with pytest.raises(StepFailed) as failure:
        run_pipeline(incoming(dict(PAGE)), ctx, steps=(("parse", parse), ("broken", broken)))
    assert failure.value.step == "broken" and isinstance(failure.value.error, KeyError)


def test_referrer_host_ignores_the_site_itself_and_junk():
    assert enrichment.referrer_host("https://www.google.co.uk/search?q=x", SHOP) == "google.co.uk"
    assert enrichment.referrer_host("https://shop.test/prev", SHOP) == ""
    assert enrichment.referrer_host("https://www.shop.test/prev", SHOP) == ""
    assert enrichment.referrer_host("https://help.shop.test/", SHOP) == ""
    assert enrichment.referrer_host("", SHOP) == ""
    assert enrichment.referrer_host("not a url", SHOP) == ""
    assert enrichment.referrer_host("http://[bad", SHOP) == ""


def test_language_pathname_and_utm_helpers():
    assert enrichment.language("fr-FR,fr;q=0.9,en;q=0.8") == "fr-fr"
    assert enrichment.language("en;q=0.5") == "en"
    assert enrichment.language("*") == enrichment.language("") == ""
    assert enrichment.pathname("https://shop.test") == "/"
    assert enrichment.pathname("https://shop.test/a/b/?q=1#h") == "/a/b/"
    tags = enrichment.utm_tags("https://shop.test/?utm_campaign=spring%20sale&utm_medium=cpc&utm_source=")
    assert tags == {"utm_source": "", "utm_medium": "cpc", "utm_campaign": "spring sale",
                    "utm_content": "", "utm_term": ""}


def test_user_agent_parsing_is_cached_and_bounded():
    enrichment.describe_user_agent.cache_clear()
    first = enrichment.describe_user_agent(CHROME)
    assert enrichment.describe_user_agent(CHROME) is first
    info = enrichment.describe_user_agent.cache_info()
    assert (info.hits, info.misses) == (1, 1) and info.maxsize == 4096
    assert enrichment.describe_user_agent("")[4] == "desktop"


def test_visitor_ids_differ_by_site_for_the_same_person():
    salt = "0f" * 32
    assert visitor_id(salt, "shop.test", "203.0.113.7", CHROME) != \
        visitor_id(salt, "other.test", "203.0.113.7", CHROME)


def test_parse_body_rejects_non_utf8():
    with pytest.raises(BadEvent, match="not UTF-8"):
        parse_body(b"\xff{}")
