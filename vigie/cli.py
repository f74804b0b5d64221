"""The `vigie` command line.

Every command turns its flags into setting overrides and reads the rest through
vigie.settings; expected failures (bad arguments, bad settings, store trouble)
end with one readable line on stderr and a non-zero exit, never a traceback.
"""
import argparse
import getpass
import os
import sys
import tomllib
from urllib.parse import urlsplit

from vigie.cli_common import (CommandError, _command, _environ, _migrated_store, _positive,
                              _settings)
from vigie.commands import register_all
from vigie.demo import DemoError, run_demo
from vigie.settings import SETTINGS, SettingsError, load_settings
from warehouse import StoreError, open_store
from warehouse.migrations import migrate
from warehouse.sites import SiteError, add_site, list_sites, normalise_domain
from warehouse.users import ROLES, UserError, add_user, list_users, set_access


def cmd_db_migrate(args):
    settings = _settings(args)
    store = open_store(settings.store_url)
    try:
        applied = migrate(store, report=print)
        print("schema is up to date" if not applied else f"applied {len(applied)} migration(s)")
    finally:
        store.close()


def _site_settings(site):
    """A site's settings as `vigie sites add` and `vigie sites list` print them."""
    return (f"hostnames: {','.join(site.extra_hostnames) or '-'}\t"
            f"customer ids: {'accepted' if site.identify_customers else 'removed'}\t"
            f"DNT/GPC: {'respected' if site.respect_privacy_signals else 'ignored'}")


def _site_setting_flags(parser):
    """Flags for the settings of warehouse.sites.Site; unset flags keep the current value."""
    hosts = parser.add_mutually_exclusive_group()
    hosts.add_argument("--hostname", action="append", dest="hostnames", metavar="HOST",
                       help="a host beyond the domain and its subdomains whose pages belong to "
                            "the site (repeat for several; replaces the current list)")
    hosts.add_argument("--clear-hostnames", action="store_true",
                       help="remove every extra hostname")
    parser.add_argument("--identify-customers", action=argparse.BooleanOptionalAction,
                        help="store the customer_id events carry (default: removed before storage)")
    privacy = parser.add_mutually_exclusive_group()
    privacy.add_argument("--respect-privacy-signals", dest="respect_privacy_signals",
                         action="store_const", const=True,
                         help="drop events from browsers sending DNT: 1 or Sec-GPC: 1 (the default)")
    privacy.add_argument("--ignore-privacy-signals", dest="respect_privacy_signals",
                         action="store_const", const=False,
                         help="keep events from browsers sending DNT or Sec-GPC")


def cmd_sites_add(args):
    store = _migrated_store(_settings(args))
    try:
        site = add_site(store, args.domain, args.timezone,
                        extra_hostnames=[] if args.clear_hostnames else args.hostnames,
                        identify_customers=args.identify_customers,
                        respect_privacy_signals=args.respect_privacy_signals)
        print(f"site {site.domain} registered (time zone {site.timezone})")
        print(_site_settings(site).replace("\t", "; "))
        print(f'snippet: <script defer data-domain="{site.domain}" '
              f'src="https://YOUR-VIGIE-HOST/js/vigie.js"></script>')
    finally:
        store.close()


def cmd_sites_list(args):
    store = _migrated_store(_settings(args))
    try:
        sites = list_sites(store)
        if not sites:
            print("no sites yet: vigie sites add DOMAIN")
        for site in sites:
            print(f"{site.domain}\t{site.timezone}\t{site.created_at:%Y-%m-%d}\t{_site_settings(site)}")
    finally:
        store.close()


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


def _origin(setting, environ):
    """Where the effective value of a setting came from, in load_settings' order."""
    if setting.env_var in environ:
        return f"environment {setting.env_var}"
    config_path = environ.get("VIGIE_CONFIG")
    if config_path:
        # load_settings has already read and checked this file.
        with open(config_path, "rb") as f:
            if setting.name in tomllib.load(f):
                return f"config file {config_path}"
    return "default"


def _shown(settings, name):
    """A setting's value for printing; secrets never reach the terminal."""
    value = getattr(settings, name)
    if name == "secret_key":
        return "(random for this start)" if settings.secret_key_generated else "***"
    if name == "metrics_token":
        return "***" if value else "''"
    if name == "store_url":
        parts = urlsplit(value)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
            return repr(parts._replace(netloc=netloc).geturl())
    return repr(value)


