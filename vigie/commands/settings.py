"""`vigie settings`: the effective settings and where each value came from."""
import tomllib
from urllib.parse import urlsplit

from vigie.cli_common import _command, _environ, _settings
from vigie.settings import SETTINGS


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


def register(commands):
    _command(commands, "settings", "show the effective settings").set_defaults(func=cmd_settings)
