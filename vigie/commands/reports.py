"""`vigie reports list | send`: the email report subscriptions, and sending by hand.

`send` without options does what `vigie serve` does every
report_interval_minutes (the due reports, claimed so that a running server
does not send them too); with --subscription it sends that subscription's
last complete period now, even if it went out already: how an admin checks
the mail settings or replaces a lost email.
"""
from vigie.alerts.clock import utcnow
from vigie.analytics.email_report import last_complete_period
from vigie.analytics.period import local_now
from vigie.cli_common import CommandError, _command, _settings, command_store, registered_site
from vigie.email_reports import ReportError, run_reports, send_report
from vigie.warehouse.report_subscriptions import all_subscriptions, get_subscription, report_sends


def cmd_reports_list(args):
    with command_store(args) as store:
        subs = all_subscriptions(store)
        if args.site:
            domain = registered_site(store, args.site).domain
            subs = [s for s in subs if s.site == domain]
        if not subs:
            print("no email report subscription (accounts subscribe in Settings > Email reports)")
        for sub in subs:
            sends = report_sends(store, sub.subscription_id)
            last = (f"last: {sends[-1]['status']} {sends[-1]['period_start']:%Y-%m-%d} "
                    f"({sends[-1]['ts']:%Y-%m-%d %H:%M} UTC)") if sends else "never sent"
            print(f"{sub.subscription_id}\t{sub.site}\t{sub.frequency}\t{sub.recipient}\t"
                  f"by {sub.account}\t{last}")


def _check_mail(settings):
    if not settings.report_mail_url:
        raise CommandError("report_mail_url is not set: email reports have no mail server to go "
                           "through (docs/email-reports.md)")


def _send_one(store, settings, subscription_id):
    sub = get_subscription(store, subscription_id)
    if sub is None:
        raise CommandError(f"no subscription {subscription_id!r}: see `vigie reports list`")
    site = registered_site(store, sub.site)
    period = last_complete_period(sub.frequency, local_now(site.timezone, utcnow()).date())
    try:
        ok = send_report(store, settings, sub, site, period, again=True)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    label = f"{sub.frequency} report of {sub.site} for {period.start:%Y-%m-%d} to {sub.recipient}"
    if not ok:
        raise CommandError(f"{label} failed: see the delivery log on the Alerts page "
                           f"(key report:{sub.subscription_id}:{period.start:%Y-%m-%d})")
    print(f"sent the {label}")


def cmd_reports_send(args):
    settings = _settings(args)
    _check_mail(settings)
    with command_store(args, settings=settings) as store:
        if args.subscription:
            return _send_one(store, settings, args.subscription)
        run = run_reports(store, settings)
        print(f"email reports: {len(run.sent)} sent, {len(run.failed)} failed, "
              f"{run.not_ours} sent by a running server, {run.skipped} skipped (account without "
              f"access), {run.given_up} given up after report_retry_runs failed runs")
        if run.failed:
            raise CommandError(f"{len(run.failed)} report(s) failed; they are retried at the next run")


def register(commands):
    reports = _command(commands, "reports", "email report subscriptions, and sending them by hand")
    sub = reports.add_subparsers(dest="reports_command", metavar="COMMAND", required=True)
    listing = _command(sub, "list", "every subscription and its last send")
    listing.add_argument("--site", metavar="DOMAIN", help="only this site's subscriptions")
    listing.set_defaults(func=cmd_reports_list)
    send = _command(sub, "send", "send the due reports now, or one subscription's again")
    send.add_argument("--subscription", metavar="ID",
                      help="send this subscription's last complete week or month now, even if it "
                           "was sent already (ids: vigie reports list)")
    send.set_defaults(func=cmd_reports_send)
