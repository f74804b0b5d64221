"""Fixtures for client data: a registered site and CSV files written by hand."""
import textwrap

import pytest

from vigie.warehouse.sites import add_site

SITE = "shop.example.com"


@pytest.fixture
def site(store):
    """The site every test imports into; Paris time, so naive dates are shifted to UTC."""
    return add_site(store, SITE, "Europe/Paris")


@pytest.fixture
def csv_file(tmp_path):
    """write(text, name='data.csv', encoding='utf-8') -> path of a dedented CSV file."""
    def write(text, name="data.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return str(path)
    return write


def count(store, table, site=SITE):
    return store.query_value(f"SELECT count() FROM {table} FINAL WHERE site = %(s)s", {"s": site})
