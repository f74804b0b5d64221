"""`vigie goals add|list|remove`: a site's conversion goals."""
from vigie.analytics.goals import GoalError, add_goal, list_goals, remove_goal
from vigie.cli_common import _command, command_store
from vigie.warehouse.sites import get_site


def _with_store(args, action):
    with command_store(args, GoalError) as store:
        return action(store)


def _describe(goal):
    what = f"page {goal.pattern}" if goal.kind == "pageview" else f"event {goal.pattern}"
    return f"{goal.goal_id}\t{goal.name}\t{what}{' (revenue)' if goal.revenue_goal else ''}"


def cmd_goals_add(args):
    kind, pattern = ("pageview", args.page) if args.page is not None else ("event", args.event)
    goal = _with_store(args, lambda store: add_goal(store, args.domain, kind, pattern,
                                                   name=args.name, revenue=args.revenue))
    print(f"goal added: {_describe(goal)}")


def cmd_goals_list(args):
    def show(store):
        site = get_site(store, args.domain)
        if site is None:
            raise GoalError(f"no site {args.domain!r} is registered")
        goals = list_goals(store, site.domain)
        if not goals:
            print(f"no goals yet: vigie goals add {site.domain} --page /thank-you")
        for goal in goals:
            print(_describe(goal))
    _with_store(args, show)


def cmd_goals_remove(args):
    goal = _with_store(args, lambda store: remove_goal(store, args.domain, args.goal_id))
    print(f"goal removed: {_describe(goal)}")


def register(commands):
    goals = _command(commands, "goals", "conversion goals of a site").add_subparsers(
        dest="goals_command", metavar="COMMAND", required=True)

    add = _command(goals, "add", "add a pageview or custom-event goal")
    add.add_argument("domain", help="the site's domain, e.g. shop.example.com")
    what = add.add_mutually_exclusive_group(required=True)
    what.add_argument("--page", metavar="PATTERN",
                      help="pageview goal: a path pattern, * = one segment, ** = anything (e.g. /blog/*)")
    what.add_argument("--event", metavar="NAME", help="custom-event goal: the event's name (e.g. signup)")
    add.add_argument("--name", help="how reports name the goal (default: from the pattern)")
    add.add_argument("--revenue", action="store_true",
                     help="the event carries revenue: reports sum its amounts (event goals only)")
    add.set_defaults(func=cmd_goals_add)

    listing = _command(goals, "list", "list a site's goals")
    listing.add_argument("domain", help="the site's domain")
    listing.set_defaults(func=cmd_goals_list)

    remove = _command(goals, "remove", "remove a goal")
    remove.add_argument("domain", help="the site's domain")
    remove.add_argument("goal_id", help="the goal's id, as `vigie goals list` shows it")
    remove.set_defaults(func=cmd_goals_remove)
