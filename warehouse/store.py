"""The store interface every part of Vigie talks to ClickHouse through.

Two backends speak one SQL dialect (the subset both ClickHouse 18.16 and chdb
26.x accept, see DESIGN.md): a ClickHouse server over the native protocol, and
chdb embedded in the process. Callers never see which one they have, except
through `store.backend` for logs and health output.
"""
from abc import ABC, abstractmethod
from urllib.parse import parse_qs, unquote, urlsplit


class StoreError(RuntimeError):
    """A statement failed or the store could not be reached."""


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (network, server down)."""


class Store(ABC):
    backend = "abstract"
    # Whether statements from several threads run at the same time (a server
    # does; the embedded store runs one at a time behind a lock).
    concurrent_statements = False

    def __init__(self, database):
        self.database = database

    @abstractmethod
    def execute(self, sql, params=None):
        """Run a statement that returns nothing (DDL, INSERT ... SELECT, ALTER)."""

    def query(self, sql, params=None):
        """Run a SELECT and return its rows as tuples of Python values."""
        return self.query_with_columns(sql, params)[1]

    @abstractmethod
    def query_with_columns(self, sql, params=None):
        """Run a SELECT and return (column names, rows)."""

    def query_frame(self, sql, params=None):
        """Run a SELECT and return a pandas DataFrame, one column per result column.

        For bulk reads (churn features of a slice of clients). This default
        builds it from the rows; a backend with a columnar path overrides it.
        """
        import pandas as pd
        columns, rows = self.query_with_columns(sql, params)
        return pd.DataFrame(rows, columns=columns)

    def query_dicts(self, sql, params=None):
        columns, rows = self.query_with_columns(sql, params)
        return [dict(zip(columns, row)) for row in rows]

    def query_value(self, sql, params=None):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    @abstractmethod
    def insert(self, table, columns, rows):
        """Insert rows (sequences in `columns` order) in one batch; returns the row count."""

    def ping(self):
        try:
            return self.query_value("SELECT 1") == 1
        except StoreError:
            return False

    def release_thread(self):
        """Let go of what the calling thread holds (its connection); it is about to end."""

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_store(url):
    """Open the store a URL names.

    clickhouse://USER:PASSWORD@HOST:PORT/DATABASE  -> ClickHouse server (native protocol)
    chdb:///PATH[?database=NAME]                    -> embedded chdb in directory PATH
    (chdb:///./dir and chdb:///dir are relative and absolute paths respectively.)
    """
    parts = urlsplit(url)
    if parts.scheme == "clickhouse":
        from warehouse.server import ServerStore
        return ServerStore(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 9000,
            user=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            database=(parts.path or "/").lstrip("/") or "default",
        )
    if parts.scheme == "chdb":
        from warehouse.embedded import EmbeddedStore
        path = embedded_directory(url)
        if not path or path == "/":
            raise StoreError(f"{url}: a chdb URL needs a directory, e.g. chdb:///./vigie-data")
        database = parse_qs(parts.query).get("database", ["vigie"])[0]
        return EmbeddedStore(path, database)
    raise StoreError(f"{url}: unknown store scheme {parts.scheme!r}; use chdb:/// or clickhouse://")


def embedded_directory(url):
    """The directory of a chdb:// store URL as given (relative or absolute), or None for a server."""
    parts = urlsplit(url)
    if parts.scheme != "chdb":
        return None
    path = unquote(parts.netloc + parts.path)
    return path[1:] if path.startswith("/./") or path.startswith("/../") else path


def check_row_width(table, columns, rows):
    """StoreError unless every row has one value per column (both backends say the same)."""
    width = len(columns)
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise StoreError(f"insert into {table}: row {number} has {len(row)} values for "
                             f"{width} columns")
