"""Paging shared by the inbox, the at-risk table and the client list: ?page=N, counts, links.

The store does the paging (LIMIT/OFFSET); these only read the page number
from the query string, draw “1–50 of 5,000” with links to the neighbours, and
the page's rows as one table component: rows are data, not one component per
cell, which the browser would otherwise lay out one by one.
"""
from dash import dash_table, dcc, html

from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError


def page_number(query, key="page"):
    """?page=N (or ?KEY=N) as a number from 1; SelectionError names a value that is not one."""
    text = query_value(query, key)
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise SelectionError(f"Page “{text[:20]}” is not a page number.")
    return int(text)


def page_count(total, size):
    return max(1, -(-total // size))


def page_summary(first, last, total, noun):
    """“1–50 of 5,000 alerts”."""
    return f"{first:,}–{last:,} of {total:,} {noun}"


def pager(number, pages, href, prefix):
    """First / previous / “page n of m” / next / last; href(n) is the URL of page n."""
    links = []
    if number > 1:
        links += [dcc.Link("« First", href=href(1), id=f"{prefix}-first"),
                  dcc.Link("← Previous", href=href(number - 1), id=f"{prefix}-previous")]
    links.append(html.Span(f"page {number:,} of {pages:,}", id=f"{prefix}-page"))
    if number < pages:
        links += [dcc.Link("Next →", href=href(number + 1), id=f"{prefix}-next"),
                  dcc.Link("Last »", href=href(pages), id=f"{prefix}-last")]
    return html.Div(links, className="pager", id=f"{prefix}-pager")


def page_table(table_id, columns, rows, **options):
    """A DataTable of one page: columns [(key, title)]; the `client` column is a markdown link."""
    return dash_table.DataTable(
        id=table_id, data=rows, page_action="none", sort_action="none", filter_action="none",
        columns=[{"id": key, "name": title, **({"presentation": "markdown"} if key == "client" else {})}
                 for key, title in columns],
        markdown_options={"link_target": "_self"}, cell_selectable=False,
        style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto",
                    "fontFamily": "inherit", "fontSize": "0.9rem", "padding": "0.3rem 0.5rem"},
        style_header={"fontWeight": "600"}, **options)
