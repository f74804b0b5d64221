"""What the reader asked to see — a site and a period — read from and written to the URL.

The query string is the whole state of the overview, so any view can be
bookmarked or pasted to a colleague: ?site=shop.example&period=7d, or
?site=shop.example&period=custom&from=2024-01-01&to=2024-01-31.
"""
import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from analytics.period import period_from_key
from warehouse.sites import get_site

PERIOD_CHOICES = (("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days"),
                  ("custom", "Custom"))
DEFAULT_PERIOD = "7d"


class SelectionError(ValueError):
    """The URL names something that cannot be shown; the message is for the reader."""


@dataclass(frozen=True)
class Selection:
    site: str = ""
    period: str = DEFAULT_PERIOD
    start: str = ""   # custom periods only, YYYY-MM-DD as typed
    end: str = ""

    def as_query(self):
        query = {"site": self.site, "period": self.period}
        if self.period == "custom":
            query.update({"from": self.start, "to": self.end})
        return {k: v for k, v in query.items() if v}

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
    return Selection(site=_one(query.get("site")) or default_site,
                     period=_one(query.get("period")) or DEFAULT_PERIOD,
                     start=_one(query.get("from"))[:10], end=_one(query.get("to"))[:10])


def selection_from_controls(site, period, start_date, end_date):
    """A Selection from the page's controls; the date picker only counts for Custom."""
    period = period or DEFAULT_PERIOD
    custom = period == "custom"
    return Selection(site=site or "", period=period,
                     start=(start_date or "")[:10] if custom else "",
                     end=(end_date or "")[:10] if custom else "")


def parse_date(text):
    """A date from 'YYYY-MM-DD', or None when the text is not one."""
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


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
    return site, period
