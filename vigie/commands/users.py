"""`vigie users`: dashboard accounts, their roles and sites."""
import getpass
import sys

from vigie.cli_common import CommandError, _command, _migrated_store, _settings
from vigie.warehouse.sites import list_sites, normalise_domain
from vigie.warehouse.users import ROLES, add_user, list_users, remove_user, set_access


def _read_password(args):
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for a password: use --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CommandError("the two passwords differ")
    return first


def _access_text(user):
    if user.is_admin:
        return "admin, every site"
    return f"{user.role}, sites: {', '.join(user.sites) if user.sites else '(none yet)'}"


def _known_sites(store, domains):
    """The domains, normalised, each of which must be a registered site."""
    if domains is None:
        return None
    registered = {s.domain for s in list_sites(store)}
    result = []
    for domain in domains:
        name = normalise_domain(domain)
        if name not in registered:
            raise CommandError(f"no site {domain!r} is registered (add it with: vigie sites add {domain})")
        result.append(name)
    return result


def _role_from(args):
    if args.admin and args.role not in (None, "admin"):
        raise CommandError(f"--admin and --role {args.role} contradict each other")
    return "admin" if args.admin else args.role


def cmd_users_add(args):
    password = _read_password(args)
    store = _migrated_store(_settings(args))
    try:
        user = add_user(store, args.email, password, role=_role_from(args),
                        sites=_known_sites(store, args.site))
        print(f"user {user.email} saved ({_access_text(user)})")
    finally:
        store.close()


def cmd_users_access(args):
    if args.role is None and args.site is None:
        raise CommandError("nothing to change: give --role and/or --site")
    store = _migrated_store(_settings(args))
    try:
        user = set_access(store, args.email, role=_role_from(args), sites=_known_sites(store, args.site))
        print(f"user {user.email} now {_access_text(user)}; their open sessions have ended")
    finally:
        store.close()


def cmd_users_remove(args):
    store = _migrated_store(_settings(args))
    try:
        remove_user(store, args.email)
        print(f"user {args.email.strip().lower()} removed; their open sessions have ended")
    finally:
        store.close()


def cmd_users_list(args):
    store = _migrated_store(_settings(args))
    try:
        users = list_users(store)
        if not users:
            print("no accounts yet (add one with: vigie users add EMAIL --admin)")
        for user in users:
            print(f"{user.email}  {_access_text(user)}")
    finally:
        store.close()


def _access_arguments(parser):
    parser.add_argument("--admin", action="store_true",
                        help="give the account admin rights (same as --role admin)")
    parser.add_argument("--role", choices=ROLES,
                        help="admin: everything; marketer: analytics of its sites; retention: "
                             "customers, churn and alerts of its sites (new accounts: marketer)")
    parser.add_argument("--site", action="append", metavar="DOMAIN",
                        help="a site the account may see (repeat for several; replaces the list)")


def register(commands):
    users = _command(commands, "users", "dashboard accounts").add_subparsers(
        dest="users_command", metavar="COMMAND", required=True)
    users_add = _command(users, "add", "create an account or reset its password")
    users_add.add_argument("email", help="the account's email address, used to log in")
    users_add.add_argument("--password-stdin", action="store_true",
                           help="read the password from standard input")
    _access_arguments(users_add)
    users_add.set_defaults(func=cmd_users_add)
    users_access = _command(users, "access", "change an account's role or sites (keeps its password)")
    users_access.add_argument("email", help="the account's email address")
    _access_arguments(users_access)
    users_access.set_defaults(func=cmd_users_access)
    users_remove = _command(users, "remove", "delete an account and end its open sessions")
    users_remove.add_argument("email", help="the account's email address")
    users_remove.set_defaults(func=cmd_users_remove)
    _command(users, "list", "list accounts with their role and sites").set_defaults(func=cmd_users_list)
