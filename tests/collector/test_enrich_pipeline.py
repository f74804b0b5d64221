"""Enrichment through the whole collector, on both backends: what lands, what is dropped and counted."""
import datetime

from vigie.collector import ClientInfo, Collector
from vigie.warehouse.dropped_events import dropped_counts
from vigie.collector.identity import SaltKeeper
from tests.collector.conftest import CHROME, post_event
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.salts import salt_days
from vigie.warehouse.sites import add_site

UTC = datetime.timezone.utc
DAY1 = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DAY2 = datetime.datetime(2026, 3, 11, 23, 59, tzinfo=UTC)
PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}
PERSON = ClientInfo("81.2.69.160", CHROME, "en-GB")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/124.0.0.0 Safari/537.36")


def rows(store):
    return store.query_dicts(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY ts")


def test_bots_spam_and_privacy_signals_are_not_stored_but_counted_per_site_day_reason(collector, store):
    add_site(store, "other.test")
    spam = dict(PAGE, referrer="https://semalt.com/crawler.php?u=shop.test")
    outcomes = [
        collector.ingest(dict(PAGE), ClientInfo("81.2.69.160", GOOGLEBOT), DAY1),
        collector.ingest(dict(PAGE), ClientInfo("81.2.69.161", GOOGLEBOT), DAY1),
        collector.ingest(spam, PERSON, DAY1),
        collector.ingest(dict(PAGE), ClientInfo("81.2.69.160", CHROME, do_not_track="1"), DAY1),
        collector.ingest(dict(PAGE), ClientInfo("81.2.69.160", CHROME, global_privacy_control="1"), DAY1),
        collector.ingest(dict(PAGE), ClientInfo("81.2.69.160", HEADLESS), DAY2),
        collector.ingest(dict(PAGE, domain="other.test", url="https://other.test/"),
                         ClientInfo("81.2.69.160", "curl/8.5.0"), DAY2),
        # not a registered site: refused, but not counted against anyone's site
        collector.ingest(dict(PAGE, domain="nobody.test", url="https://nobody.test/"),
                         ClientInfo("81.2.69.160", GOOGLEBOT), DAY2),
        collector.ingest(dict(PAGE), PERSON, DAY2),
    ]
    assert [o.reason for o in outcomes] == [
        "bot_pattern", "bot_pattern", "referrer_spam", "privacy_signal", "privacy_signal",
        "bot_headless", "bot_http_client", "unknown_site", "accepted"]
    assert [o.status for o in outcomes] == [202] * 7 + [404, 202]
    assert collector.drops.pending()[("shop.test", DAY1.date(), "bot_pattern")] == 2
    collector.flush()
    assert [r["ts"] for r in rows(store)] == [DAY2]  # only the person
    assert dropped_counts(store, "shop.test", DAY1.date(), DAY2.date()) == {
        (DAY1.date(), "bot_pattern"): 2,
        (DAY1.date(), "privacy_signal"): 2,
        (DAY1.date(), "referrer_spam"): 1,
        (DAY2.date(), "bot_headless"): 1,
    }
    assert dropped_counts(store, "other.test", DAY1.date(), DAY2.date()) == {
        (DAY2.date(), "bot_http_client"): 1}
    assert store.query_value("SELECT count() FROM dropped_events WHERE site = 'nobody.test'") == 0
    # One row per (site, day, reason) for the whole batch, not one per bot.
    assert store.query_value("SELECT count() FROM dropped_events") == 5
    # Later batches add up.
    collector.ingest(dict(PAGE), ClientInfo("81.2.69.162", GOOGLEBOT), DAY1)
    collector.close()
    assert dropped_counts(store, "shop.test", DAY1.date(), DAY1.date())[(DAY1.date(), "bot_pattern")] == 3


def test_http_answers_for_dropped_events(collector_client, collector, store):
    answers = [
        post_event(collector_client, PAGE, ua=GOOGLEBOT),
        post_event(collector_client, PAGE, DNT="1"),
        post_event(collector_client, PAGE, **{"Sec-GPC": "1"}),
        post_event(collector_client, dict(PAGE, referrer="https://www.darodar.com/")),
    ]
    assert [(a.status_code, a.get_json()) for a in answers] == [
        (202, {"accepted": 0, "dropped": "bot_pattern"}),
        (202, {"accepted": 0, "dropped": "privacy_signal"}),
        (202, {"accepted": 0, "dropped": "privacy_signal"}),
        (202, {"accepted": 0, "dropped": "referrer_spam"}),
    ]
    collector.flush()
    assert rows(store) == []
    today = datetime.datetime.now(UTC).date()
    counts = dropped_counts(store, "shop.test", today - datetime.timedelta(days=1), today)
    assert sum(counts.values()) == 4


def test_sites_that_ignore_privacy_signals_keep_those_events(collector, store):
    add_site(store, "open.test", respect_privacy_signals=False)
    signal = ClientInfo("81.2.69.160", CHROME, do_not_track="1", global_privacy_control="1")
    assert collector.ingest(dict(PAGE, domain="open.test", url="https://open.test/"), signal).accepted
    assert collector.ingest(dict(PAGE), signal).reason == "privacy_signal"
    collector.flush()
    assert [r["site"] for r in rows(store)] == ["open.test"]


def test_a_google_search_visit_with_utm_tags_lands_with_every_enrichment_column(collector_client, collector, store):
    body = {
        "name": "pageview", "domain": "shop.test", "language": "fr-FR", "screen_width": 390,
        "url": "https://www.shop.test/landing?utm_source=google&utm_medium=cpc"
               "&utm_campaign=spring&utm_term=cafe&gclid=Cj0KCQjw",
        "referrer": "https://www.google.fr/search?q=caf%C3%A9+en+grains&hl=fr",
    }
    answer = post_event(collector_client, body, ip="81.2.69.160", **{"Accept-Language": "en-US"})
    assert (answer.status_code, answer.get_json()) == (202, {"accepted": 1})
    collector.flush()
    [row] = rows(store)
    got = {k: row[k] for k in ("source", "search_term", "channel", "click_id", "country", "region",
                               "screen_class", "screen_width", "language", "referrer_host",
                               "utm_source", "utm_medium", "utm_campaign", "utm_term", "device")}
    assert got == {
        "source": "Google", "search_term": "café en grains", "channel": "Paid Search",
        "click_id": "gclid", "country": "GB", "region": "", "screen_class": "mobile",
        "screen_width": 390, "language": "fr-fr", "referrer_host": "google.fr",
        "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring", "utm_term": "cafe",
        "device": "desktop",
    }


def test_only_the_site_search_parameter_of_the_query_string_is_kept(collector, store):
    add_site(store, "books.test", search_parameters=["kw", "q"])
    urls = ["https://shop.test/search?q=+Red%20%20Shoes+&session=abc123&page=2",
            "https://shop.test/search?query=hats", "https://shop.test/?q=", "https://shop.test/?qq=x",
            "https://books.test/find?q=dune&kw=Frank+Herbert", "https://books.test/?search=dune"]
    for url in urls:
        body = dict(PAGE, url=url, domain="books.test" if "books" in url else "shop.test")
        assert collector.ingest(body, PERSON, DAY1).accepted
    collector.flush()
    stored = store.query("SELECT site, pathname, site_search_term FROM events ORDER BY site, pathname, "
                         "site_search_term")
    # books.test names its own parameters (kw first); shop.test has the defaults.
    assert stored == [("books.test", "/", ""), ("books.test", "/find", "frank herbert"),
                      ("shop.test", "/", ""), ("shop.test", "/", ""), ("shop.test", "/search", "hats"),
                      ("shop.test", "/search", "red shoes")]
    # Nothing else of the query string is anywhere in the rows.
    for row in rows(store):
        assert not any("abc123" in str(value) for value in row.values())


def test_a_visit_from_a_private_address_and_no_referrer_is_direct(collector, store):
    assert collector.ingest(dict(PAGE), ClientInfo("10.0.0.5", CHROME, "de-CH,de;q=0.9")).accepted
    collector.flush()
    [row] = rows(store)
    assert (row["source"], row["channel"], row["country"], row["screen_class"], row["language"]) == \
        ("", "Direct", "", "", "de-ch")


def test_customer_ids_are_kept_only_for_sites_that_opt_in(collector_client, collector, store):
    add_site(store, "members.test", identify_customers=True)
    refused = post_event(collector_client, dict(PAGE, customer_id="cust-7"))
    kept = post_event(collector_client, dict(PAGE, domain="members.test", url="https://members.test/",
                                             customer_id="cust-8"))
    assert (refused.status_code, refused.get_json()) == (202, {"accepted": 1, "ignored": ["customer_id"]})
    assert (kept.status_code, kept.get_json()) == (202, {"accepted": 1})
    collector.flush()
    assert sorted((r["site"], r["customer_id"]) for r in rows(store)) == [
        ("members.test", "cust-8"), ("shop.test", "")]


def test_neither_the_ip_nor_the_user_agent_is_stored(collector_client, collector, store):
    ua = CHROME + " VigiePrivacyProbe/9.9"
    post_event(collector_client, dict(PAGE, referrer="https://example.org/"), ua=ua, ip="81.2.69.160")
    collector.flush()
    [row] = rows(store)
    stored = " ".join(str(value) for value in row.values())
    for secret in ("81.2.69.160", "81.2.69", ua, "VigiePrivacyProbe", "KHTML"):
        assert secret not in stored
    assert row["country"] == "GB" and row["browser"] == "Chrome"


def test_salts_older_than_two_days_are_destroyed_and_a_restart_reuses_the_stored_salt(store, settings):
    add_site(store, "shop.test")
    today = datetime.date(2026, 3, 12)
    keeper = SaltKeeper(store)
    salts = {day: keeper.salt(day) for day in (today - datetime.timedelta(days=n) for n in range(4))}
    keeper.refresh(today=today)
    assert salt_days(store) == [today - datetime.timedelta(days=1), today]
    restarted = SaltKeeper(store)
    assert restarted.salt(today) == salts[today]
    assert restarted.known_salt(today - datetime.timedelta(days=1)) == salts[today - datetime.timedelta(days=1)]
    assert restarted.known_salt(today - datetime.timedelta(days=2)) is None
    # A restarted collector gives the same visitor the same id on the same day.
    when = datetime.datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    for minutes in (0, 5):
        collector = Collector(store, settings)
        assert collector.ingest(dict(PAGE), PERSON, when + datetime.timedelta(minutes=minutes)).accepted
        collector.close()
    assert len({r["visitor_id"] for r in rows(store)}) == 1
    assert len(rows(store)) == 2
