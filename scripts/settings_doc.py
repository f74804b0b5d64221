"""Regenerate the settings table of docs/configuration.md from vigie.settings.SETTINGS.

    python scripts/settings_doc.py > /tmp/table.md
"""
import sys

sys.path.insert(0, ".")
from vigie.settings import SETTINGS  # noqa: E402

print("| Setting (config file key) | Environment variable | Default | What it does |")
print("|---|---|---|---|")
for s in SETTINGS:
    default = "(empty)" if s.default == "" else f"`{s.default}`"
    print(f"| `{s.name}` | `{s.env_var}` | {default} | {s.help} |")
