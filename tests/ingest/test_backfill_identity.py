"""Visits crossing midnight in backfills: the store is asked once per site and midnight."""
import datetime

from vigie.collector import ClientInfo, Collector
from vigie.collector.identity import visitor_id
from vigie.warehouse.salts import salt_for_day
from vigie.warehouse.sites import add_site

UTC = datetime.timezone.utc
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:118.0) Gecko/20100101 Firefox/118.0"
PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}


def at(hour, minute, day=10):
    return datetime.datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def test_a_backfill_continues_visits_already_in_the_store(store, settings):
    add_site(store, "shop.test")
    earlier = Collector(store, settings)  # an earlier import run, or another process
    for ip, when in (("203.0.113.1", at(23, 50)), ("203.0.113.2", at(23, 20)),
                     ("203.0.113.3", at(23, 50)), ("203.0.113.4", at(23, 59))):
        assert earlier.ingest(dict(PAGE), ClientInfo(ip, UA), when).accepted
    earlier.close()

    queries = []
    backfill = Collector(store, settings)
    real_query = store.query
    store.query = lambda sql, params=None: (queries.append(sql), real_query(sql, params))[1]
    try:
        for ip, when in (("203.0.113.1", at(0, 10, 11)),   # 20 min gap: same visit
                         ("203.0.113.2", at(0, 10, 11)),   # 50 min gap: a new visit
                         ("203.0.113.3", at(0, 25, 11)),   # 35 min gap: a new visit
                         ("203.0.113.4", at(0, 10, 11))):  # 11 min gap: same visit
            assert backfill.ingest(dict(PAGE), ClientInfo(ip, UA), when).accepted
        backfill.close()
    finally:
        store.query = real_query
    continuity = [sql for sql in queries if "groupArray(ts)" in sql]
    assert len(continuity) == 1  # one for the midnight, not one per minute or per visitor

    day1, day2 = (salt_for_day(store, datetime.date(2024, 3, d), create=False) for d in (10, 11))
    stored = dict(((vid, ts), None) for vid, ts in store.query("SELECT visitor_id, ts FROM events"))
    for ip, when, salt in (("203.0.113.1", at(0, 10, 11), day1),
                           ("203.0.113.2", at(0, 10, 11), day2),
                           ("203.0.113.3", at(0, 25, 11), day2),
                           ("203.0.113.4", at(0, 10, 11), day1)):
        assert (visitor_id(salt, "shop.test", ip, UA), when) in stored, ip
