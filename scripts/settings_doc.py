"""Print the settings table of docs/configuration.md from vigie.settings.SETTINGS.

    python scripts/settings_doc.py

Paste the output over the table in docs/configuration.md;
tests/test_settings_documented.py fails until the two agree.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from vigie.settings import SETTINGS  # noqa: E402


def settings_table():
    lines = ["| Setting (config file key) | Environment variable | Default | What it does |",
             "|---|---|---|---|"]
    for s in SETTINGS:
        default = "(empty)" if s.default == "" else f"`{s.default}`"
        lines.append(f"| `{s.name}` | `{s.env_var}` | {default} | {s.help} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_table())
