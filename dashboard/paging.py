"""Paging shared by the inbox, the at-risk table and the client list: ?page=N, counts, links.

The store does the paging (LIMIT/OFFSET); these only read the page number
from the query string and draw “1–50 of 5,000” with links to the neighbours.
"""
from dash import dcc, html

from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError


def page_number(query):
    """?page=N as a number from 1; SelectionError names a value that is not one."""
    text = query_value(query, "page")
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
