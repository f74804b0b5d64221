"""The report bar every analytics page shares: site, period, comparison, saved segment, filter chips.

A page calls `report_controls(PAGE, ...)` in its layout and
`register_url_sync(PAGE)` once at import. Component ids are prefixed with the
page name because Dash registers every page's callbacks in one app, and two
pages may not own the same output.

Changing a control rewrites only the query string of `{page}-url` (a
dcc.Location with refresh="callback-nav"); the page router then rebuilds the
layout from the new query, so back/forward and shared links behave exactly as
a fresh load. Filters never change through controls: a table row adds one as
a link (`filter_link`) and a chip removes it as a link, so they too live in
the URL only. Picking a saved segment (dashboard/segment_bar.py) replaces
the filters with the segment's: its chips show them, and removing the
segment's chip removes them all.
"""
import datetime
from dataclasses import replace
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from dash import Input, Output, State, callback, dcc, html, no_update

from vigie.dashboard.segment_bar import register_segment_actions, segment_controls
from vigie.dashboard.selection import (COMPARE_CHOICES, PERIOD_CHOICES, parse_date,
                                       selection_from_controls, selection_from_query)

_HIDDEN = {"display": "none"}
_SHOWN = {}

# How a filter reads on its chip; unknown names (custom props) show as they are.
FILTER_LABELS = {
    "page": "Page", "entry_page": "Entry page", "exit_page": "Exit page", "source": "Source",
    "referrer": "Referrer", "channel": "Channel", "utm_medium": "UTM medium",
    "utm_source": "UTM source", "utm_campaign": "UTM campaign", "utm_term": "UTM term",
    "utm_content": "UTM content", "country": "Country", "region": "Region", "device": "Device",
    "browser": "Browser", "os": "OS", "language": "Language", "goal": "Goal", "event": "Event",
    "screen": "Screen", "hostname": "Hostname", "customer_id": "Customer", "search_term": "Search term",
    "screen_class": "Screen size", "browser_version": "Browser version", "os_version": "OS version",
}


def _iso(day):
    return day.isoformat() if day else None


def page_path(page_path_prefix, selection):
    """The href of a page for a selection, e.g. page_path('/sources', s) -> '/sources?site=…'."""
    return page_path_prefix + selection.search()


def _label(name):
    return FILTER_LABELS.get(name, name.replace("prop:", "Property "))


def segment_chips(page, path, selection):
    """The applied segment as a removable chip, then its filters, which go with it."""
    if not selection.segment_name:
        return []
    without = replace(selection, segment="", segment_name="", segment_filters=())
    chips = [dcc.Link([html.Span("Segment: "), html.Strong(selection.segment_name),
                       html.Span(" ×", className="chip-x")],
                      href=page_path(path, without), className="chip chip-chosen", id=f"{page}-segment-chip",
                      title="Stop applying this segment")]
    for name, value in selection.segment_filters:
        chips.append(html.Span([html.Span(f"{_label(name)}: "), html.Strong(value)],
                               className="chip chip-segment", id={"type": f"{page}-segment-filter", "name": name},
                               title=f"A filter of the segment “{selection.segment_name}”"))
    return chips


def filter_chips(page, path, selection):
    """The segment's chips, then one removable chip per explicit filter; each is a link to the URL without it."""
    chips = segment_chips(page, path, selection)
    for name, value in selection.filters:
        label = _label(name)
        chips.append(dcc.Link(
            [html.Span(f"{label}: "), html.Strong(value), html.Span(" ×", className="chip-x")],
            href=page_path(path, selection.without_filter(name)), className="chip",
            id={"type": f"{page}-chip", "name": name}, title=f"Remove the {label.lower()} filter"))
    return html.Div(chips, id=f"{page}-chips", className="chips")


def filter_link(path, selection, name, value, text=None, keep=None):
    """A table cell that narrows the whole view to `name = value` when clicked.
    `keep`: page parameters beyond the selection that the link keeps, e.g. {'funnel': ID}."""
    suffix = "&" + urlencode(keep) if keep else ""
    return dcc.Link(str(text if text is not None else value),
                    href=page_path(path, selection.with_filter(name, value)) + suffix,
                    className="filter-link", title="Filter the whole view by this value")


