"""Revenue events of identified clients copied into transactions, idempotently."""
import datetime
import uuid

from vigie.alerts.client_data.queries import customer_transactions
from vigie.alerts.client_data.rows import Transaction
from vigie.alerts.client_data.web_revenue import copy_web_revenue
from tests.client_data.conftest import SITE
from tests.factories import event, insert_events

UTC = datetime.timezone.utc
START = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def shop_events():
    order = uuid.UUID("00000000-0000-4000-8000-000000000001")
    later = uuid.UUID("00000000-0000-4000-8000-000000000002")
    rows = [
        event(SITE, "2024-03-01 10:00:00", "purchase", 1, customer_id="C-1", revenue=49.5, currency="EUR"),
        event(SITE, "2024-03-20 18:30:00", "purchase", 1, customer_id="C-1", revenue=20.0, currency="EUR"),
        # Not copied: anonymous revenue, an identified pageview, another site.
        event(SITE, "2024-03-02 10:00:00", "purchase", 2, revenue=99.0, currency="EUR"),
        event(SITE, "2024-03-02 11:00:00", "pageview", 1, customer_id="C-1"),
        event("other.example.com", "2024-03-02 12:00:00", "purchase", 3, customer_id="C-1",
              revenue=5.0, currency="EUR"),
    ]
    rows[0]["event_id"], rows[1]["event_id"] = order, later
    return rows


def test_revenue_events_of_identified_clients_become_purchases(store, site):
    insert_events(store, shop_events())
    assert copy_web_revenue(store, SITE, START) == 2
    assert customer_transactions(store, SITE, "C-1") == [
        _purchase("00000000-0000-4000-8000-000000000002", "2024-03-20 18:30:00", 20.0),
        _purchase("00000000-0000-4000-8000-000000000001", "2024-03-01 10:00:00", 49.5),
    ]


def test_copying_again_or_an_overlapping_window_adds_nothing(store, site):
    insert_events(store, shop_events())
    copy_web_revenue(store, SITE, START)
    assert copy_web_revenue(store, SITE, START) == 2
    assert copy_web_revenue(store, SITE, datetime.datetime(2024, 3, 10, tzinfo=UTC)) == 1
    rows, total = store.query("SELECT count(), sum(amount) FROM transactions FINAL "
                              "WHERE site = %(s)s", {"s": SITE})[0]
    assert (rows, total) == (2, 69.5)


def test_a_site_without_revenue_copies_nothing(store, site):
    assert copy_web_revenue(store, SITE, START) == 0
    assert store.query_value("SELECT count() FROM transactions") == 0


def _purchase(event_id, ts, amount):
    when = datetime.datetime.fromisoformat(ts).replace(tzinfo=UTC)
    return Transaction("C-1", event_id, when, amount, "EUR", "purchase", "web")
