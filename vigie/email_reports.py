"""Sending the scheduled email reports: what is due, who sends it, and the record of it.

Every `report_interval_minutes` each worker of `vigie serve` looks, for each
subscription, at the last complete week or month in its site's time zone.
One not yet sent (no `sent` row in report_sends) is due. The due
(subscription, period) pairs are claimed in warehouse.run_claims for the
current time slot, as the alerts run claims its sites, so among several
workers only the earliest claim sends each one. Each send is recorded:
`sent` and that period is never sent again to that subscription; `failed`
(logged with the reason) and the next slot tries again, up to
`report_retry_runs` failed runs, after which that period is given up (an
error in the server log says so).

Before sending, the delivery log is read for the same key: a message the
mail server accepted, in a run whose `sent` record could not be written,
is recorded as sent instead of going out a second time.

The report goes through apprise (alerts.delivery.send: retries, and a line per
attempt in the delivery log) to the `report_mail_url` setting's mail server,
with the subscription's address as the recipient and RFC 8058 one-click
List-Unsubscribe headers. A subscription whose account was removed or lost
access to the site sends nothing.
"""
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import apprise

from vigie.alerts.clock import utcnow
from vigie.alerts.delivery import delivered, send
from vigie.alerts.destinations import Channel
from vigie.analytics.email_report import (dashboard_link, last_complete_period, render_html,
                                          report_numbers, subject)
from vigie.analytics.period import local_now
from vigie.warehouse.report_subscriptions import (all_subscriptions, record_send, send_outcomes,
                                                  unsubscribe_link_key)
from vigie.warehouse.run_claims import claim_sites, slot_of
from vigie.warehouse.sites import list_sites
from vigie.warehouse.users import get_user

log = logging.getLogger(__name__)

RUN_CLAIMS_JOB = "email-reports"
CHANNEL_NAME = "email-report"
EMAIL_SCHEMES = ("mailto", "mailtos")


class ReportError(ValueError):
    """A report cannot be sent as asked; the message says why."""


def public_url(settings):
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def unsubscribe_url(settings, sub):
    return f"{public_url(settings)}/reports/unsubscribe/{unsubscribe_link_key(sub)}"


