"""`vigie db`: the database schema."""
from vigie.cli_common import _command, _settings
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate


def cmd_db_migrate(args):
    settings = _settings(args)
    store = open_store(settings.store_url)
    try:
        applied = migrate(store, report=print)
        print("schema is up to date" if not applied else f"applied {len(applied)} migration(s)")
    finally:
        store.close()


def register(commands):
    db = _command(commands, "db", "database schema").add_subparsers(
        dest="db_command", metavar="COMMAND", required=True)
    _command(db, "migrate", "apply pending schema migrations").set_defaults(func=cmd_db_migrate)
