"""`vigie alerts ...`: churn alert rules, channels, runs and the alert lifecycle.

Thin wrappers over the alerts package (the dashboard uses the same
functions); expected failures become CommandError so the CLI prints one line.
"""
import argparse
import datetime
import functools
import getpass

from alerts.channels import ChannelError, add_channel, list_channels, remove_channel
from alerts.delivery import deliveries, notify_test, send_digest
from alerts.engine import run_site
from alerts.rules import KINDS, SEVERITIES, RuleError, add_rule, list_rules, remove_rule
from alerts.state import (OUTCOMES, STATES, AlertError, acknowledge, assign, get_alert,
                          list_alerts, precision_by_rule, resolve, snooze, transitions)
from vigie.cli_common import CommandError, _command, _migrated_store, _settings
from warehouse.sites import get_site, normalise_domain


def _with_store(fn):
    """Open the migrated store for the command and turn the alert errors into CommandError."""
    @functools.wraps(fn)
    def run(args):
        settings = _settings(args)
        store = _migrated_store(settings)
        try:
            return fn(args, settings, store)
        except (RuleError, AlertError, ChannelError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            store.close()
    return run


def _site(store, domain):
    site = get_site(store, normalise_domain(domain))
    if site is None:
        raise CommandError(f"no site {domain!r} is registered (vigie sites add DOMAIN)")
    return site.domain


def _moment(text):
    """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' (UTC) for --until and --day."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM', UTC)")


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _whole(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive(text):
    value = _whole(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _actor():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _print_alert(alert):
    print(f"{alert.alert_id}\t{alert.site}\t{alert.customer_id}\t{alert.severity}\t{alert.state}\t"
          f"{alert.owner or '-'}\t{alert.opened_at:%Y-%m-%d %H:%M}\t{alert.rule_name}: {alert.detail}")


@_with_store
def cmd_run(args, settings, store):
    summary = run_site(store, settings, _site(store, args.site), deliver=not args.no_deliver)
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
def cmd_rules_add(args, settings, store):
    rule = add_rule(store, _site(store, args.site), args.kind, threshold=args.threshold,
                    months=args.months, baseline_months=args.baseline_months,
                    severity=args.severity, owner=args.owner or "", channels=args.channel or (),
                    name=args.name or "")
    print(f"rule {rule.rule_id} added to {rule.site}: {rule.name} ({rule.severity})")


@_with_store
def cmd_rules_list(args, settings, store):
    rules = list_rules(store, _site(store, args.site) if args.site else None)
    if not rules:
        print("no alert rules yet: vigie alerts rules add --site DOMAIN --kind KIND")
    for rule in rules:
        print(f"{rule.rule_id}\t{rule.site}\t{rule.kind}\t{rule.severity}\t{rule.owner or '-'}\t"
              f"{','.join(rule.channels) or 'all channels'}\t{rule.name}")


@_with_store
def cmd_rules_remove(args, settings, store):
    rule = remove_rule(store, args.rule_id)
    print(f"rule {rule.rule_id} removed from {rule.site}")


@_with_store
def cmd_channels_add(args, settings, store):
    channel = add_channel(store, _site(store, args.site), args.name, args.url,
                          mode="digest" if args.digest else "each")
    print(f"channel {channel.name} ({channel.mode}) saved for {channel.site}: {channel.target}")


@_with_store
def cmd_channels_list(args, settings, store):
    channels = list_channels(store, _site(store, args.site))
    if not channels:
        print("no channels yet: vigie alerts channels add --site DOMAIN NAME URL")
    for channel in channels:
        print(f"{channel.name}\t{channel.mode}\t{channel.target}")


@_with_store
def cmd_channels_remove(args, settings, store):
    channel = remove_channel(store, _site(store, args.site), args.name)
    print(f"channel {channel.name} removed from {channel.site}")


@_with_store
def cmd_notify_test(args, settings, store):
    results = notify_test(store, settings, _site(store, args.site))
    if not results:
        raise CommandError(f"site {args.site} has no channels: vigie alerts channels add ...")
    for channel, ok in results:
        print(f"{channel.name}\t{channel.target}\t{'sent' if ok else 'FAILED (see the log)'}")
    if not all(ok for _, ok in results):
        raise CommandError("some channels failed; `vigie alerts show` and the log say why")


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
    listing.add_argument("--limit", type=_positive, default=200, help="at most this many (default 200)")
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

    notify = _command(sub, "notify-test", "send a test message to every channel of a site")
    notify.add_argument("--site", required=True, help="the site's domain")
    notify.set_defaults(func=cmd_notify_test)

    digest = _command(sub, "digest", "send the daily digest of one day to the digest channels")
    digest.add_argument("--site", required=True, help="the site's domain")
    digest.add_argument("--day", type=_moment, help="the UTC day (default: yesterday)")
    digest.set_defaults(func=cmd_digest)

    rules = _command(sub, "rules", "alert rules of a site").add_subparsers(
        dest="rules_command", metavar="COMMAND", required=True)
    adding = _command(rules, "add", "add a rule")
    adding.add_argument("--site", required=True, help="the site's domain")
    adding.add_argument("--kind", required=True, choices=list(KINDS),
                        help="; ".join(f"{k}: {v[0]}" for k, v in KINDS.items()).replace("%", "%%"))
    adding.add_argument("--threshold", type=_number,
                        help="risk_above: probability 0-1; risk_rising: points; "
                             "purchase_drop: percent of the usual rate")
    adding.add_argument("--months", type=_whole, help="no_purchase, purchase_drop: months")
    adding.add_argument("--baseline-months", type=_whole,
                        help="purchase_drop: months before that give the usual rate (default 12)")
    adding.add_argument("--severity", choices=SEVERITIES, default="medium",
                        help="low, medium or high (default medium)")
    adding.add_argument("--owner", help="who gets the alerts when the client has no owner")
    adding.add_argument("--channel", action="append", metavar="NAME",
                        help="a channel the alerts go to (repeat; default: every channel)")
    adding.add_argument("--name", help="a name for the rule (default: its condition in words)")
    adding.set_defaults(func=cmd_rules_add)
    rules_list = _command(rules, "list", "list rules")
    rules_list.add_argument("--site", help="only this site")
    rules_list.set_defaults(func=cmd_rules_list)
    removing = _command(rules, "remove", "remove a rule (its alerts stay)")
    removing.add_argument("rule_id", help="the rule id (see vigie alerts rules list)")
    removing.set_defaults(func=cmd_rules_remove)

    channels = _command(sub, "channels", "where a site's alerts are sent").add_subparsers(
        dest="channels_command", metavar="COMMAND", required=True)
    channel_add = _command(channels, "add", "add or replace a channel (an apprise URL)")
    channel_add.add_argument("--site", required=True, help="the site's domain")
    channel_add.add_argument("name", help="a short name rules refer to, e.g. retention-mail")
    channel_add.add_argument("url", help="apprise URL: mailto://..., json://..., slack://...")
    channel_add.add_argument("--digest", action="store_true",
                             help="one message a day listing the day's new alerts")
    channel_add.set_defaults(func=cmd_channels_add)
    channel_list = _command(channels, "list", "list a site's channels (secrets masked)")
    channel_list.add_argument("--site", required=True, help="the site's domain")
    channel_list.set_defaults(func=cmd_channels_list)
    channel_remove = _command(channels, "remove", "remove a channel")
    channel_remove.add_argument("--site", required=True, help="the site's domain")
    channel_remove.add_argument("name", help="the channel's name")
    channel_remove.set_defaults(func=cmd_channels_remove)
