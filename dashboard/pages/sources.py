"""Sources: where visits come from and which of them convert.

Channels, referrers, search engines and search terms, and the five UTM tags,
each as a table of visitors, visits, bounce rate, conversions, conversion
rate and revenue (analytics.breakdowns, definitions in docs/metrics.md).
Like every report page the URL is the whole state; a row label filters the
whole page by its value, a chip removes the filter, and every table links
to its CSV from the Stats API.
"""
import dash
from dash import Input, Output, callback, dcc, html

from vigie.analytics.breakdowns import breakdown
from vigie.dashboard.controls import register_url_sync, report_controls
from vigie.dashboard.report_page import STORE_DOWN, ReportRequest, message, open_report, resolve_report
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.traffic_panels import MARKETING_COLUMNS, breakdown_table, panel
from vigie.warehouse import StoreError

PAGE, PATH = "sources", "/sources"
TOP_ROWS = 20
ORGANIC_SEARCH = "Organic Search"

dash.register_page(__name__, path=PATH, title="Sources · Vigie", name="Sources", area="analytics",
                   order=10)
register_url_sync(PAGE)

_HIDDEN = {"display": "none"}
_SHOWN = {}


class Section:
    """One table: a breakdown, the filter its rows add, and what an empty table says.

    `untagged` drops the row of visits without a value (no UTM tag, no search
    term): it is not a campaign or a term, only the rest of the traffic."""

    def __init__(self, key, title, prop, filter_name, header, empty, untagged=False, filters=None):
        self.key, self.title, self.prop, self.filter_name = key, title, prop, filter_name
        self.header, self.empty, self.untagged, self.filters = header, empty, untagged, filters or {}

    @property
    def panel_id(self):
        return f"sources-{self.key}"


_NO_VISITS = "No visits in this period."
_NO_UTM = ("No visit in this period came from a link tagged with {tag}. Add ?{tag}=… to the "
           "links of your campaigns to see them here.")
SECTIONS = (
    Section("channels", "Channels", "channel", "channel", "Channel", _NO_VISITS),
    Section("referrers", "Referrers", "referrer", "referrer", "Referrer", _NO_VISITS),
    Section("search-engines", "Search engines (organic)", "source", "source", "Search engine",
            "No organic search visits in this period.", filters={"channel": ORGANIC_SEARCH}),
    Section("search-terms", "Search terms", "search_term", "search_term", "Search term",
            "No search terms in this period. Most search engines no longer pass the words "
            "searched to the site, so this table is often empty.", untagged=True),
    Section("utm-medium", "UTM medium", "utm_medium", "utm_medium", "Medium",
            _NO_UTM.format(tag="utm_medium"), untagged=True),
    Section("utm-source", "UTM source", "utm_source", "utm_source", "Source",
            _NO_UTM.format(tag="utm_source"), untagged=True),
    Section("utm-campaign", "UTM campaign", "utm_campaign", "utm_campaign", "Campaign",
            _NO_UTM.format(tag="utm_campaign"), untagged=True),
    Section("utm-term", "UTM term", "utm_term", "utm_term", "Term",
            _NO_UTM.format(tag="utm_term"), untagged=True),
    Section("utm-content", "UTM content", "utm_content", "utm_content", "Content",
            _NO_UTM.format(tag="utm_content"), untagged=True),
)


def layout(**query):
    """The page for a query string; the tables arrive through `show_sources`."""
    request = open_report(query)
    if not isinstance(request, ReportRequest):
        return request
    selection = request.selection
    return html.Div(className="sources", children=[
        dcc.Location(id="sources-url", refresh="callback-nav"),
        dcc.Store(id="sources-selection", data=selection.as_query()),
        report_controls(PAGE, PATH, request.sites, selection, request.period, compare=False,
                        segments=request.segments, user=request.user),
        html.Div(id="sources-message", role="status"),
        html.Div(id="sources-report", children=[
            panel(s.title, s.panel_id,
                  dcc.Loading(html.Div(id=f"{s.panel_id}-body"), type="dot", delay_show=150),
                  selection, s.prop, **({"f_channel": ORGANIC_SEARCH} if s.filters else {}))
            for s in SECTIONS]),
    ])


def section_rows(store, site, period, filters, section):
    """The rows of one section under the page's filters, or None when they exclude it."""
    wanted = dict(filters)
    for name, value in section.filters.items():
        if wanted.get(name, value) != value:
            return None  # e.g. the page is filtered to Email: no organic search visit is left
        wanted[name] = value
    rows = breakdown(store, site, period, section.prop, wanted, limit=TOP_ROWS + 1)
    if section.untagged:
        rows = [row for row in rows if row["value"] != ""]
    return rows[:TOP_ROWS]


def _table(section, rows, selection):
    if rows is None:
        return html.P("The filters of this page leave no visit for this table.", className="empty",
                      id=f"{section.panel_id}-table-empty")
    return breakdown_table(f"{section.panel_id}-table", section.header, MARKETING_COLUMNS, rows,
                           PATH, selection, section.filter_name, section.empty)


@callback(
    [Output("sources-message", "children")]
    + [Output(f"{s.panel_id}-body", "children") for s in SECTIONS]
    + [Output("sources-report", "style")],
    Input("sources-selection", "data"),
)
def show_sources(query):
    try:
        store, site, period, selection = resolve_report(query)
        filters = selection.filter_dict()
        tables = [_table(s, section_rows(store, site, period, filters, s), selection) for s in SECTIONS]
    except SelectionError as exc:
        return (message(str(exc)),) + (None,) * len(SECTIONS) + (_HIDDEN,)
    except StoreError:
        return (message(STORE_DOWN),) + (None,) * len(SECTIONS) + (_HIDDEN,)
    return (None, *tables, _SHOWN)
