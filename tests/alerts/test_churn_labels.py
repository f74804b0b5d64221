"""The churn label at its edges, from hand-built rows, on both backends."""
import datetime

import pytest

from vigie.alerts.churn_labels import LabelWindowError, churn_labels
from tests.churn_factories import customer, insert_customers, insert_transactions, transaction
from tests.factories import event, insert_events

SITE = "shop.example.com"
AS_OF = datetime.date(2024, 6, 1)   # horizon 30 days: window [June 1st, July 1st)
TODAY = datetime.date(2025, 1, 1)
IDS = ["buys_first_second", "buys_last_second", "buys_on_window_end", "refund_only",
       "cancellation_only", "renewal", "contract_ends_inside", "contract_ends_after",
       "visits_only", "nothing", "other_site"]


def _rows(store):
    insert_customers(store, [customer(SITE, cid, created_at="2023-01-01") for cid in IDS[:6]] + [
        customer(SITE, "contract_ends_inside", contract_status="ended", contract_ended_at="2024-06-20"),
        customer(SITE, "contract_ends_after", contract_status="ended", contract_ended_at="2024-07-01"),
        customer(SITE, "visits_only"), customer(SITE, "nothing"),
    ])
    insert_transactions(store, [
        transaction(SITE, "buys_first_second", "2024-06-01 00:00:00"),
        transaction(SITE, "buys_last_second", "2024-06-30 23:59:59"),
        transaction(SITE, "buys_on_window_end", "2024-07-01 00:00:00"),
        transaction(SITE, "refund_only", "2024-06-10 10:00:00", -50, type="refund"),
        transaction(SITE, "cancellation_only", "2024-06-10 10:00:00", 0, type="cancellation"),
        transaction(SITE, "renewal", "2024-06-10 10:00:00", 300, type="renewal"),
        # Buys, but the contract still ends inside the window: churned.
        transaction(SITE, "contract_ends_inside", "2024-06-05 10:00:00"),
        transaction(SITE, "contract_ends_after", "2024-06-05 10:00:00"),
        transaction("other.example.com", "other_site", "2024-06-05 10:00:00"),
    ])
    insert_events(store, [event(SITE, "2024-06-12 10:00:00", customer_id="visits_only"),
                          event(SITE, "2024-05-31 23:59:59", customer_id="nothing")])


def test_label_edges(store):
    _rows(store)
    labels = churn_labels(store, SITE, AS_OF, 30, IDS, today=TODAY)
    assert labels.to_dict() == {
        "buys_first_second": 0, "buys_last_second": 0, "buys_on_window_end": 1,
        "refund_only": 1, "cancellation_only": 1, "renewal": 0,
        "contract_ends_inside": 1, "contract_ends_after": 0,
        "visits_only": 1, "nothing": 1, "other_site": 1,
    }


def test_requiring_no_visit_keeps_visiting_clients(store):
    _rows(store)
    labels = churn_labels(store, SITE, AS_OF, 30, ["visits_only", "nothing", "renewal"],
                          require_no_visit=True, today=TODAY)
    assert labels.to_dict() == {"visits_only": 0, "nothing": 1, "renewal": 0}


def test_a_window_that_has_not_passed_is_refused(store):
    with pytest.raises(LabelWindowError, match="2024-06-01 .. 2024-07-01 ends after today"):
        churn_labels(store, SITE, AS_OF, 30, ["a"], today=datetime.date(2024, 6, 30))
    assert churn_labels(store, SITE, AS_OF, 30, ["a"], today=datetime.date(2024, 7, 1)).to_dict() == {"a": 1}
