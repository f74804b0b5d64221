"""docs/configuration.md documents exactly the settings Vigie reads."""
import pathlib
import re
import subprocess
import sys

from vigie.settings import SETTINGS

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def documented_rows():
    rows = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"^\| `([a-z_]+)` \| `(VIGIE_[A-Z_]+)` \|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_setting_is_documented_with_its_environment_variable():
    rows = documented_rows()
    missing = [s.name for s in SETTINGS if rows.get(s.name) != s.env_var]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_the_docs_list_no_setting_that_does_not_exist():
    known = {s.name for s in SETTINGS}
    assert set(documented_rows()) <= known, set(documented_rows()) - known


def test_every_setting_has_help_text():
    assert all(len(s.help) > 15 for s in SETTINGS)


def test_the_table_is_what_the_generator_prints():
    generator = DOC.parent.parent / "scripts" / "settings_doc.py"
    table = subprocess.run([sys.executable, str(generator)], capture_output=True, text=True,
                           timeout=60, check=True).stdout.strip()
    assert table in DOC.read_text(), (
        "defaults or help in docs/configuration.md differ from vigie/settings.py: "
        "run `python scripts/settings_doc.py` and paste its table into the page")
