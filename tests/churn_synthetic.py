"""Synthetic clients with a known churn mechanism, for training tests.

Every client buys at their own rhythm (every 7 to 45 days) and visits the
site now and then. A churner stops on a churn day; in the 50 days before it
they buy 2.5 times less often, visit less, look at the pricing and cancel
pages, and some give notice (a cancellation transaction). Recency alone
mixes up a slow buyer with a leaving one; a model that reads the client's
own rhythm and their page visits can tell them apart. The seed is printed so
a failure can be replayed.
"""
import datetime
import random

from tests.churn_factories import customer, insert_customers, insert_transactions, transaction
from tests.factories import event, insert_events

UTC = datetime.timezone.utc


def _moment(rng, day):
    return datetime.datetime(day.year, day.month, day.day, rng.randrange(7, 22),
                             rng.randrange(60), tzinfo=UTC)


def _visit(rng, site, customer_id, visitor, day, pages):
    when = _moment(rng, day)
    rows = []
    for i, page in enumerate(pages):
        rows.append(event(site, when + datetime.timedelta(minutes=i), customer_id=customer_id,
                          pathname=page, visitor=visitor))
    rows.append(event(site, when + datetime.timedelta(minutes=len(pages)), "engagement",
                      customer_id=customer_id, pathname=pages[-1], visitor=visitor,
                      engaged_ms=rng.randrange(5000, 300000)))
    return rows


def generate(store, site, end, clients=300, seed=20241123, churn_share=0.4, days=420):
    """Insert the clients' rows; returns {customer_id: churn day or None}."""
    print(f"synthetic churn data: seed={seed} clients={clients} end={end}")
    rng = random.Random(seed)
    start = end - datetime.timedelta(days=days)
    customers, transactions, events, churn_days = [], [], [], {}
    for n in range(clients):
        cid = f"c{n:05d}"
        created = start + datetime.timedelta(days=rng.randrange(0, 120))
        churn = (end - datetime.timedelta(days=rng.randrange(0, 240))
                 if rng.random() < churn_share else None)
        churn_days[cid] = churn
        customers.append(customer(site, cid, created_at=created, contract_status="active"))
        gap, amount = rng.uniform(7, 45), rng.uniform(20, 200)
        web = rng.random() < 0.8
        day = created + datetime.timedelta(days=rng.uniform(0, gap))
        while day < (churn or end):
            leaving = churn is not None and day >= churn - datetime.timedelta(days=50)
            transactions.append(transaction(site, cid, _moment(rng, day), round(amount * rng.uniform(0.7, 1.3), 2)))
            day += datetime.timedelta(days=gap * rng.uniform(0.7, 1.3) * (2.5 if leaving else 1))
        if churn is not None and rng.random() < 0.3:
            transactions.append(transaction(site, cid, _moment(rng, churn - datetime.timedelta(days=5)),
                                            0, type="cancellation"))
        if web:
            visit_gap = rng.uniform(5, 15)
            day = created + datetime.timedelta(days=rng.uniform(0, visit_gap))
            while day < (churn or end):
                leaving = churn is not None and day >= churn - datetime.timedelta(days=50)
                pages = ["/", "/products"]
                if leaving:
                    pages.append(rng.choice(["/pricing", "/cancel", "/cancel/confirm", "/billing"]))
                elif rng.random() < 0.05:
                    pages.append("/pricing")
                events.extend(_visit(rng, site, cid, n + 1, day, pages))
                day += datetime.timedelta(days=visit_gap * rng.uniform(0.6, 1.4) * (2 if leaving else 1))
    insert_customers(store, customers)
    for chunk in range(0, len(transactions), 20000):
        insert_transactions(store, transactions[chunk:chunk + 20000])
    for chunk in range(0, len(events), 20000):
        insert_events(store, events[chunk:chunk + 20000])
    return churn_days
