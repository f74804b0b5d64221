"""Bounds on the UTC day of a timestamp, so ClickHouse 18.16 can skip what a range excludes.

`events` and `sessions` are sorted by (site, toDate(ts or start), ...). chdb
derives a bound on toDate(ts) from `ts >= lo AND ts < hi` by itself; the
18.16 server does not, and reads every granule of the site in the month
partitions the range touches: a two-hour window over a month of events read
535,680 rows instead of 24,576. Stating the days as well costs nothing when
the engine already knew them.

Timestamp columns are DateTime('UTC'), so their toDate is the UTC day, which
is what these bounds compute whatever the server's or the site's time zone.
"""
import datetime

_ONE_MICROSECOND = datetime.timedelta(microseconds=1)


def day_bounds(column, name):
    """SQL: the UTC day of `column` lies within the days bound under `name` by bind_day_bounds."""
    return (f"toDate({column}) >= toDate(%({name}_first_day)s) "
            f"AND toDate({column}) <= toDate(%({name}_last_day)s)")


def bind_day_bounds(params, name, lo, hi):
    """Add the first and last UTC day of [lo, hi) to params; returns params.

    lo and hi: datetimes (naive ones are UTC, as the store reads them) or epoch seconds.
    """
    first, last = _utc(lo), _utc(hi) - _ONE_MICROSECOND
    params[f"{name}_first_day"] = first.date()
    params[f"{name}_last_day"] = max(first, last).date()
    return params


def _utc(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)
