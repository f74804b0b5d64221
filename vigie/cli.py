"""The `vigie` command line: assembles the commands of vigie/commands/ and runs one.

Every command turns its flags into setting overrides and reads the rest through
vigie.settings; expected failures (bad arguments, bad settings, store trouble)
end with one readable line on stderr and a non-zero exit, never a traceback.
"""
import argparse
import os
import sys

from vigie.cli_common import CommandError
from vigie.commands import register_all
from vigie.demo import DemoError
from vigie.settings import SettingsError
from vigie.warehouse import StoreError
from vigie.warehouse.sites import SiteError
from vigie.warehouse.users import UserError


def build_parser():
    parser = argparse.ArgumentParser(
        prog="vigie", description="Self-hosted web analytics and churn alerts.")
    parser.add_argument("--config", metavar="FILE", help="TOML file with settings (see docs/configuration.md)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
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
