"""Drop counts are written in batches and survive a store that refuses them."""
import datetime

from vigie.collector.drop_counts import DropCounter
from vigie.warehouse.dropped_events import dropped_counts
from vigie.warehouse.migrations import MIGRATIONS

D1, D2 = datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)


def test_counts_are_summed_in_memory_and_written_in_one_batch(store):
    counter = DropCounter(store)
    for _ in range(40):
        counter.add("shop.test", D1, "bot_pattern")
    counter.add("shop.test", D2, "privacy_signal", events=3)
    assert counter.flush() == 43
    assert store.query_value("SELECT count() FROM dropped_events") == 2
    assert counter.pending() == {} and counter.flush() == 0
    counter.add("shop.test", D1, "bot_pattern")
    counter.flush()
    assert dropped_counts(store, "shop.test", D1, D2) == {
        (D1, "bot_pattern"): 41, (D2, "privacy_signal"): 3}
    assert dropped_counts(store, "shop.test", D2, D2) == {(D2, "privacy_signal"): 3}


def test_a_failed_flush_keeps_the_counts_for_the_next_one(store):
    counter = DropCounter(store)
    counter.add("shop.test", D1, "referrer_spam", events=2)
    store.execute("DROP TABLE dropped_events")
    assert counter.flush() == 0
    counter.add("shop.test", D1, "referrer_spam")
    assert counter.pending() == {("shop.test", D1, "referrer_spam"): 3}
    [create] = next(statements for number, _, statements in MIGRATIONS if number == 8)
    store.execute(create)
    assert counter.flush() == 3
    assert dropped_counts(store, "shop.test", D1, D1) == {(D1, "referrer_spam"): 3}
