"""Settings area: job status, the latest run of each analytics job and of each site's alerts."""
from dash import html

from vigie.alerts.engine import RUN_CLAIMS_JOB
from vigie.analytics.jobs import job_status
from vigie.dashboard.settings_areas.common import current_store
from vigie.dashboard.settings_view import alert_runs_table, job_status_table
from vigie.warehouse.run_claims import last_runs


def section(sites):
    return html.Section(className="card", children=[
        html.H2("Job status"),
        html.H3("Analytics jobs"), job_status_table(job_status(current_store())),
        html.H3("Alerts runs"), alert_runs_table(last_runs(current_store(), RUN_CLAIMS_JOB))])
