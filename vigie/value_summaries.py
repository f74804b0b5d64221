"""Customer-value summaries computed ahead, on the server's scheduler.

The Churn and Customers pages show summaries of every client's value (RFM
counts, CLV, portfolio value and trend, the matrix) that take seconds to
compute at 100,000 clients, once per change of the site's data or scores
(analytics.value_memo keeps them, in the store for every worker). Computed
here on a schedule, the first retention lead to open a page after the day's
import or scoring reads them instead of waiting for them, and the page loads
after theirs do not run behind that computation. One worker per slot computes
(warehouse.run_claims); a site whose data has not changed costs two hash scans.
"""
import datetime
import logging

from vigie.analytics.portfolio import keep_page_summaries
from vigie.warehouse.run_claims import claim_slot, finish_slot
from vigie.warehouse.sites import list_sites

log = logging.getLogger(__name__)

JOB = "customer value"


def keep_every_site(store, settings, today):
    """keep_page_summaries for every site as of `today`; a failing site never stops the others.

    Returns {domain: True (kept), False (no client yet) or the error message}.
    """
    outcome = {}
    for site in list_sites(store):
        try:
            outcome[site.domain] = keep_page_summaries(
                store, site.domain, today, settings.clv_horizon_days, settings.clv_discount_rate,
                settings.portfolio_trend_months, settings.matrix_value_cutoff,
                settings.matrix_tenure_cutoff_days)
        except Exception as exc:  # noqa: BLE001 (logged; the page computes it when asked)
            log.exception("customer value summaries of %s failed", site.domain)
            outcome[site.domain] = f"{type(exc).__name__}: {exc}"
    return outcome


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def schedule_value_summaries(scheduler, store, settings, clock=_utcnow, settle_seconds=1.0):
    """One scheduler entry: every value_summaries_interval_seconds, on the worker that claims the slot."""
    seconds = settings.value_summaries_interval_seconds

    def run():
        now = clock()
        claim = claim_slot(store, JOB, now, seconds, settings.job_claim_lease_seconds, settle_seconds)
        if claim is None:
            return
        keep_every_site(store, settings, now.date())
        finish_slot(store, claim, clock())
    scheduler.every(seconds, JOB, run, run_now=True)
