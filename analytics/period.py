"""Report periods in a site's own calendar."""
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PERIOD_KEYS = ("today", "7d", "30d", "custom")
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: datetime.date   # first local day, inclusive
    end: datetime.date     # last local day, inclusive
    interval: str          # "hour" or "day": the timeseries bucket

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def utc_bounds(self, timezone):
        """[start, end) as aware UTC datetimes: local midnight to the midnight after `end`."""
        tz = ZoneInfo(timezone)
        lo = datetime.datetime.combine(self.start, datetime.time(), tz)
        hi = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tz)
        return lo.astimezone(datetime.timezone.utc), hi.astimezone(datetime.timezone.utc)

    def buckets(self):
        """Every naive local bucket start of the period, in order."""
        if self.interval == "hour":
            first = datetime.datetime.combine(self.start, datetime.time())
            return [first + datetime.timedelta(hours=h) for h in range(24 * self.days)]
        return [datetime.datetime.combine(self.start + datetime.timedelta(days=d), datetime.time())
                for d in range(self.days)]


def _as_date(value, label):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not value:
        raise ValueError(f"a custom period needs a '{label}' date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"'{label}' date {value!r} is not a date like 2024-01-31") from None


def period_from_key(key, timezone, today=None, start=None, end=None):
    """The Period a dashboard key names: today, 7d, 30d or custom (start..end)."""
    if today is None:
        today = datetime.datetime.now(ZoneInfo(timezone)).date()
    if key == "today":
        return Period(today, today, "hour")
    if key in ("7d", "30d"):
        days = int(key[:-1])
        return Period(today - datetime.timedelta(days=days - 1), today, "day")
    if key == "custom":
        first, last = _as_date(start, "from"), _as_date(end, "to")
        if last < first:
            raise ValueError(f"the period ends ({last}) before it starts ({first})")
        if (last - first).days + 1 > MAX_CUSTOM_DAYS:
            raise ValueError(f"a custom period is at most {MAX_CUSTOM_DAYS} days long")
        return Period(first, last, "hour" if first == last else "day")
    raise ValueError(f"unknown period {key!r}: use one of {', '.join(PERIOD_KEYS)}")
