"""Tables of the Stats API as CSV (format=csv).

Page paths, event names and sources come from visitors' browsers, so a cell
that a spreadsheet would run as a formula (starting with = + - @ or a tab)
is prefixed with an apostrophe: opening an export must never run code.
"""
import csv
import datetime
import io
import re

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Event names and funnel ids reach file names: keep them to safe characters.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def csv_filename(*parts):
    """'breakdown-pages-shop.example-2026-03-01-2026-03-07.csv' from its non-empty parts.

    Each table of the dashboard downloads under its own name: the table, the
    site and the period, so two exports never overwrite each other."""
    cleaned = [_UNSAFE_IN_NAME.sub("_", str(p)).strip("_.")[:60] for p in parts if p]
    return "-".join(p for p in cleaned if p) + ".csv"


def cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "; ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(str(cell(v)) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(rows, columns):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return out.getvalue()


def csv_response(rows, columns, filename):
    """A CSV download of `rows` (dicts), one column per name in `columns`."""
    return Response(csv_text(rows, columns), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
