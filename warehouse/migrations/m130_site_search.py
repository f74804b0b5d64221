"""Migration 130: site search."""

NAME = "site search"

STATEMENTS = [
    # The words a visitor typed into the site's own search box, taken at
    # ingest from the one configured query parameter of the page URL (the
    # rest of the query string is still dropped, docs/privacy.md).
    "ALTER TABLE events ADD COLUMN site_search_term String",
    # Per site: which query parameters carry a search, and how a search that
    # found nothing shows itself (a page path pattern, or a custom event).
    "ALTER TABLE sites ADD COLUMN search_parameters Array(String) DEFAULT ['q', 's', 'search', 'query']",
    "ALTER TABLE sites ADD COLUMN search_no_results_page String",
    "ALTER TABLE sites ADD COLUMN search_no_results_event String",
]
