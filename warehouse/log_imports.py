"""Which access-log files were imported into which site (table `access_log_imports`).

A file is known by a SHA-256 of its bytes, so a renamed or moved copy is
still recognised; a file that grew (the live log) is a different file.
"""
import datetime
import hashlib
from dataclasses import dataclass

_COLUMNS = ["site", "digest", "file_name", "lines", "accepted", "imported_at"]


@dataclass(frozen=True)
class LogImport:
    site: str
    digest: str
    file_name: str
    lines: int
    accepted: int
    imported_at: datetime.datetime


def file_digest(path, chunk_size=1 << 20):
    """Hex SHA-256 of a file's bytes (compressed bytes for .gz), read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_import(store, site, digest):
    """The first recorded import of this file into this site, or None."""
    rows = store.query(
        "SELECT site, digest, file_name, lines, accepted, imported_at FROM access_log_imports "
        "WHERE site = %(site)s AND digest = %(digest)s ORDER BY imported_at LIMIT 1",
        {"site": site, "digest": digest})
    return LogImport(*rows[0]) if rows else None


def record_import(store, site, digest, file_name, lines, accepted):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    store.insert("access_log_imports", _COLUMNS,
                 [(site, digest, file_name[:1000], lines, accepted, now)])
