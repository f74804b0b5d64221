"""Which backend a store URL names, and opening it.

This sits beside the two backends rather than in store.py: the interface they
implement knows neither of them, so nothing imports in a circle.
"""
from urllib.parse import parse_qs, unquote, urlsplit

from vigie.warehouse.embedded import EmbeddedStore
from vigie.warehouse.server import ServerStore
from vigie.warehouse.store import StoreError


def open_store(url):
    """Open the store a URL names.

    clickhouse://USER:PASSWORD@HOST:PORT/DATABASE  -> ClickHouse server (native protocol)
    chdb:///PATH[?database=NAME]                    -> embedded chdb in directory PATH
    (chdb:///./dir and chdb:///dir are relative and absolute paths respectively.)
    """
    parts = urlsplit(url)
    if parts.scheme == "clickhouse":
        return ServerStore(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 9000,
            user=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            database=(parts.path or "/").lstrip("/") or "default",
        )
    if parts.scheme == "chdb":
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
