"""Report periods in a site's own calendar."""
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PERIOD_KEYS = ("today", "yesterday", "7d", "30d", "month", "last_month", "12mo", "custom")
INTERVALS = ("hour", "day", "week", "month")
COMPARISONS = ("previous_period", "previous_year")
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: datetime.date   # first local day, inclusive
    end: datetime.date     # last local day, inclusive
    interval: str          # the timeseries bucket: one of INTERVALS

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
        """Every naive local bucket start of the period, in order.

        Weeks start on Monday and months on the 1st, so the first bucket may
        start before the period does (its numbers still cover only the period)."""
        if self.interval == "hour":
            first = datetime.datetime.combine(self.start, datetime.time())
            return [first + datetime.timedelta(hours=h) for h in range(24 * self.days)]
        days = [self.start + datetime.timedelta(days=d) for d in range(self.days)]
        starts = sorted({bucket_start(day, self.interval) for day in days})
        return [datetime.datetime.combine(day, datetime.time()) for day in starts]

    def with_interval(self, interval):
        if interval not in INTERVALS:
            raise ValueError(f"unknown interval {interval!r}: use one of {', '.join(INTERVALS)}")
        return Period(self.start, self.end, interval)


def bucket_start(day, interval):
    """The local date that starts the day/week/month bucket holding `day`."""
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def local_now(timezone, now=None):
    """The site's wall-clock time as a naive datetime, like the buckets of Period.buckets;
    `now` (aware) stands for the current time."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


def in_progress(period, timezone, now=None):
    """The local time (naive) the period has reached when it is not over yet (today is
    one of its days: its last bucket holds only what has happened so far), else None."""
    local = local_now(timezone, now)
    return local if period.start <= local.date() <= period.end else None


def _one_year_earlier(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison_period(period, mode):
    """The period to compare with: the same number of days just before, or a year earlier."""
    if mode == "previous_period":
        length = datetime.timedelta(days=period.days)
        return Period(period.start - length, period.end - length, period.interval)
    if mode == "previous_year":
        return Period(_one_year_earlier(period.start), _one_year_earlier(period.end), period.interval)
    raise ValueError(f"unknown comparison {mode!r}: use one of {', '.join(COMPARISONS)}")


def _month_before(day):
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


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
    """The Period a key of PERIOD_KEYS names (custom: start..end, inclusive)."""
    if today is None:
        today = datetime.datetime.now(ZoneInfo(timezone)).date()
    if key == "today":
        return Period(today, today, "hour")
    if key == "yesterday":
        day = today - datetime.timedelta(days=1)
        return Period(day, day, "hour")
    if key == "month":
        return Period(today.replace(day=1), today, "day")
    if key == "last_month":
        first = _month_before(today)
        return Period(first, today.replace(day=1) - datetime.timedelta(days=1), "day")
    if key == "12mo":
        first = today.replace(day=1)
        for _ in range(11):
            first = _month_before(first)
        return Period(first, today, "month")
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
