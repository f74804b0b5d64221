"""Time helpers shared by the alert modules: now in UTC, row versions, month steps."""
import calendar
import datetime
import threading
import time

UTC = datetime.timezone.utc
# What the alert tables store for "no time" (never snoozed, never resolved,
# no purchase): ClickHouse 18.16 has no cheap Nullable, and 0 reads back as this.
NEVER = datetime.datetime(1970, 1, 1, tzinfo=UTC)

_lock = threading.Lock()
_last_version = 0


def utcnow():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def aware(value):
    """A datetime from the store (naive UTC on some drivers) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=UTC)


def is_never(value):
    return value is None or aware(value) <= NEVER


def next_version():
    """A ReplacingMergeTree version: microseconds since the epoch, strictly increasing here.

    Two changes to one alert within the same microsecond (an update written
    right after its opening) must still keep their order under FINAL.
    """
    global _last_version
    with _lock:
        _last_version = max(_last_version + 1, time.time_ns() // 1000)
        return _last_version


def add_months(moment, months):
    """`moment` moved by whole calendar months (negative: back), day clamped to the month's end."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
