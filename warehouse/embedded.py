"""Embedded backend: ClickHouse inside this process via chdb.

chdb runs one embedded server per process, bound to the first directory it
opens; every EmbeddedStore on that directory shares it, each with its own
session (and current database). Statements on one session are serialised with
a lock. Results come back as JSONCompact and are converted by column type, so
callers get the same Python values as from clickhouse-driver; bulk reads
(`query_frame`) come back as Arrow tables instead.
"""
import datetime
import decimal
import json
import os
import re
import threading
import uuid
from zoneinfo import ZoneInfo

from vigie.warehouse.binding import bind, json_value
from vigie.warehouse.store import Store, StoreError, check_row_width

_UTC = datetime.timezone.utc


def _split_type_args(inner):
    """'String, Array(UInt8)' -> ['String', 'Array(UInt8)'] respecting nesting and quotes."""
    parts, depth, current, quoted = [], 0, [], False
    for ch in inner:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _converter(type_name):
    """A function turning one JSON value of ClickHouse type `type_name` into Python."""
    t = type_name.strip()
    wrapper = re.match(r"^(Nullable|LowCardinality|SimpleAggregateFunction)\((.*)\)$", t)
    if wrapper:
        inner_args = _split_type_args(wrapper.group(2))
        inner = _converter(inner_args[-1])
        return lambda v: None if v is None else inner(v)
    if t.startswith("Array("):
        inner = _converter(t[6:-1])
        return lambda v: [inner(x) for x in v]
    if t.startswith("Tuple("):
        inners = [_converter(re.sub(r"^\w+\s+(?=[A-Z])", "", a)) for a in _split_type_args(t[6:-1])]
        return lambda v: tuple(f(x) for f, x in zip(inners, v.values() if isinstance(v, dict) else v))
    if t.startswith("DateTime64"):
        return _datetime_converter(re.search(r"'([^']+)'", t))
    if t.startswith("DateTime"):
        return _datetime_converter(re.search(r"'([^']+)'", t))
    if t in ("Date", "Date32"):
        return lambda v: datetime.date.fromisoformat(v)
    if re.match(r"^U?Int\d+$", t):
        return int
    if t.startswith("Float") or t == "BFloat16":
        return lambda v: float("nan") if v is None else float(v)
    if t.startswith("Decimal"):
        return lambda v: decimal.Decimal(str(v))
    if t == "UUID":
        return uuid.UUID
    if t == "Bool":
        return bool
    return lambda v: v


def _datetime_converter(tz_match):
    tz = ZoneInfo(tz_match.group(1)) if tz_match else _UTC

    def convert(value):
        parsed = datetime.datetime.fromisoformat(value)
        return parsed.replace(tzinfo=tz)
    return convert


class EmbeddedStore(Store):
    backend = "chdb"

    def __init__(self, path, database="vigie"):
        super().__init__(database)
        if not re.match(r"^\w+$", database):
            raise StoreError(f"chdb database name {database!r} must be letters, digits and _")
        from chdb import session as chdb_session
        self.path = os.path.abspath(path)
        os.makedirs(self.path, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._session = chdb_session.Session(self.path)
        except Exception as exc:  # chdb raises RuntimeError subclasses with its own text
            raise StoreError(f"cannot open embedded store at {self.path}: {exc}") from exc
        self._raw(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        self._raw(f"USE `{database}`")

    def _raw(self, sql, fmt="CSV"):
        with self._lock:
            if self._session is None:
                raise StoreError("embedded store is closed")
            try:
                return self._session.query(sql, fmt)
            except Exception as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise StoreError(f"embedded ClickHouse rejected a statement: {first}"
                                 f" [SQL: {sql.strip()[:200]}]") from exc

    def create_database(self):
        self._raw(f"CREATE DATABASE IF NOT EXISTS `{self.database}`")

    def execute(self, sql, params=None):
        self._raw(bind(sql, params))

    def query_with_columns(self, sql, params=None):
        result = self._raw(bind(sql, params), "JSONCompact")
        payload = result.bytes() if hasattr(result, "bytes") else bytes(result)
        if not payload.strip():
            return [], []
        data = json.loads(payload)
        meta = data.get("meta", [])
        columns = [m["name"] for m in meta]
        converters = [_converter(m["type"]) for m in meta]
        rows = [tuple(conv(v) for conv, v in zip(converters, row)) for row in data.get("data", [])]
        return columns, rows

    def query_frame(self, sql, params=None):
        # Arrow straight from the engine: columns arrive as typed arrays, where
        # JSONCompact costs a Python conversion per value (most of the time
        # of reading a million clients' features).
        table = self._raw(bind(sql, params), "ArrowTable")
        return table.to_pandas()

    def insert(self, table, columns, rows):
        rows = list(rows)
        if not rows:
            return 0
        # Column-wise JSON: json.dumps runs in C, where rendering each value
        # as an SQL literal in Python cost ~3x more on big batches (scores,
        # spool replays). Values mean the same as their literals (UTC
        # datetimes, NaN, None as the column default).
        check_row_width(table, columns, rows)
        body = json.dumps([list(column) for column in zip(*rows)], default=json_value)
        self._raw(f"INSERT INTO {table} ({', '.join(columns)}) FORMAT JSONCompactColumns\n{body}")
        return len(rows)

    def close(self):
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