def recipient_url(mail_url, recipient, unsubscribe):
    """The apprise URL of one report email: the mail server's URL with the recipient, HTML,
    and the one-click unsubscribe headers (apprise's +HEADER=value parameters)."""
    parts = urlsplit(mail_url)
    if parts.scheme not in EMAIL_SCHEMES:
        return mail_url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in ("to", "format")]
    query += [("to", recipient), ("format", "html"), ("+List-Unsubscribe", f"<{unsubscribe}>"),
              ("+List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def may_receive(store, sub):
    """Does the subscription's account still exist and see its site?"""
    user = get_user(store, sub.account)
    return user is not None and user.can("analytics") and user.can_see_site(sub.site)


@dataclass
class ReportRun:
    sent: list = field(default_factory=list)      # (subscription_id, period start)
    failed: list = field(default_factory=list)
    not_ours: int = 0                              # due, claimed by another worker this slot
    skipped: int = 0                               # account gone or without access
    given_up: int = 0                              # failed report_retry_runs times: no more tries


def report_key(sub, period):
    """The report's key in the delivery log."""
    return f"report:{sub.subscription_id}:{period.start:%Y-%m-%d}"


def send_report(store, settings, sub, site, period, numbers=None, sleep=time.sleep, again=False):
    """Send `sub`'s report of `period` and record the outcome; True when it went out.

    `again`: send it even if the mail server already took it (`vigie reports send
    --subscription`, asked by a person)."""
    if not settings.report_mail_url:
        raise ReportError("report_mail_url is not set: email reports have no mail server to go through")
    key = report_key(sub, period)
    if not again and delivered(store, sub.site, CHANNEL_NAME, key):
        record_send(store, sub, period, "sent")
        log.warning("email report %s of %s was already accepted by the mail server; recorded as sent, "
                    "not sent again", key, sub.site)
        return True
    numbers = numbers or report_numbers(store, site, sub.frequency, period, settings.visit_timeout_minutes)
    link = unsubscribe_url(settings, sub)
    body = render_html(numbers, dashboard_link(public_url(settings), site.domain, period), link)
    channel = Channel(sub.site, CHANNEL_NAME, recipient_url(settings.report_mail_url, sub.recipient, link),
                      "each", utcnow())
    ok = send(store, settings, channel, key, subject(numbers), body, sleep,
              body_format=apprise.NotifyFormat.HTML)
    record_send(store, sub, period, "sent" if ok else "failed",
                "" if ok else "delivery failed; see the delivery log of this key: " + key)
    if not ok:
        log.warning("email report %s of %s (%s) failed; retried at the next run", key, sub.site,
                    sub.frequency)
    return ok


def due_reports(store, now, retry_runs):
    """([(subscription, site, period, failed runs so far)] whose last complete period is to be
    sent, and how many were given up after `retry_runs` failed runs)."""
    sites = {s.domain: s for s in list_sites(store)}
    candidates = []
    for sub in all_subscriptions(store):
        site = sites.get(sub.site)
        if site is not None:
            period = last_complete_period(sub.frequency, local_now(site.timezone, now).date())
            candidates.append((sub, site, period))
    if not candidates:
        return [], 0
    outcomes = send_outcomes(store, [c[0].subscription_id for c in candidates],
                             min(c[2].start for c in candidates))
    due, given_up = [], 0
    for candidate in candidates:
        sent, failures = outcomes.get((candidate[0].subscription_id, candidate[2].start), (False, 0))
        if sent:
            continue
        if failures >= retry_runs:
            given_up += 1
        else:
            due.append((*candidate, failures))
    return due, given_up


def run_reports(store, settings, now=None, settle_seconds=1.0, sleep=time.sleep):
    """The scheduled job: send every due report this worker wins the claim of."""
    now = now or utcnow()
    run = ReportRun()
    if not settings.report_mail_url:
        return run
    due, run.given_up = due_reports(store, now, settings.report_retry_runs)
    keys = {f"{sub.subscription_id}:{period.start:%Y-%m-%d}": (sub, site, period, failures)
            for sub, site, period, failures in due}
    ours = claim_sites(store, RUN_CLAIMS_JOB, sorted(keys), slot_of(now, settings.report_interval_minutes * 60),
                       settle_seconds)
    run.not_ours = len(keys) - len(ours)
    numbers = {}
    for key in sorted(ours):
        sub, site, period, failures = keys[key]
        if not may_receive(store, sub):
            run.skipped += 1
            log.info("email report %s not sent: %s no longer sees %s", key, sub.account, sub.site)
            continue
        try:
            shared = (site.domain, sub.frequency, period)
            if shared not in numbers:
                numbers[shared] = report_numbers(store, site, sub.frequency, period,
                                                 settings.visit_timeout_minutes)
            ok = send_report(store, settings, sub, site, period, numbers[shared], sleep)
        except Exception:
            log.exception("email report %s of %s failed; retried at the next run", key, sub.site)
            ok = False
        (run.sent if ok else run.failed).append((sub.subscription_id, period.start))
        if not ok and failures + 1 >= settings.report_retry_runs:
            log.error("email report %s of %s failed %d runs: given up; its failures are in the "
                      "delivery log", key, sub.site, settings.report_retry_runs)
    if due:
        log.info("email reports: %d sent, %d failed, %d sent by another worker, %d skipped",
                 len(run.sent), len(run.failed), run.not_ours, run.skipped)
    return run


def schedule_email_reports(scheduler, store, settings):
    """Register the email reports job; warn once when its links would name this host's own
    bind address (public_url unset), which readers outside this machine cannot open."""
    if settings.report_mail_url and not settings.public_url:
        log.warning("email reports are on (report_mail_url) but public_url is not set: their "
                    "dashboard and unsubscribe links will point at %s, which only works where "
                    "that address is reachable; set public_url to the address people open Vigie at",
                    public_url(settings))
    scheduler.every(settings.report_interval_minutes * 60, "email reports",
                    lambda: run_reports(store, settings))