def cmd_settings(args):
    settings = _settings(args)
    environ = _environ(args.config)
    for setting in SETTINGS:
        print(f"{setting.name} = {_shown(settings, setting.name)}  ({_origin(setting, environ)})")


def cmd_serve(args):
    from vigie.server import serve
    settings = _settings(args, host=args.host, port=args.port,
                         workers=args.workers, threads=args.threads)
    serve(settings)


def cmd_demo(args):
    overrides = {"port": args.port, "host": args.host}
    if args.data_dir:
        overrides["store_url"] = "chdb:///" + os.path.abspath(args.data_dir).lstrip("/")
        # The demo's models live with its data, not in the current directory.
        overrides["churn_model_dir"] = os.path.join(os.path.abspath(args.data_dir), "churn-models")
    settings = _settings(args, **overrides)
    run_demo(settings, days=args.days, visitors=args.visitors, seed=args.seed,
             serve=not args.no_serve)


def _port(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 65535")
    return value


def _access_arguments(parser):
    parser.add_argument("--admin", action="store_true",
                        help="give the account admin rights (same as --role admin)")
    parser.add_argument("--role", choices=ROLES,
                        help="admin: everything; marketer: analytics of its sites; retention: "
                             "customers, churn and alerts of its sites (new accounts: marketer)")
    parser.add_argument("--site", action="append", metavar="DOMAIN",
                        help="a site the account may see (repeat for several; replaces the list)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="vigie", description="Self-hosted web analytics and churn alerts.")
    parser.add_argument("--config", metavar="FILE", help="TOML file with settings (see docs/configuration.md)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = _command(commands, "serve", "serve the collector and the dashboard")
    serve.add_argument("--host", help="address to listen on")
    serve.add_argument("--port", type=_port, help="port to listen on")
    serve.add_argument("--workers", type=_positive, help="worker processes (ClickHouse server only)")
    serve.add_argument("--threads", type=_positive, help="threads per worker")
    serve.set_defaults(func=cmd_serve)

    demo = _command(commands, "demo", "load demo traffic into a local store and serve it")
    demo.add_argument("--host", help="address to listen on")
    demo.add_argument("--port", type=_port, help="port to listen on (default 8000)")
    demo.add_argument("--days", type=_positive, default=28, help="days of traffic, ending now (default 28)")
    demo.add_argument("--visitors", type=_positive, default=3000, help="distinct visitors (default 3000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; a seed and a start time always give the same traffic (default 7)")
    demo.add_argument("--data-dir", metavar="DIR", help="embedded store directory (default ./vigie-data, or VIGIE_STORE_URL)")
    demo.add_argument("--no-serve", action="store_true", help="load the data and stop")
    demo.set_defaults(func=cmd_demo)

    db = _command(commands, "db", "database schema").add_subparsers(
        dest="db_command", metavar="COMMAND", required=True)
    _command(db, "migrate", "apply pending schema migrations").set_defaults(func=cmd_db_migrate)

    sites = _command(commands, "sites", "tracked sites").add_subparsers(
        dest="sites_command", metavar="COMMAND", required=True)
    sites_add = _command(sites, "add", "register a site or change its settings")
    sites_add.add_argument("domain", help="the site's domain, e.g. shop.example.com")
    sites_add.add_argument("--timezone", help="IANA time zone for reports (new sites: UTC; existing: unchanged)")
    _site_setting_flags(sites_add)
    sites_add.set_defaults(func=cmd_sites_add)
    _command(sites, "list", "list registered sites").set_defaults(func=cmd_sites_list)

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
    _command(users, "list", "list accounts with their role and sites").set_defaults(func=cmd_users_list)

    _command(commands, "settings", "show the effective settings").set_defaults(func=cmd_settings)
    register_all(commands)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (SettingsError, SiteError, UserError, CommandError) as exc:
        print(f"vigie: {exc}", file=sys.stderr)
        sys.exit(2)
    except StoreError as exc:
        print(f"vigie: store error: {exc}", file=sys.stderr)
        sys.exit(1)
    except DemoError as exc:
        print(f"vigie: demo: {exc}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:
        # The reader went away (`vigie settings | head`): stop quietly, and keep
        # the interpreter from complaining while it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as exc:
        # A data directory or config file Vigie cannot read or create.
        print(f"vigie: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
