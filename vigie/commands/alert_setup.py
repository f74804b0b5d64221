"""`vigie alerts rules|channels|notify-test`: what a site's alerts look for and where they go.

Also the helpers every `vigie alerts` command shares (vigie.commands.alerts
imports them from here): the store around a command, the site check, and
argument types with clear messages.
"""
import argparse
import functools

from vigie.alerts.destinations import ChannelError, add_channel, list_channels, remove_channel
from vigie.alerts.delivery import notify_test
from vigie.alerts.rules import KINDS, SEVERITIES, RuleError, add_rule, list_rules, remove_rule
from vigie.alerts.state import AlertError
from vigie.cli_common import CommandError, _command, _settings, command_store, registered_site


def _with_store(fn):
    """Open the migrated store for the command and turn the alert errors into CommandError."""
    @functools.wraps(fn)
    def run(args):
        settings = _settings(args)
        with command_store(args, (RuleError, AlertError, ChannelError), settings) as store:
            return fn(args, settings, store)
    return run


def _site(store, domain):
    return registered_site(store, domain).domain


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


def add_setup_commands(sub):
    """Add rules, channels and notify-test under `vigie alerts`."""
    notify = _command(sub, "notify-test", "send a test message to every channel of a site")
    notify.add_argument("--site", required=True, help="the site's domain")
    notify.set_defaults(func=cmd_notify_test)

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
