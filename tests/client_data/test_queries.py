"""Reading client data back: one client, a searchable page of clients, a client's transactions."""
import datetime

import pytest

from vigie.alerts.client_data.queries import customer_transactions, get_customer, list_customers
from vigie.alerts.client_data.rows import Customer, Transaction
from vigie.alerts.client_data.writes import write_customers, write_transactions
from tests.client_data.conftest import SITE

UTC = datetime.timezone.utc
JAN = datetime.datetime(2024, 1, 1, tzinfo=UTC)


def customers(*ids):
    return [Customer(i, JAN, plan="pro", attributes=(("tier", i[-1]),)) for i in ids]


def test_get_customer_is_per_site(store, site):
    write_customers(store, SITE, customers("A-1"))
    write_customers(store, "other.example.com", [Customer("B-1", JAN)])
    assert get_customer(store, SITE, "A-1") == Customer("A-1", JAN, plan="pro", attributes=(("tier", "1"),))
    assert get_customer(store, SITE, "B-1") is None
    assert get_customer(store, SITE, "nobody") is None


def test_list_customers_searches_by_id_prefix_and_pages(store, site):
    write_customers(store, SITE, customers("A-1", "A-2", "A-3", "A%1", "B-1", "A_1"))
    page = list_customers(store, SITE, prefix="A-", limit=2)
    assert [c.customer_id for c in page.customers] == ["A-1", "A-2"]
    assert (page.total, page.offset, page.limit) == (3, 0, 2)
    page = list_customers(store, SITE, prefix="A-", offset=2, limit=2)
    assert [c.customer_id for c in page.customers] == ["A-3"]
    # Wildcard characters of LIKE match only themselves.
    assert [c.customer_id for c in list_customers(store, SITE, prefix="A%").customers] == ["A%1"]
    assert [c.customer_id for c in list_customers(store, SITE, prefix="A_").customers] == ["A_1"]
    everyone = list_customers(store, SITE)
    assert everyone.total == 6
    assert [c.customer_id for c in everyone.customers] == ["A%1", "A-1", "A-2", "A-3", "A_1", "B-1"]


def test_list_customers_refuses_unbounded_pages(store, site):
    with pytest.raises(ValueError, match="limit must be between 1 and 500"):
        list_customers(store, SITE, limit=501)
    with pytest.raises(ValueError, match="offset cannot be negative"):
        list_customers(store, SITE, offset=-1)


def test_a_transaction_rewritten_with_a_date_in_another_month_shows_once(store, site):
    write_transactions(store, SITE, [Transaction("A-1", "T-1", JAN, 10.0, "EUR", "purchase")], "csv")
    moved = datetime.datetime(2024, 2, 3, tzinfo=UTC)
    write_transactions(store, SITE, [Transaction("A-1", "T-1", moved, 12.0, "EUR", "purchase")], "api")
    assert customer_transactions(store, SITE, "A-1") == [
        Transaction("A-1", "T-1", moved, 12.0, "EUR", "purchase", "api")]


def test_transactions_are_newest_first_and_limited(store, site):
    write_transactions(store, SITE, [
        Transaction("A-1", f"T-{day}", JAN.replace(day=day), float(day), "EUR", "purchase")
        for day in (3, 1, 2)], "csv")
    assert [t.transaction_id for t in customer_transactions(store, SITE, "A-1")] == ["T-3", "T-2", "T-1"]
    assert [t.amount for t in customer_transactions(store, SITE, "A-1", limit=2)] == [3.0, 2.0]


def test_list_customers_sorts_by_client_since_in_the_store(store, site):
    write_customers(store, SITE, [Customer("A-1", JAN + datetime.timedelta(days=2)),
                                  Customer("A-2", JAN), Customer("B-1", JAN + datetime.timedelta(days=1)),
                                  Customer("A-3", JAN)])
    def listed(**how):
        return [c.customer_id for c in list_customers(store, SITE, **how).customers]
    assert listed(sort="newest") == ["A-1", "B-1", "A-2", "A-3"]
    assert listed(sort="oldest") == ["A-2", "A-3", "B-1", "A-1"]
    assert listed(sort="oldest", prefix="A-", offset=1, limit=2) == ["A-3", "A-1"]
    with pytest.raises(ValueError, match="sort 'size'"):
        list_customers(store, SITE, sort="size")
