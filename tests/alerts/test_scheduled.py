"""`vigie serve` evaluates alert rules on a schedule."""
import time

from alerts.rules import add_rule
from alerts.state import list_alerts
from tests.alert_factories import add_customers


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
