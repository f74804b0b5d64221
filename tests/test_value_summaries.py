"""The server computes the retention pages' value summaries ahead, once per slot across workers."""
import datetime

from tests.alert_factories import SITE, add_customers, add_purchases
from vigie import value_summaries
from vigie.analytics import value_memo
from vigie.analytics.portfolio import matrix_overview, portfolio_overview, portfolio_trend
from vigie.analytics.value_memo import clv_overview, rfm_overview
from vigie.scheduler import Scheduler
from vigie.warehouse.sites import add_site

NOW = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.timezone.utc)


def _shop(store):
    add_site(store, SITE)
    add_site(store, "no-clients.example")
    add_customers(store, *[(f"c{n}", "2025-01-01", "active") for n in range(12)])
    for n in range(12):
        add_purchases(store, f"c{n}", *[f"2025-{m:02d}-{5 + n:02d}" for m in range(1, 2 + n % 9)],
                      amount=20.0 + n)


def test_what_the_pages_show_is_computed_ahead_and_read_without_computing(store, settings, monkeypatch):
    value_memo.forget()
    _shop(store)
    assert value_summaries.keep_every_site(store, settings, NOW.date()) == {
        SITE: True, "no-clients.example": False}
    value_memo.forget()   # another worker process: nothing in memory

    def refused(*args):
        raise AssertionError("the page computed what the server had computed ahead")
    monkeypatch.setattr(value_memo, "customer_histories", refused)
    day, horizon, rate = NOW.date(), settings.clv_horizon_days, settings.clv_discount_rate
    assert rfm_overview(store, SITE, day, horizon, rate)["customers"] == 12
    assert clv_overview(store, SITE, day, horizon, rate)["customers"] == 12
    assert portfolio_overview(store, SITE, day, horizon, rate)["buyers"] == 12
    assert sum(c["clients"] for c in matrix_overview(store, SITE, day, horizon, rate, None, None)["cells"]) == 12
    assert len(portfolio_trend(store, SITE, day, settings.portfolio_trend_months, horizon, rate)) == \
        settings.portfolio_trend_months


def test_two_workers_compute_a_slot_once(store, settings, monkeypatch):
    value_memo.forget()
    _shop(store)
    runs = []
    monkeypatch.setattr(value_summaries, "keep_every_site",
                        lambda store, settings, today: runs.append(today) or {})
    workers = [Scheduler(), Scheduler()]
    for scheduler in workers:
        value_summaries.schedule_value_summaries(scheduler, store, settings, clock=lambda: NOW,
                                                 settle_seconds=0.2)
    for scheduler in workers:
        scheduler.run_pending()
    assert runs == [NOW.date()]
