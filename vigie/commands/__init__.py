"""Sub-commands grouped by area, each module with `register(commands)`.

vigie.cli builds the core commands (serve, demo, db, sites, users, settings)
and then lets every module listed here add its own to the same sub-parser.
"""
import importlib

COMMAND_MODULES = (
    "vigie.commands.keys",
    "vigie.commands.access_log",
)


def register_all(commands):
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
