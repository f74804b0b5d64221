"""Top pages and top sources as plain HTML tables (Dash escapes every cell)."""
from urllib.parse import urlencode

from dash import html

from dashboard.formatting import format_count

_BAR_COLOUR = "rgba(79, 70, 229, 0.12)"


def _share_bar(value, largest):
    """A faint bar behind the label, as long as the row's share of the largest row."""
    share = 0 if not largest else round(100 * value / largest, 1)
    return {"background": f"linear-gradient(90deg, {_BAR_COLOUR} {share}%, transparent {share}%)"}


def ranked_table(table_id, label_header, columns, rows, label_key, bar_key, empty_text):
    """A ranked table: a label column and number columns, or a sentence when empty.

    columns: [(row key, header)] for the number columns.
    """
    if not rows:
        return html.P(empty_text, className="empty", id=f"{table_id}-empty")
    largest = max(row[bar_key] for row in rows)
    header = html.Tr([html.Th(label_header)] + [html.Th(title, className="num") for _, title in columns])
    body = [
        html.Tr([html.Td(row[label_key] or "—", className="label", style=_share_bar(row[bar_key], largest))]
                + [html.Td(format_count(row[key]), className="num") for key, _ in columns])
        for row in rows
    ]
    return html.Table([html.Thead(header), html.Tbody(body)], className="ranked", id=table_id)


def top_pages_table(rows):
    """rows from analytics.reports.top_pages."""
    return ranked_table("top-pages-table", "Page", [("visitors", "Visitors"), ("pageviews", "Pageviews")],
                        rows, "pathname", "pageviews", "No pageviews in this period.")


def top_sources_table(rows):
    """rows from analytics.reports.top_sources."""
    return ranked_table("top-sources-table", "Source", [("visitors", "Visitors"), ("visits", "Visits")],
                        rows, "source", "visits", "No visits in this period.")


def csv_link(endpoint, selection, link_id, **extra):
    """A download link for the full table behind a panel, as CSV from the Stats API.

    The API accepts the dashboard's own query string (site, period, from/to,
    compare, f_NAME filters) and the signed-in session, so the file holds
    every row of exactly what the reader is looking at, not just the top ten.
    `endpoint` is the Stats API name ('breakdown', 'goals', 'cohorts', ...);
    `extra` adds its own parameters, e.g. property='source'.
    """
    query = {**selection.as_query(), **{k: v for k, v in extra.items() if v is not None},
             "format": "csv"}
    return html.A("CSV", href=f"/api/v1/stats/{endpoint}?{urlencode(query)}", id=link_id,
                  className="csv-link", download="", title="Download every row as CSV")
