"""One alerts run for a site: evaluate the rules, open or update alerts, deliver.

An alert opens when a client enters a rule's risk state; while that alert is
in progress (open, acknowledged or snoozed) later runs only refresh its values,
so two runs never make two alerts. After a resolution the pair (client, rule)
cools down for alert_cooldown_days; a client still at risk after that is
alerted again. Across all rules a client gets at most alert_cap_per_client new
alerts per alert_cap_days: the most severe rules are evaluated first so the
cap keeps the alerts that matter most, and a capped hit is simply tried again
at the next run.
"""
import datetime
import logging
import time
from dataclasses import dataclass, field

from vigie.alerts.clock import utcnow
from vigie.alerts.conditions import SiteData, client_facts, evaluate
from vigie.alerts.delivery import deliver_alerts, send_digest, yesterday
from vigie.alerts.rules import SEVERITIES, list_rules
from vigie.alerts.state import (cooling_and_cap, list_alerts, new_alert, refreshed, save_run,
                                wake_snoozed)
from vigie.alerts.traffic_alerts import run_traffic_alerts
from vigie.warehouse.run_claims import claim_sites, slot_of
from vigie.warehouse.sites import list_sites

log = logging.getLogger(__name__)

# The alerts run's name among scheduled runs (warehouse.run_claims), claimed site by site.
RUN_CLAIMS_JOB = "alerts"


@dataclass
class RunSummary:
    site: str
    rules: int = 0
    opened: list = field(default_factory=list)
    updated: int = 0  # hits on an alert already in progress; rewritten only when values changed
    cooling_down: int = 0
    capped: int = 0
    woken: int = 0
    sent: int = 0
    failed: int = 0
    digests_sent: int = 0
    traffic_notices: list = field(default_factory=list)  # traffic spikes and drops notified
    traffic_capped: int = 0  # due but over the twice-a-day cap

    def __str__(self):
        return (f"{self.site}: {self.rules} rule(s), {len(self.opened)} new alert(s), "
                f"{self.updated} already alerted (values refreshed), "
                f"{self.cooling_down} in cool-down, {self.capped} over the per-client cap, "
                f"{self.woken} back from snooze; {self.sent} message(s) sent, "
                f"{self.failed} failed, {self.digests_sent} digest(s) sent, "
                f"{len(self.traffic_notices)} traffic alert(s)"
                + (f" ({self.traffic_capped} over the daily cap)" if self.traffic_capped else ""))


def evaluate_site(store, settings, site, now=None, audiences=None):
    """Open and refresh the alerts of one site; no delivery. Returns a RunSummary.

    `audiences`: the matrix placement matrix rules need (alerts.conditions.SiteData).
    """
    now = now or utcnow()
    summary = RunSummary(site)
    summary.woken = len(wake_snoozed(store, site, now))
    rank = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    rules = sorted(list_rules(store, site), key=lambda r: (rank[r.severity], r.created_at))
    summary.rules = len(rules)
    if not rules:
        return summary
    data = SiteData(store, site, now, audiences)
    hits = [(rule, evaluate(data, rule)) for rule in rules]
    facts = client_facts(data, {cid for _, found in hits for cid in found})
    active, resolved_at, opened_recently = cooling_and_cap(
        store, site, now, settings.alert_cooldown_days, settings.alert_cap_days)
    cooldown = datetime.timedelta(days=settings.alert_cooldown_days)
    changed = []
    for rule, found in hits:
        for cid in sorted(found):
            key = (cid, rule.rule_id)
            if key in active:
                summary.updated += 1
                fresh = refreshed(active[key], found[cid], facts[cid], now)
                if fresh is not None:
                    changed.append(fresh)
            elif key in resolved_at and now - resolved_at[key] < cooldown:
                summary.cooling_down += 1
            elif opened_recently.get(cid, 0) >= settings.alert_cap_per_client:
                summary.capped += 1
            else:
                summary.opened.append(new_alert(rule, found[cid], facts[cid], now))
                opened_recently[cid] = opened_recently.get(cid, 0) + 1
    save_run(store, summary.opened, changed, now)
    return summary


def run_site(store, settings, site, now=None, deliver=True, sleep=time.sleep, audiences=None):
    """evaluate_site, then send the new alerts and yesterday's digest, then check the traffic."""
    now = now or utcnow()
    summary = evaluate_site(store, settings, site, now, audiences)
    if deliver:
        rules_by_id = {r.rule_id: r for r in list_rules(store, site)}
        summary.sent, summary.failed = deliver_alerts(store, settings, site, summary.opened,
                                                      rules_by_id, sleep)
        day = yesterday(now)
        start = datetime.datetime.combine(day, datetime.time(), now.tzinfo)
        recent = list_alerts(store, site=site, opened_from=start,
                             opened_before=start + datetime.timedelta(days=1), limit=100000)
        summary.digests_sent, digest_failed = send_digest(store, settings, site, day, recent, sleep)
        summary.failed += digest_failed
        traffic = run_traffic_alerts(store, settings, site, now, sleep)
        summary.traffic_notices, summary.traffic_capped = traffic.notices, traffic.capped
        summary.sent += traffic.sent
        summary.failed += traffic.failed
    log.info("alerts run %s", summary)
    return summary


def run_all_sites(store, settings, now=None, settle_seconds=1.0, audiences=None):
    """The scheduled job: every registered site whose run in this time slot is ours.

    One site failing does not stop the others. Returns the RunSummary of each
    site this process ran (warehouse.run_claims decides which).
    """
    now = now or utcnow()
    slot = slot_of(now, settings.alert_interval_minutes * 60)
    sites = [site.domain for site in list_sites(store)]
    ours = claim_sites(store, RUN_CLAIMS_JOB, sites, slot, settle_seconds)
    summaries = []
    for site in sites:
        if site not in ours:
            log.info("alerts for %s in this slot are run by another worker", site)
            continue
        try:
            summaries.append(run_site(store, settings, site, now, audiences=audiences))
        except Exception:
            log.exception("alerts run failed for site %s", site)
    return summaries
