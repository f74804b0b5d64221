"""What the reader asked to see — site, period, comparison, filters — read from and written to the URL.

The query string is the whole state of a report page, so any view can be
bookmarked or pasted to a colleague: ?site=shop.example&period=7d, or
?site=shop.example&period=custom&from=2024-01-01&to=2024-01-31, plus
&compare=previous_period|previous_year and one f_NAME=VALUE per filter
(NAME from analytics.filters.FILTER_NAMES, e.g. f_country=FR, f_prop:plan=pro),
&segment=ID for a saved segment (its filters apply with the f_ ones, see
`applied`), and &metric=NAME for the metric a page charts (the overview's
switcher).
"""
import datetime
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from vigie.analytics.filters import check_filters
from vigie.analytics.period import COMPARISONS, comparison_period, period_from_key
from vigie.analytics.segments import SegmentConflict, combined_filters
from vigie.warehouse.segments import Reader, find_segment
from vigie.warehouse.sites import get_site

PERIOD_CHOICES = (("today", "Today"), ("yesterday", "Yesterday"), ("7d", "Last 7 days"),
                  ("30d", "Last 30 days"), ("month", "This month"), ("last_month", "Last month"),
                  ("12mo", "Last 12 months"), ("custom", "Custom"))
COMPARE_CHOICES = (("", "No comparison"), ("previous_period", "Previous period"),
                   ("previous_year", "Previous year"))
DEFAULT_PERIOD = "7d"
FILTER_PREFIX = "f_"


class SelectionError(ValueError):
    """The URL names something that cannot be shown; the message is for the reader."""


@dataclass(frozen=True)
class Selection:
    site: str = ""
    period: str = DEFAULT_PERIOD
    start: str = ""   # custom periods only, YYYY-MM-DD as typed
    end: str = ""
    compare: str = ""  # "" or one of analytics.period.COMPARISONS
    filters: tuple = ()  # sorted ((name, value), ...): hashable, so Selection stays frozen
    metric: str = ""  # the charted metric, "" for the page's default; each page checks it
    segment: str = ""  # a saved segment's id, or ""
    # Filled by `applied` from the store, never from the URL: the segment's
    # name and its filters, which join `filters` (the explicit ones).
    segment_name: str = ""
    segment_filters: tuple = ()

    def as_query(self):
        query = {"site": self.site, "period": self.period}
        if self.period == "custom":
            query.update({"from": self.start, "to": self.end})
        query["compare"] = self.compare
        query["segment"] = self.segment
        query.update({FILTER_PREFIX + name: value for name, value in self.filters})
        query["metric"] = self.metric
        return {k: v for k, v in query.items() if v}

    def filter_dict(self):
        """The filters as analytics.query expects them: the segment's and the explicit ones."""
        return {**dict(self.segment_filters), **dict(self.filters)}

    def with_filter(self, name, value):
        """This selection narrowed by one more filter (replacing one of the same name)."""
        kept = {**dict(self.filters), name: str(value)}
        return replace(self, filters=tuple(sorted(kept.items())))

    def with_segment(self, segment_id):
        """This selection showing a saved segment (or none) instead of its explicit filters."""
        return replace(self, segment=segment_id or "", segment_name="", segment_filters=(), filters=())

    def without_filter(self, name):
        return replace(self, filters=tuple(kv for kv in self.filters if kv[0] != name))

    def search(self):
        """The '?…' part of the URL for this selection."""
        return "?" + urlencode(self.as_query())


def _one(value):
    # Dash hands a repeated parameter over as a list; the first one wins.
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def selection_from_query(query, default_site=""):
    """A Selection from query-string values, with the first site and 7 days as defaults."""
    query = query or {}
    filters = {str(k)[len(FILTER_PREFIX):]: _one(v) for k, v in query.items()
               if str(k).startswith(FILTER_PREFIX) and len(str(k)) > len(FILTER_PREFIX) and _one(v)}
    return Selection(site=_one(query.get("site")) or default_site,
                     period=_one(query.get("period")) or DEFAULT_PERIOD,
                     start=_one(query.get("from"))[:10], end=_one(query.get("to"))[:10],
                     compare=_one(query.get("compare")),
                     filters=tuple(sorted(filters.items())), metric=_one(query.get("metric")),
                     segment=_one(query.get("segment")))


def selection_from_controls(site, period, start_date, end_date, compare="", filters=(), metric="",
                            segment=""):
    """A Selection from the page's controls; the date picker only counts for Custom.

    `filters` (and the charted `metric`) are the current ones, carried over:
    the bar's controls never change them (rows add filters, chips remove
    them, both as links)."""
    period = period or DEFAULT_PERIOD
    custom = period == "custom"
    return Selection(site=site or "", period=period,
                     start=(start_date or "")[:10] if custom else "",
                     end=(end_date or "")[:10] if custom else "",
                     compare=compare or "", filters=tuple(sorted(filters)), metric=metric or "",
                     segment=segment or "")


def parse_date(text):
    """A date from 'YYYY-MM-DD', or None when the text is not one."""
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def segment_reader(user):
    """Who reads segments for this account; a shared link's visitor sees shared segments only."""
    return Reader("" if user.read_only else user.email, user.is_admin)


def applied(store, selection, user):
    """The selection with its segment's name and filters, or SelectionError.

    A segment that is gone, of another site, or another account's private one
    gets the same sentence, so a link tells nothing about segments one may
    not see."""
    if not selection.segment:
        return selection
    segment = find_segment(store, selection.site, selection.segment, segment_reader(user))
    if segment is None:
        raise SelectionError("This segment does not exist or is not shared with you; "
                             "pick another one from the list.")
    try:
        combined_filters(segment, dict(selection.filters))
    except SegmentConflict as exc:
        raise SelectionError(f"Cannot apply this filter: {exc}.") from None
    return replace(selection, segment_name=segment.name,
                   segment_filters=tuple(sorted(segment.filters.items())))


def resolve(store, selection, user, today=None):
    """(Site, Period) for a selection, or SelectionError with a readable reason.

    `user` is the signed-in account: a site it may not see gets the same
    answer as a site that does not exist, so links cannot probe for domains.
    """
    if user is None:
        raise SelectionError("Your session has ended; sign in again.")
    if not selection.site:
        raise SelectionError("Choose a site to see its traffic.")
    site = get_site(store, selection.site)
    if site is None or not user.can_see_site(site.domain):
        raise SelectionError(f"No site named “{selection.site}” is registered. Pick one from the list.")
    try:
        period = period_from_key(selection.period, site.timezone, today=today,
                                 start=selection.start or None, end=selection.end or None)
    except ValueError as exc:
        raise SelectionError(f"Cannot show this period: {exc}.") from None
    if selection.compare and selection.compare not in COMPARISONS:
        raise SelectionError(f"Cannot compare with {selection.compare!r}: use one of "
                             f"{', '.join(COMPARISONS)}.")
    try:
        check_filters(selection.filter_dict())
    except ValueError as exc:
        raise SelectionError(f"Cannot apply this filter: {exc}.") from None
    applied(store, selection, user)
    return site, period


def comparison(selection, period):
    """The Period to compare with, or None when the selection asks for no comparison."""
    return comparison_period(period, selection.compare) if selection.compare else None
