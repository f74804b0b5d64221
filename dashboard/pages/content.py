"""Pages: which pages are read, where visits start and where they end.

Named `content` because Dash keeps pages in a folder called pages. Three
tables from analytics.breakdowns: top pages (pageviews by their own time,
time on page, and how the page does as a landing page), entry pages and exit
pages (visits that started in the period, by their first and last page).
Clicking a page filters the whole view by it; definitions are in
docs/metrics.md and how to read the page in docs/dashboard.md.
"""
import dash
from dash import Input, Output, callback, html

from vigie.analytics.breakdowns import breakdown
from vigie.dashboard.breakdown_view import COUNT, DURATION, PERCENT, breakdown_table, linked_label
from vigie.dashboard.controls import register_url_sync
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, context, message, panel,
                                         report_layout, resolve_query)
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE = "content"
PATH = "/pages"
ROWS = 20

dash.register_page(__name__, path=PATH, title="Pages · Vigie", name="Pages", area="analytics",
                   order=20)
register_url_sync(PAGE)

_NO_VISITS = ("No visits in this period. Try a longer period, or check that the tracking "
              "snippet is on the site's pages.")

TOP_COLUMNS = [("visitors", "Visitors", COUNT), ("pageviews", "Pageviews", COUNT),
               ("time_on_page", "Time on page", DURATION), ("entries", "Entries", COUNT),
               ("bounce_rate", "Bounce rate", PERCENT)]
ENTRY_COLUMNS = [("visitors", "Visitors", COUNT), ("visits", "Entries", COUNT),
                 ("bounce_rate", "Bounce rate", PERCENT), ("visit_duration", "Visit duration", DURATION)]
EXIT_COLUMNS = [("visitors", "Visitors", COUNT), ("exits", "Exits", COUNT),
                ("exit_rate", "Exit rate", PERCENT)]


def _panels(selection):
    def export(prop):
        return csv_link("breakdown", selection, f"{PAGE}-{prop.replace('_', '-')}-csv", property=prop)
    return [
        panel("Top pages", f"{PAGE}-top", export("pages")),
        html.Div(className="columns pairs", children=[
            panel("Entry pages", f"{PAGE}-entry", export("entry_page")),
            panel("Exit pages", f"{PAGE}-exit", export("exit_page")),
        ]),
    ]


def layout(**query):
    return report_layout(PAGE, PATH, query, _panels)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-top", "children"),
    Output(f"{PAGE}-entry", "children"),
    Output(f"{PAGE}-exit", "children"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-selection", "data"),
)
def show_pages(query):
    try:
        site, period, selection = resolve_query(query)
        store, filters = context().store, selection.filter_dict()
        top = breakdown(store, site, period, "pages", filters, limit=ROWS)
        entry = breakdown(store, site, period, "entry_page", filters, limit=ROWS)
        exits = breakdown(store, site, period, "exit_page", filters, limit=ROWS)
    except SelectionError as exc:
        return message(str(exc)), None, None, None, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, None, HIDDEN
    return (None,
            breakdown_table("top-pages-table", "Page", TOP_COLUMNS, top,
                            linked_label(PATH, selection, "page"), "pageviews",
                            "No pageviews in this period. Try a longer period, or check that the "
                            "tracking snippet is on the site's pages."),
            breakdown_table("entry-pages-table", "Entry page", ENTRY_COLUMNS, entry,
                            linked_label(PATH, selection, "entry_page"), "visits", _NO_VISITS),
            breakdown_table("exit-pages-table", "Exit page", EXIT_COLUMNS, exits,
                            linked_label(PATH, selection, "exit_page"), "exits", _NO_VISITS),
            SHOWN)
