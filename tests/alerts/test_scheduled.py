"""`vigie serve` evaluates alert rules on a schedule."""
import threading
import time

from vigie.alerts.engine import run_all_sites
from vigie.alerts.rules import add_rule
from vigie.alerts.state import list_alerts
from tests.alert_factories import add_customers
from tests.factories import at


def test_the_server_runs_alerts_on_its_schedule(settings, store, site):
    from vigie.app import create_app
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    app = create_app(settings.replace(alert_interval_minutes=15), store=store,
                     start_background=False)
    try:
        scheduler = app.extensions["vigie"].scheduler
        assert scheduler.job_names[-1] == "churn alerts"
        scheduler.run_pending(now=time.monotonic() + 14 * 60)
        assert list_alerts(store, site=site) == []
        scheduler.run_pending(now=time.monotonic() + 15 * 60 + 1)
        assert [a.customer_id for a in list_alerts(store, site=site)] == ["c1"]
    finally:
        app.extensions["vigie"].close()


def test_concurrent_workers_run_a_site_once_per_slot(store, site, alert_settings):
    add_customers(store, ("c1", "2023-01-01", "cancelled"))
    add_rule(store, site, "contract_cancelled")
    now = at("2024-06-01 08:10:00")
    results = []
    workers = [threading.Thread(target=lambda: results.append(
        run_all_sites(store, alert_settings, now, settle_seconds=0.5))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(list_alerts(store, site=site)) == 1
    # Later in the same hour-long slot: already claimed, nothing runs.
    assert run_all_sites(store, alert_settings, at("2024-06-01 08:50:00"), settle_seconds=0) == []
    # The next slot runs again (and finds the alert already open).
    [summary] = run_all_sites(store, alert_settings, at("2024-06-01 09:00:00"), settle_seconds=0)
    assert (summary.opened, summary.updated) == ([], 1)
