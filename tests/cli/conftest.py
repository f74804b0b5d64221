import pytest


@pytest.fixture
def cli_store_url(fresh_store_url):
    """A new, empty database on the session's embedded store, dropped afterwards."""
    return fresh_store_url("chdb", "cli")
