import uuid

import pytest

from tests.conftest import store_url_for
from vigie.warehouse import open_store


@pytest.fixture
def cli_store_url(request):
    """A fresh database on the session's embedded store, dropped afterwards."""
    database = "cli_" + uuid.uuid4().hex[:12]
    url = store_url_for("chdb", request, database)
    yield url
    cleanup = open_store(url)
    try:
        cleanup.execute(f"DROP DATABASE IF EXISTS `{database}`")
    finally:
        cleanup.close()
