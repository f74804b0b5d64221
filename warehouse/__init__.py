"""The one home of ClickHouse: backends, migrations, and the SQL of Vigie's own tables."""
from vigie.warehouse.backends import open_store
from vigie.warehouse.store import Store, StoreError, StoreUnavailable

__all__ = ["Store", "StoreError", "StoreUnavailable", "open_store"]
