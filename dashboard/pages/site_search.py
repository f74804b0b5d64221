"""Site search: what visitors looked for with the site's own search box, and what came of it.

Headline cards (searches, searching visitors, searches per visit, refined
searches, exits after a search, the share that found nothing), with their
change against the comparison period, then three tables from
analytics.site_search: the search terms, the searches that found nothing,
and the pages visited right after a search. Report filters apply to all of
it (only the searches of the kept visits count); each table has its CSV
from GET /api/v1/stats/site-search. What is counted: docs/site-search.md.
"""
import dash
from dash import Input, Output, callback, html

from vigie.analytics.site_search import no_results_terms, search_page
from vigie.dashboard.controls import register_url_sync
from vigie.dashboard.report_page import (HIDDEN, SHOWN, STORE_DOWN, context, message, panel,
                                         report_layout, resolve_query)
from vigie.dashboard.selection import SelectionError
from vigie.dashboard.site_search_view import (cards_holder, next_pages_table, no_results_table,
                                              search_cards, terms_table)
from vigie.dashboard.tables import csv_link
from vigie.warehouse import StoreError

PAGE, PATH = "search", "/search"
ROWS = 20

dash.register_page(__name__, path=PATH, title="Site search · Vigie", name="Site search",
                   area="analytics", order=37)
register_url_sync(PAGE)


def _panels(selection):
    def export(report):
        return csv_link("site-search", selection, f"{PAGE}-{report.replace('_', '-')}-csv", report=report)
    return [
        cards_holder(PAGE),
        panel("Search terms", f"{PAGE}-terms", export("terms")),
        html.Div(className="columns pairs", children=[
            panel("Searches with no results", f"{PAGE}-no-results", export("no_results")),
            panel("Pages after searching", f"{PAGE}-next-pages", export("next_pages")),
        ]),
    ]


def layout(**query):
    return report_layout(PAGE, PATH, query, _panels, compare=True)


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-kpis", "children"),
    Output(f"{PAGE}-terms", "children"),
    Output(f"{PAGE}-no-results", "children"),
    Output(f"{PAGE}-next-pages", "children"),
    Output(f"{PAGE}-report", "style"),
    Input(f"{PAGE}-selection", "data"),
)
def show_search(query):
    app = context()
    timeout = app.settings.visit_timeout_minutes
    try:
        site, period, selection = resolve_query(query)
        filters = selection.filter_dict()
        summary, terms, after = search_page(app.store, site, period, timeout, filters,
                                            selection.compare or None, limit=ROWS)
        empty = no_results_terms(app.store, site, period, filters, limit=ROWS)
    except SelectionError as exc:
        return message(str(exc)), None, None, None, None, HIDDEN
    except StoreError:
        return message(STORE_DOWN), None, None, None, None, HIDDEN
    return (None, search_cards(summary), terms_table(site, terms), no_results_table(site, empty),
            next_pages_table(PATH, selection, after), SHOWN)
