"""Visits (sessions) and their metrics: pure functions over DataFrames.

events: one row per event with visitor_id, ts (aware UTC), name, pathname,
referrer_host, engaged_ms. visits: one row per visit with visitor_id, start,
end, pageviews, interactive, engaged_ms, entry_page, source, bounce, duration.
See docs/metrics.md for the definitions these functions implement.
"""
from dataclasses import dataclass

import pandas as pd

PAGEVIEW = "pageview"
ENGAGEMENT = "engagement"
DIRECT = "Direct / None"

VISIT_COLUMNS = ["visitor_id", "start", "end", "pageviews", "interactive", "engaged_ms",
                 "entry_page", "source", "bounce", "duration"]


@dataclass(frozen=True)
class VisitRules:
    timeout_minutes: int = 30
    engaged_seconds: int = 10

    @property
    def timeout(self):
        return pd.Timedelta(minutes=self.timeout_minutes)


def _attach_engagement(primary, engagement):
    """Give each engagement event the visit in progress: the visitor's latest visit started before it."""
    if engagement.empty or primary.empty:
        return engagement.iloc[0:0].assign(visit=pd.Series(dtype="int64"))
    starts = (primary.groupby("visit", sort=False)
              .agg(visitor_id=("visitor_id", "first"), start=("ts", "min"))
              .reset_index().sort_values("start"))
    attached = pd.merge_asof(engagement.sort_values("ts"), starts, left_on="ts", right_on="start",
                             by="visitor_id", direction="backward")
    return attached.dropna(subset=["visit"]).astype({"visit": "int64"})


def sessionize(events, rules):
    """Group events into visits: a gap over the timeout between a visitor's
    non-engagement events starts a new visit; engagement events never do."""
    if events.empty:
        return pd.DataFrame(columns=VISIT_COLUMNS)
    events = events.sort_values(["visitor_id", "ts"], kind="stable")
    primary = events[events["name"] != ENGAGEMENT].copy()
    if primary.empty:
        return pd.DataFrame(columns=VISIT_COLUMNS)
    gap = primary.groupby("visitor_id")["ts"].diff()
    new_visit = gap.isna() | (gap > rules.timeout)
    primary["visit"] = new_visit.cumsum()
    engagement = _attach_engagement(primary, events[events["name"] == ENGAGEMENT])

    is_pageview = primary["name"] == PAGEVIEW
    first = primary.groupby("visit").first()
    visits = pd.DataFrame({
        "visitor_id": first["visitor_id"],
        "start": primary.groupby("visit")["ts"].min(),
        "last_event": primary.groupby("visit")["ts"].max(),
        "pageviews": is_pageview.groupby(primary["visit"]).sum(),
        "interactive": (~is_pageview).groupby(primary["visit"]).any(),
        "entry_page": primary[is_pageview].groupby("visit")["pathname"].first(),
        "source": first["referrer_host"].where(first["referrer_host"] != "", DIRECT),
        "last_pageview": primary[is_pageview].groupby("visit")["ts"].max(),
    })
    visits["engaged_ms"] = engagement.groupby("visit")["engaged_ms"].sum()
    # Engaged time of the last page: engagement sent after the visit's last pageview.
    last_pv = engagement["visit"].map(visits["last_pageview"])
    on_last_page = engagement[engagement["ts"] >= last_pv]
    visits["last_page_ms"] = on_last_page.groupby("visit")["engaged_ms"].sum()
    visits[["engaged_ms", "last_page_ms"]] = visits[["engaged_ms", "last_page_ms"]].fillna(0).astype("int64")
    visits["entry_page"] = visits["entry_page"].fillna("")

    last_page_end = visits["last_pageview"] + pd.to_timedelta(visits["last_page_ms"], unit="ms")
    visits["end"] = visits["last_event"].where(
        last_page_end.isna() | (visits["last_event"] >= last_page_end), last_page_end)
    visits["duration"] = (visits["end"] - visits["start"]).dt.total_seconds()
    visits["bounce"] = ~((visits["pageviews"] >= 2) | visits["interactive"]
                         | (visits["engaged_ms"] >= rules.engaged_seconds * 1000))
    return visits.reset_index(drop=True)[VISIT_COLUMNS]


def visits_starting_between(visits, lo, hi):
    return visits[(visits["start"] >= lo) & (visits["start"] < hi)]


def visitor_count(visits):
    return int(visits["visitor_id"].nunique())


def visit_count(visits):
    return int(len(visits))


def views_per_visit(pageviews, visits):
    return round(pageviews / visits, 2) if visits else 0


def bounce_rate(visits):
    """Percent of visits that bounced, one decimal; None without visits."""
    if visits.empty:
        return None
    return round(100.0 * float(visits["bounce"].sum()) / len(visits), 1)


def visit_duration(visits):
    """Mean visit duration in whole seconds; None without visits."""
    if visits.empty:
        return None
    return int(round(float(visits["duration"].mean())))
