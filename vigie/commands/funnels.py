"""`vigie funnels add|list|remove`: a site's funnels (ordered conversion steps)."""
import argparse

from vigie.analytics.funnels import (FunnelError, MAX_WINDOW_DAYS, add_funnel, list_funnels, parse_step,
                              remove_funnel)
from vigie.cli_common import _command, command_store
from vigie.warehouse.sites import get_site


def _with_store(args, action):
    with command_store(args, FunnelError) as store:
        return action(store)


def _describe(funnel):
    steps = " > ".join(f"{'page' if k == 'pageview' else 'event'}:{p}" for k, p in funnel.steps)
    return f"{funnel.funnel_id}\t{funnel.name}\twithin {funnel.window}\t{steps}"


def _window_days(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= MAX_WINDOW_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 1 and {MAX_WINDOW_DAYS}")
    return value


def _step(text):
    try:
        return parse_step(text)
    except FunnelError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_funnels_add(args):
    funnel = _with_store(args, lambda store: add_funnel(
        store, args.domain, args.name, args.step or [], window_days=args.within_days or 0))
    print(f"funnel added: {_describe(funnel)}")


def cmd_funnels_list(args):
    def show(store):
        site = get_site(store, args.domain)
        if site is None:
            raise FunnelError(f"no site {args.domain!r} is registered")
        funnels = list_funnels(store, site.domain)
        if not funnels:
            print(f"no funnels yet: vigie funnels add {site.domain} --name Signup "
                  "--step page:/pricing --step event:signup")
        for funnel in funnels:
            print(_describe(funnel))
    _with_store(args, show)


def cmd_funnels_remove(args):
    funnel = _with_store(args, lambda store: remove_funnel(store, args.domain, args.funnel_id))
    print(f"funnel removed: {_describe(funnel)}")


def register(commands):
    funnels = _command(commands, "funnels", "funnels (ordered conversion steps) of a site").add_subparsers(
        dest="funnels_command", metavar="COMMAND", required=True)

    add = _command(funnels, "add", "add a funnel")
    add.add_argument("domain", help="the site's domain, e.g. shop.example.com")
    add.add_argument("--name", required=True, help="the funnel's name, unique per site")
    add.add_argument("--step", action="append", type=_step, metavar="STEP",
                     help="a step, in order (repeat 2 to 8 times): page:/PATTERN "
                          "(* = one segment, ** = anything) or event:NAME")
    add.add_argument("--within-days", type=_window_days, metavar="N",
                     help="count steps within N days of step 1 (default: within one visit)")
    add.set_defaults(func=cmd_funnels_add)

    listing = _command(funnels, "list", "list a site's funnels")
    listing.add_argument("domain", help="the site's domain")
    listing.set_defaults(func=cmd_funnels_list)

    remove = _command(funnels, "remove", "remove a funnel")
    remove.add_argument("domain", help="the site's domain")
    remove.add_argument("funnel_id", help="the funnel's id, as `vigie funnels list` shows it")
    remove.set_defaults(func=cmd_funnels_remove)
