"""Values bound into SQL for the embedded backend.

The ClickHouse server backend hands parameters to clickhouse-driver, which
escapes them itself. chdb takes a finished SQL string, so this module renders
`%(name)s` placeholders with the same literal rules as the driver: strings are
quoted with backslash escapes, datetimes are rendered in UTC, lists become
arrays and tuples become tuples (for `IN`). No other path from user input into
SQL exists.
"""
import datetime
import decimal
import math
import re
import uuid

_ESCAPES = {
    "\\": "\\\\", "'": "\\'", "\b": "\\b", "\f": "\\f", "\r": "\\r",
    "\n": "\\n", "\t": "\\t", "\0": "\\0", "\a": "\\a", "\v": "\\v",
}
_ESCAPE_RE = re.compile("[\\\\'\b\f\r\n\t\0\a\v]")
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s|%%")


def quote_string(text):
    return "'" + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text) + "'"


def literal(value):
    """Render one Python value as a ClickHouse SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, bytes):
        return quote_string(value.decode("utf-8", "surrogateescape"))
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return "'" + value.strftime("%Y-%m-%d %H:%M:%S") + "'"
    if isinstance(value, datetime.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, uuid.UUID):
        return "'" + str(value) + "'"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    raise TypeError(f"cannot bind a value of type {type(value).__name__} into SQL")


def bind(sql, params):
    """Replace %(name)s placeholders with literals; %% stands for a literal %."""
    if not params:
        return sql.replace("%%", "%") if "%%" in sql else sql

    def substitute(match):
        name = match.group(1)
        if name is None:
            return "%"
        if name not in params:
            raise KeyError(f"SQL placeholder %({name})s has no value")
        return literal(params[name])

    return _PLACEHOLDER_RE.sub(substitute, sql)


def json_value(value):
    """A value json cannot encode, as ClickHouse reads it from JSON input (json's `default`)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    raise TypeError(f"cannot insert a value of type {type(value).__name__}")
