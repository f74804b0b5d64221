"""The site search page's parts: its headline cards and its three tables.

Numbers come from analytics.site_search; the cards use the overview's card
builder (dashboard.kpis) with their own list, so changes against the
comparison period read the same way: green for better, points for the share
of searches that found nothing.
"""
from dash import dcc, html

from vigie.dashboard.breakdown_view import COUNT, NOT_SET, breakdown_table, linked_label
from vigie.dashboard.formatting import format_count, format_percent, format_ratio
from vigie.dashboard.kpis import kpi_cards

SEARCH_KPIS = (
    ("searches", "Searches", format_count, "Pageviews whose URL carried a search of the site"),
    ("visitors", "Searching visitors", format_count, "Distinct visitors who searched"),
    ("searches_per_visit", "Searches per visit", format_ratio,
     "Searches divided by the visits with at least one search"),
    ("refinements", "Refined searches", format_count, "Searches followed straight by another search"),
    ("exits", "Exits after search", format_count, "Searches that were the last page of their visit"),
    ("no_results_rate", "No results", format_percent, "Share of searches that found nothing"),
)
TERM_COLUMNS = [("searches", "Searches", COUNT), ("visitors", "Visitors", COUNT),
                ("visits", "Visits", COUNT), ("searches_per_visit", "Per visit", format_ratio)]
COUNT_COLUMNS = [("searches", "Searches", COUNT), ("visitors", "Visitors", COUNT)]

NO_SEARCHES = ("No searches in this period. Searches are pageviews whose URL carries one of the "
               "site's search parameters ({parameters}); admins change them in Settings.")
NO_SEARCH_PARAMETERS = "Site search is off for this site: it has no search parameter (Settings)."
NO_RESULTS_UNSET = ("Vigie cannot tell yet which searches found nothing: in Settings, give the site "
                    "its no-results page (a path pattern) or the custom event its results page "
                    "sends when nothing matched (docs/site-search.md).")
NO_EMPTY_SEARCHES = "Every search of this period found something."
NO_NEXT_PAGES = "No search in this period was followed by another page of the visit."


def search_cards(summary):
    return kpi_cards(summary, SEARCH_KPIS, base="searches")


def _term(row):
    """A term as typed: plain text (there is no filter by search term)."""
    value = row["value"]
    return html.Span(value, className="search-term") if value else html.Span(NOT_SET, className="not-set")


def no_searches_text(site):
    if not site.search_parameters:
        return NO_SEARCH_PARAMETERS
    return NO_SEARCHES.format(parameters=", ".join(site.search_parameters))


def terms_table(site, rows):
    return breakdown_table("search-terms-table", "Search term", TERM_COLUMNS, rows, _term, "searches",
                           no_searches_text(site))


def no_results_table(site, rows):
    if not (site.search_no_results_page or site.search_no_results_event):
        return html.P(NO_RESULTS_UNSET, className="empty", id="search-no-results-table-unset")
    return breakdown_table("search-no-results-table", "Search term", COUNT_COLUMNS, rows, _term,
                           "searches", NO_EMPTY_SEARCHES)


def next_pages_table(path, selection, rows):
    """Pages after searching; each page filters the report by the visits that viewed it."""
    return breakdown_table("search-next-pages-table", "Page", COUNT_COLUMNS, rows,
                           linked_label(path, selection, "page"), "searches", NO_NEXT_PAGES)


def cards_holder(page):
    return dcc.Loading(html.Div(id=f"{page}-kpis", className="kpis"), type="dot", delay_show=150)
