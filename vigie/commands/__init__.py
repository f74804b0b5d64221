"""Sub-commands grouped by area, each module with `register(commands)`.

vigie.cli builds the parser and lets every module listed here add its
commands to the same sub-parser, in this order (the order of `vigie --help`).
"""
import importlib

COMMAND_MODULES = (
    "vigie.commands.serve",
    "vigie.commands.demo",
    "vigie.commands.db",
    "vigie.commands.sites",
    "vigie.commands.users",
    "vigie.commands.settings",
    "vigie.commands.keys",
    "vigie.commands.access_log",
    "vigie.commands.jobs",
    "vigie.commands.goals",
    "vigie.commands.funnels",
    "vigie.commands.clients",
    "vigie.commands.churn",
    "vigie.commands.alerts",
    "vigie.commands.reports",
)


def register_all(commands):
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