def site_today(sites, domain):
    """Today in the time zone of the site shown (UTC when it is not among `sites`)."""
    timezone = next((s.timezone for s in sites if s.domain == domain), "UTC")
    return datetime.datetime.now(ZoneInfo(timezone)).date()


def report_controls(page, path, sites, selection, period, compare=True, segments=(), user=None):
    """The bar: site picker, period choices, custom dates, comparison, segments, chips.

    `segments` are the site's saved segments the signed-in `user` may pick.

    `period` is the resolved Period (or None when the URL is bad) and only
    prefills the date picker with its days. The picker opens on the month
    the period ends in and offers no day after the site's today: there is no
    traffic to show yet."""
    known = [s.domain for s in sites]
    start, end = ((period.start, period.end) if period
                  else (parse_date(selection.start), parse_date(selection.end)))
    today = site_today(sites, selection.site)
    children = [
        dcc.Dropdown(id=f"{page}-site", options=[{"label": d, "value": d} for d in known],
                     value=selection.site if selection.site in known else None,
                     clearable=False, searchable=True, className="site-select",
                     placeholder="Choose a site"),
        dcc.RadioItems(id=f"{page}-period", className="period-select", inline=True,
                       options=[{"label": label, "value": key} for key, label in PERIOD_CHOICES],
                       value=selection.period if selection.period in dict(PERIOD_CHOICES) else None),
        html.Div(id=f"{page}-custom-range", style=_SHOWN if selection.period == "custom" else _HIDDEN,
                 children=dcc.DatePickerRange(
                     id=f"{page}-range", start_date=_iso(start), end_date=_iso(end),
                     display_format="YYYY-MM-DD", first_day_of_week=1, minimum_nights=0,
                     clearable=False, max_date_allowed=_iso(today),
                     initial_visible_month=_iso(min(end or today, today)),
                     # Rebuilding the page after the first click would close the calendar.
                     updatemode="bothdates")),
    ]
    compare_box = dcc.Dropdown(
        id=f"{page}-compare", options=[{"label": label, "value": key} for key, label in COMPARE_CHOICES],
        value=selection.compare if selection.compare in dict(COMPARE_CHOICES) else "",
        clearable=False, searchable=False, className="compare-select")
    # Always in the layout (the URL callback reads it); hidden where a page has no comparison.
    children.append(html.Div(compare_box, style=_SHOWN if compare else _HIDDEN))
    return html.Div([html.Div(className="controls", children=children),
                     segment_controls(page, selection, segments, user),
                     filter_chips(page, path, selection)])


def register_url_sync(page, keep=()):
    """Register the callback that writes the controls of `page` into its URL.

    `keep` names the page's own query parameters (not part of Selection, e.g.
    the funnel shown) that a change of the controls carries over. The
    segment tools' own callback is registered with it."""
    register_segment_actions(page)

    @callback(
        Output(f"{page}-url", "search"),
        Input(f"{page}-site", "value"),
        Input(f"{page}-period", "value"),
        Input(f"{page}-range", "start_date"),
        Input(f"{page}-range", "end_date"),
        Input(f"{page}-compare", "value"),
        Input(f"{page}-segment", "value"),
        State(f"{page}-url", "search"),
        prevent_initial_call=True,
    )
    def controls_changed(site, period, start_date, end_date, compare, segment, current_search):
        query = parse_qs((current_search or "").lstrip("?"))
        current = selection_from_query(query)
        # A segment is one site's; picking one replaces the filters with its own.
        segment = (segment or "") if site == current.site else ""
        filters = current.filters if segment == current.segment else ()
        search = selection_from_controls(site, period, start_date, end_date, compare,
                                         filters, current.metric, segment).search()
        kept = {name: query[name][0] for name in keep if query.get(name)}
        if kept:
            search += "&" + urlencode(kept)
        return search if search != current_search else no_update
    controls_changed.__name__ = f"{page}_controls_changed"
    return controls_changed
