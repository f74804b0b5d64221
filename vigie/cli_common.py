"""What every `vigie` sub-command shares: settings from flags, the store, errors.

Lives apart from vigie.cli so that the command modules in vigie/commands/ can
use it without importing the parser that imports them.
"""
import argparse
import contextlib
import os

from vigie.settings import load_settings
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate
from vigie.warehouse.sites import SiteError, get_site, normalise_domain


class CommandError(Exception):
    """A command cannot do what was asked; the message says why."""


def _settings(args, **overrides):
    """Settings from the environment, the --config file and flag overrides."""
    return load_settings(environ=_environ(args.config),
                         overrides={k: v for k, v in overrides.items() if v is not None})


def _environ(config_path):
    """The environment to hand to vigie.settings, with --config as VIGIE_CONFIG.

    The one place the CLI touches the environment: vigie.settings reads the
    config file named by VIGIE_CONFIG in the mapping it is given, so --config
    goes in as that variable on top of the real environment, which keeps the
    precedence file < environment < flags.
    """
    environ = dict(os.environ)
    if config_path:
        environ["VIGIE_CONFIG"] = config_path
    return environ


def _migrated_store(settings):
    store = open_store(settings.store_url)
    migrate(store)
    return store


@contextlib.contextmanager
def command_store(args, errors=(), settings=None):
    """The migrated store a command works on, closed when the command is done.

    errors: the exception types of the package the command drives (GoalError,
    RuleError, ...); they become CommandError, which main() prints as one line.
    settings: the command's settings when it needs them too (default: from args).
    """
    store = _migrated_store(settings or _settings(args))
    try:
        yield store
    except errors as exc:
        raise CommandError(str(exc)) from None
    finally:
        store.close()


def registered_site(store, domain):
    """The registered Site a domain names (any case, www. or not), or CommandError naming the fix."""
    try:
        normalised = normalise_domain(domain)
    except SiteError as exc:
        raise CommandError(str(exc)) from None
    site = get_site(store, normalised)
    if site is None:
        raise CommandError(f"no site {normalised!r} is registered (add it with: "
                           f"vigie sites add {normalised})")
    return site


def _command(subparsers, name, summary):
    """A sub-command whose own --help opens with the summary shown in its parent's list."""
    return subparsers.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")


def import_subparsers(commands):
    """The sub-parsers of `vigie import`, created on first use.

    Several areas import data (access logs, customers, transactions); each
    command module adds its own `vigie import KIND` here.
    """
    existing = commands.choices.get("import")
    if existing is None:
        existing = _command(commands, "import", "import data from files")
        existing.add_subparsers(dest="import_command", metavar="KIND", required=True)
    for action in existing._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action
    raise RuntimeError("the import command has no sub-parsers")


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def _port(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 65535")
    return value
