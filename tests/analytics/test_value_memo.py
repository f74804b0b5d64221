"""The kept histories and CLV report are never stale: any written row of the site's data is seen."""
import datetime

from tests.alert_factories import _TRANSACTION_COLUMNS, SITE, add_customers, add_purchases
from tests.factories import at
from vigie.analytics import value_memo
from vigie.analytics.value_memo import data_generation, value_basis

AS_OF = datetime.date(2026, 3, 1)


def _revenue(store):
    histories, clv = value_basis(store, SITE, AS_OF, 365, 0.1)
    return {c["customer_id"]: c["net_revenue"] for c in histories}, clv["historical_total"]


def test_the_same_data_is_computed_once_and_any_change_is_seen(store):
    value_memo.forget()
    add_customers(store, ("c1", "2025-01-01", "active"), ("c2", "2025-01-01", "active"))
    add_purchases(store, "c1", "2026-01-10", "2026-02-01", amount=40.0)
    first = value_basis(store, SITE, AS_OF, 365, 0.1)
    assert value_basis(store, SITE, AS_OF, 365, 0.1) is first          # kept
    assert value_basis(store, SITE, AS_OF, 180, 0.1) is not first      # another horizon
    assert _revenue(store) == ({"c1": 80.0}, 80.0)

    # A new purchase, then the same transaction corrected with the same version and the
    # same row count in a fresh table: both change the generation.
    add_purchases(store, "c2", "2026-02-02", amount=25.0)
    assert _revenue(store) == ({"c1": 80.0, "c2": 25.0}, 105.0)
    before = data_generation(store, SITE)
    store.execute("TRUNCATE TABLE transactions")
    rows = [(SITE, "c1", f"x{n}", at(day + " 12:00:00"), amount, "EUR", "purchase", "test", 1)
            for n, (day, amount) in enumerate((("2026-01-10", 40.0), ("2026-02-01", 40.0),
                                               ("2026-02-02", 26.0)))]
    store.insert("transactions", _TRANSACTION_COLUMNS, rows)
    assert data_generation(store, SITE) != before
    assert _revenue(store) == ({"c1": 106.0}, 106.0)


def test_a_deleted_client_leaves_the_kept_histories(store):
    value_memo.forget()
    add_customers(store, ("c1", "2025-01-01", "active"), ("c2", "2025-01-01", "active"))
    add_purchases(store, "c1", "2026-01-10")
    add_purchases(store, "c2", "2026-01-11")
    assert sorted(_revenue(store)[0]) == ["c1", "c2"]
    store.insert("customers", ["site", "customer_id", "created_at", "plan", "contract_status",
                               "contract_ended_at", "segment", "owner", "attr_keys", "attr_values",
                               "version", "deleted"],
                 [(SITE, "c2", at("2025-01-01 00:00:00"), "pro", "active", None, "", "", [], [],
                   10 ** 12, 1)])
    assert sorted(_revenue(store)[0]) == ["c1"]


def test_two_requests_at_once_compute_the_value_once(store, monkeypatch):
    import threading
    value_memo.forget()
    add_customers(store, ("c1", "2025-01-01", "active"))
    add_purchases(store, "c1", "2026-01-10")
    calls, started = [], threading.Event()
    real = value_memo.customer_histories

    def slow(*args):
        calls.append(1)
        started.set()
        threading.Event().wait(0.3)   # the first request is still computing when the second asks
        return real(*args)
    monkeypatch.setattr(value_memo, "customer_histories", slow)
    answers = []
    first = threading.Thread(target=lambda: answers.append(value_basis(store, SITE, AS_OF, 365, 0.1)))
    first.start()
    assert started.wait(10)
    answers.append(value_basis(store, SITE, AS_OF, 365, 0.1))
    first.join(10)
    assert len(calls) == 1 and answers[0] is answers[1]


def test_a_kept_summary_is_read_by_another_process_until_the_data_changes(store):
    from vigie.analytics.portfolio import portfolio_overview, portfolio_trend
    value_memo.forget()
    add_customers(store, ("c1", "2025-01-01", "active"), ("c2", "2025-01-01", "active"))
    add_purchases(store, "c1", "2025-10-10", "2026-01-10", "2026-02-01", amount=40.0)
    add_purchases(store, "c2", "2025-11-02", amount=25.0)
    summary = portfolio_overview(store, SITE, AS_OF, 365, 0.1)
    trend = portfolio_trend(store, SITE, AS_OF, 3, 365, 0.1)
    # Another server process: nothing in its memory, and computing is not an option.
    value_memo.forget()

    def refused(*args):
        raise AssertionError("computed again although the store keeps it")
    real = value_memo.customer_histories
    value_memo.customer_histories = refused
    try:
        assert portfolio_overview(store, SITE, AS_OF, 365, 0.1) == summary
        assert portfolio_trend(store, SITE, AS_OF, 3, 365, 0.1) == trend
        assert [p["as_of"] for p in trend] == [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1),
                                               datetime.date(2026, 3, 1)]
    finally:
        value_memo.customer_histories = real
    # A new purchase: the kept rows are stale, so both are computed again from the histories.
    value_memo.forget()
    add_purchases(store, "c2", "2026-02-20", amount=30.0)
    reads = []
    value_memo.customer_histories = lambda *args: reads.append(args[2]) or real(*args)
    try:
        assert portfolio_overview(store, SITE, AS_OF, 365, 0.1)["buyers"] == 2
        portfolio_trend(store, SITE, AS_OF, 3, 365, 0.1)
    finally:
        value_memo.customer_histories = real
    assert sorted(reads) == [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), AS_OF]


def test_a_page_reads_the_generation_once_for_all_its_values(store, monkeypatch):
    from vigie.analytics.portfolio import portfolio_overview
    from vigie.analytics.value_memo import clv_overview, one_generation, rfm_overview
    value_memo.forget()
    add_customers(store, ("c1", "2025-01-01", "active"))
    add_purchases(store, "c1", "2026-01-10")
    reads = []
    real = value_memo.data_generation
    monkeypatch.setattr(value_memo, "data_generation", lambda *args: reads.append(1) or real(*args))

    def page():
        return (rfm_overview(store, SITE, AS_OF, 365, 0.1), clv_overview(store, SITE, AS_OF, 365, 0.1),
                portfolio_overview(store, SITE, AS_OF, 365, 0.1))
    first = page()                        # computed, each value reading the generation itself
    assert len(reads) > 3
    reads.clear()
    with one_generation():
        assert page() == first
    assert len(reads) == 1
    # Outside the block every value reads it again: a change is never missed between pages.
    reads.clear()
    page()
    assert len(reads) == 3


def test_no_lock_is_left_behind_whether_a_value_is_computed_found_or_fails(store):
    from vigie.analytics.value_memo import remember
    value_memo.forget()
    assert remember(store, SITE, "test", (1,), lambda: 41) == 41
    assert remember(store, SITE, "test", (1,), lambda: 42) == 41     # kept

    def fails():
        raise RuntimeError("no")
    try:
        remember(store, SITE, "test", (2,), fails)
    except RuntimeError:
        pass
    assert value_memo._computing == {}
