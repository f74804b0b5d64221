"""`vigie alerts ...`: runs, the alert lifecycle and the daily digest.

Thin wrappers over the alerts package (the dashboard uses the same
functions); expected failures become CommandError so the CLI prints one line.
Rules, channels and notify-test are in vigie.commands.alert_setup.
"""
import argparse
import datetime
import getpass

from vigie.alerts.delivery import deliveries, send_digest
from vigie.alerts.engine import run_site
from vigie.audiences import matrix_audiences
from vigie.alerts.state import (OUTCOMES, STATES, acknowledge, assign, get_alert, list_alerts,
                                precision_by_rule, resolve, snooze, transitions)
from vigie.cli_common import CommandError, _command, _positive
from vigie.commands.alert_setup import _site, _with_store, add_setup_commands


def _moment(text):
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' (UTC) for --until and --day."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            moment = datetime.datetime.strptime(text.strip(), fmt)
            return moment.replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM', UTC)")


def _actor():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _print_alert(alert):
    print(f"{alert.alert_id}\t{alert.site}\t{alert.customer_id}\t{alert.severity}\t"
          f"{alert.state}\t{alert.owner or '-'}\t{alert.opened_at:%Y-%m-%d %H:%M}\t"
          f"{alert.rule_name}: {alert.detail}")


@_with_store
def cmd_run(args, settings, store):
    summary = run_site(store, settings, _site(store, args.site), deliver=not args.no_deliver,
                       audiences=matrix_audiences(settings))
    print(summary)
    for alert in summary.opened:
        _print_alert(alert)


@_with_store
def cmd_list(args, settings, store):
    site = _site(store, args.site) if args.site else None
    found = list_alerts(store, site=site, state=args.state, customer_id=args.client,
                        limit=args.limit)
    if not found:
        print("no alerts")
    for alert in found:
        _print_alert(alert)


@_with_store
def cmd_show(args, settings, store):
    alert = get_alert(store, args.id)
    if alert is None:
        raise CommandError(f"no alert {args.id!r}")
    _print_alert(alert)
    print(f"probability: {alert.probability:.0%}" if alert.has_score else "probability: not scored")
    for reason in alert.reasons:
        print(f"reason: {reason}")
    for ts, actor, action, _, to_state, outcome, note in transitions(store, alert.alert_id):
        extra = " ".join(x for x in (outcome, note) if x)
        print(f"{ts:%Y-%m-%d %H:%M:%S}\t{actor}\t{action} -> {to_state}\t{extra}".rstrip())
    for row in deliveries(store, alert.site, alert.alert_id):
        print(f"{row['ts']:%Y-%m-%d %H:%M:%S}\tsent to {row['channel']} ({row['target']}) "
              f"attempt {row['attempt']}: {row['status']} {row['error']}".rstrip())


@_with_store
def cmd_ack(args, settings, store):
    alert = acknowledge(store, args.id, args.by)
    print(f"alert {alert.alert_id} acknowledged by {args.by}")


@_with_store
def cmd_snooze(args, settings, store):
    alert = snooze(store, args.id, args.until, args.by)
    print(f"alert {alert.alert_id} snoozed until {alert.snoozed_until:%Y-%m-%d %H:%M} UTC")


@_with_store
def cmd_resolve(args, settings, store):
    alert = resolve(store, args.id, args.outcome, args.by, note=args.note)
    print(f"alert {alert.alert_id} resolved: {alert.outcome}")


@_with_store
def cmd_assign(args, settings, store):
    alert = assign(store, args.id, args.owner, args.by)
    print(f"alert {alert.alert_id} assigned to {alert.owner}")


@_with_store
def cmd_precision(args, settings, store):
    rows = precision_by_rule(store, _site(store, args.site))
    if not rows:
        print("no resolved alerts yet")
    for row in rows:
        print(f"{row.rule_id}\t{row.rule_name}\tresolved {row.resolved}\tchurned {row.churned}\t"
              f"retained {row.retained}\tother {row.other}\tprecision {row.precision:.0%}")


@_with_store
def cmd_digest(args, settings, store):
    site = _site(store, args.site)
    start = args.day or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    day_alerts = list_alerts(store, site=site, opened_from=start,
                             opened_before=start + datetime.timedelta(days=1), limit=100000)
    sent, failed = send_digest(store, settings, site, start.date(), day_alerts)
    print(f"{start:%Y-%m-%d}: {len(day_alerts)} new alert(s); digest sent to {sent} channel(s), "
          f"{failed} failed")


def _alert_command(parent, name, summary, func):
    parser = _command(parent, name, summary)
    parser.add_argument("id", help="the alert id (see vigie alerts list)")
    parser.add_argument("--by", default=_actor(), help="who does it, for the audit trail "
                        "(default: your login name)")
    parser.set_defaults(func=func)
    return parser


def register(commands):
    alerts = _command(commands, "alerts", "churn alerts: rules, channels, runs and follow-up")
    sub = alerts.add_subparsers(dest="alerts_command", metavar="COMMAND", required=True)

    run = _command(sub, "run", "evaluate a site's rules, open or update alerts and deliver them")
    run.add_argument("--site", required=True, help="the site's domain")
    run.add_argument("--no-deliver", action="store_true", help="open alerts but send nothing")
    run.set_defaults(func=cmd_run)

    listing = _command(sub, "list", "list alerts, newest first")
    listing.add_argument("--site", help="only this site")
    listing.add_argument("--state", choices=STATES, help="only alerts in this state")
    listing.add_argument("--client", help="only this client id")
    listing.add_argument("--limit", type=_positive, default=200,
                         help="at most this many (default 200)")
    listing.set_defaults(func=cmd_list)

    show = _command(sub, "show", "one alert with its history and deliveries")
    show.add_argument("id", help="the alert id")
    show.set_defaults(func=cmd_show)

    _alert_command(sub, "ack", "acknowledge an alert (someone is on it)", cmd_ack)
    snoozing = _alert_command(sub, "snooze", "hide an alert until a date; it opens again then",
                              cmd_snooze)
    snoozing.add_argument("--until", type=_moment, required=True,
                          help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM', UTC")
    resolving = _alert_command(sub, "resolve", "close an alert with what happened to the client",
                               cmd_resolve)
    resolving.add_argument("--outcome", choices=OUTCOMES, required=True,
                           help="retained, churned or other")
    resolving.add_argument("--note", default="", help="what was done, for the team")
    assigning = _alert_command(sub, "assign", "give an alert to someone", cmd_assign)
    assigning.add_argument("owner", help="the new owner (a name or an email address)")

    precision = _command(sub, "precision", "per rule, how resolved alerts turned out")
    precision.add_argument("--site", required=True, help="the site's domain")
    precision.set_defaults(func=cmd_precision)

    digest = _command(sub, "digest", "send the daily digest of one day to the digest channels")
    digest.add_argument("--site", required=True, help="the site's domain")
    digest.add_argument("--day", type=_moment, help="the UTC day (default: yesterday)")
    digest.set_defaults(func=cmd_digest)

    add_setup_commands(sub)
