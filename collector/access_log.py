"""Past traffic from web server access logs, through the collector's pipeline.

Each line of an nginx/Apache log in one of the standard formats becomes at
most one pageview, dated by the line itself: only successful (2xx/3xx) GET
requests for pages count. The rest is skipped and counted by reason, so an
import ends with a summary that adds up to the number of lines read.
"""
import datetime
import re
from dataclasses import dataclass, field

from vigie.collector.event_id_generator import derived_event_id
from vigie.collector.pipeline import ClientInfo

UTC = datetime.timezone.utc
MAX_FUTURE = datetime.timedelta(minutes=5)

# A quoted field: anything but a quote, or a backslash escape (Apache writes
# \" inside quoted values; nginx writes \x22, which needs no special case).
# Written as an unrolled loop: about four times faster than (?:[^"\\]|\\.)*.
_Q = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_CORE = r'(\S+) \S+ \S+ \[([^\]]+)\] ' + _Q + r' (\d{3}) \S+'
FORMATS = {
    # %h %l %u %t "%r" %>s %b
    "common": re.compile(r"^" + _CORE),
    # common + "%{Referer}i" "%{User-Agent}i" (nginx's default log_format)
    "combined": re.compile(r"^" + _CORE + " " + _Q + " " + _Q),
    # %v:%p first (Apache's vhost_combined): the page's host comes from the line
    "vhost_combined": re.compile(r"^([^\s:]+)(?::\d+)? " + _CORE + " " + _Q + " " + _Q),
}

# Extensions of pages; any other extension in the last path segment is an
# asset or a file (css, js, images, fonts, feeds, robots.txt, ...).
PAGE_EXTENSIONS = frozenset(("html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "cfm",
                             "cgi", "pl"))
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_LOG_TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$")


class SkippedLine(Exception):
    """The line is not a pageview; `reason` is the summary bucket it counts in."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PageRequest:
    url: str
    referrer: str
    client: ClientInfo
    when: datetime.datetime


@dataclass
class ImportSummary:
    lines: int = 0
    accepted: int = 0
    skipped: dict = field(default_factory=dict)  # reason -> lines

    def skip(self, reason):
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


_midnights = {}  # ("10/Oct/2023", "-0700") -> that local midnight, in UTC


def parse_log_time(text):
    """'10/Oct/2023:13:55:36 -0700' -> aware UTC datetime.

    Building and converting an aware datetime per line costs more than the
    rest of the line's parsing, and a log has few distinct days: the UTC time
    of each day's local midnight is computed once, then the line's time of
    day is added to it (offsets are fixed per line, so this is exact).
    """
    match = _LOG_TIME.match(text)
    if not match:
        raise SkippedLine("malformed")
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    key = (text[:11], text[-5:])
    midnight = _midnights.get(key)
    if midnight is None:
        delta = datetime.timedelta(hours=int(off_h), minutes=int(off_m))
        offset = datetime.timezone(-delta if sign == "-" else delta)
        try:
            midnight = datetime.datetime(int(year), _MONTHS[month], int(day),
                                         tzinfo=offset).astimezone(UTC)
        except (KeyError, ValueError, OverflowError):
            raise SkippedLine("malformed") from None
        if len(_midnights) >= 10_000:
            _midnights.clear()
        _midnights[key] = midnight
    hour, minute, second = int(hour), int(minute), int(second)
    if hour > 23 or minute > 59 or second > 59:
        raise SkippedLine("malformed")
    return midnight + datetime.timedelta(seconds=hour * 3600 + minute * 60 + second)


def _unescape(value):
    if "\\" not in value:
        return value
    return value.replace('\\"', '"').replace("\\x22", '"').replace("\\\\", "\\")


def is_page(path):
    """True for a page path; False for assets and files (by the last segment's extension)."""
    last = path.split("?", 1)[0].rsplit("/", 1)[-1]
    match = _EXTENSION.search(last)
    return match is None or match.group(1).lower() in PAGE_EXTENSIONS


def parse_line(line, log_format, site_domain, now):
    """One log line -> PageRequest, or SkippedLine(reason).

    Reasons: malformed, not_get, error_status, asset, future_timestamp.
    """
    match = FORMATS[log_format].match(line)
    if match is None:
        raise SkippedLine("malformed")
    groups = match.groups()
    if log_format == "vhost_combined":
        vhost, groups = groups[0].lower(), groups[1:]
    else:
        vhost = site_domain
    ip, time_text, request_line, status = groups[:4]
    referrer, user_agent = (groups[4], groups[5]) if len(groups) > 4 else ("", "")
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise SkippedLine("malformed")
    method, target = parts[0], parts[1]
    if method != "GET":
        raise SkippedLine("not_get")
    if not ("200" <= status < "400"):
        raise SkippedLine("error_status")
    if target.startswith(("http://", "https://")):
        url = target  # absolute-form request target (proxies)
        path = "/" + target.split("://", 1)[1].partition("/")[2]
    elif target.startswith("/"):
        url, path = f"https://{vhost}{target}", target
    else:
        raise SkippedLine("malformed")
    if not is_page(path):
        raise SkippedLine("asset")
    when = parse_log_time(time_text)
    if when > now + MAX_FUTURE:
        raise SkippedLine("future_timestamp")
    referrer = "" if referrer == "-" else _unescape(referrer)
    user_agent = "" if user_agent == "-" else _unescape(user_agent)
    return PageRequest(url, referrer, ClientInfo(ip=ip, user_agent=user_agent), when)


def import_line(collector, site, line, log_format, now, summary, file_key=None, number=0):
    """Feed one log line to the collector, counting what became of it in `summary`.

    file_key: what identifies the file (its digest), with `number` the line's
    number in it: the event id is then derived from both, so importing the
    same file again, after any interruption, stores each line once.
    """
    summary.lines += 1
    try:
        page = parse_line(line.rstrip("\r\n"), log_format, site, now)
    except SkippedLine as skipped:
        summary.skip(skipped.reason)
        return
    event_id = derived_event_id("access-log", site, file_key, str(number)) if file_key else None
    result = collector.ingest({"name": "pageview", "domain": site, "url": page.url,
                               "referrer": page.referrer}, page.client, received_at=page.when,
                              event_id=event_id)
    if result.accepted:
        summary.accepted += 1
    else:
        summary.skip(result.reason)


def import_lines(collector, site, lines, log_format, progress=None, now=None, file_key=None):
    """Feed log lines to the collector; returns an ImportSummary.

    progress: optional callable(summary) called every 5,000 lines.
    file_key: see import_line (lines are numbered from 1).
    The collector's write buffer batches the inserts; flush it (or close the
    collector) after this returns.
    """
    check_format(log_format)
    now = now or datetime.datetime.now(UTC)
    summary = ImportSummary()
    for number, line in enumerate(lines, 1):
        import_line(collector, site, line, log_format, now, summary, file_key, number)
        if progress is not None and summary.lines % 5000 == 0:
            progress(summary)
    return summary


def check_format(log_format):
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format {log_format!r}; use one of {', '.join(FORMATS)}")
