"""The Customers page's portfolio section: value split and the loyalty-profitability matrix.

customers.py hands it the kept summaries of analytics.portfolio; `matrix_card` draws the split by risk band and
segment, the 2 x 2 matrix (clients, value, mean churn risk per cell) and,
with ?cell=NAME&cpage=N, one page of that cell's clients, highest CLV first.
"""
from urllib.parse import urlencode

from dash import dcc, html

from vigie.analytics.portfolio import CELLS, cell_page
from vigie.dashboard.customers_view import client_link_markdown
from vigie.dashboard.paging import page_count, page_number, page_summary, page_table, pager
from vigie.dashboard.portfolio_view import portfolio_kpis, portfolio_split, spend_model_note
from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError

CELL_PAGE_SIZE = 50
# Rows: long relationship on top; columns: low then high profit.
LAYOUT = (("barnacles", "true_friends"), ("strangers", "butterflies"))
CELL_COLOURS = {"true_friends": "#86efac", "butterflies": "#fde68a", "barnacles": "#bfdbfe",
                "strangers": "#e5e7eb"}
CLIENT_COLUMNS = [("client", "Client"), ("clv", "CLV"), ("tenure", "Days since first purchase"),
                  ("segment", "Segment"), ("risk", "Churn risk")]


def matrix_href(site, date, cell, page=1):
    query = {"site": site, "date": date, "cell": cell, "cpage": page if page > 1 else ""}
    return "/customers?" + urlencode({k: v for k, v in query.items() if v})


def selected_cell(query):
    """?cell=NAME, checked; '' when none."""
    cell = query_value(query, "cell")
    if cell and cell not in CELLS:
        raise SelectionError(f"“{cell[:40]}” is not a cell of the loyalty-profitability matrix.")
    return cell


def _risk(value):
    return "—" if value is None else f"{value:.0%}"


def matrix_table(matrix, href):
    """The 2 x 2 grid: each cell a link listing its clients."""
    def cell(name):
        c = next(row for row in matrix["cells"] if row["cell"] == name)
        return html.Td(dcc.Link([
            html.Span(c["label"], className="rfm-segment"),
            html.Span(f"{c['clients']:,}", className="rfm-count"),
            html.Span(f"value {c['value']:,.2f} · mean risk {_risk(c['mean_risk'])}", className="rfm-segment")],
            href=href(name), id=f"matrix-cell-{name}", title=c["action"]),
            className="rfm-cell", style={"background": CELL_COLOURS[name]})
    header = html.Tr([html.Th(""), html.Th(f"CLV ≤ {matrix['value_cutoff']:,.2f}"),
                      html.Th(f"CLV > {matrix['value_cutoff']:,.2f}")])
    tenure = matrix["tenure_cutoff_days"]
    body = [html.Tr([html.Th(f"> {tenure:,.0f} days" if top else f"≤ {tenure:,.0f} days")]
                    + [cell(name) for name in row]) for top, row in zip((True, False), LAYOUT)]
    return html.Table([html.Thead(header), html.Tbody(body)], className="rfm-matrix", id="loyalty-matrix")


def cell_members(matrix, cell, number, site, date):
    """One page of the cell's clients, with the pager."""
    label = CELLS[cell][0]
    members, total = cell_page(matrix, cell, (number - 1) * CELL_PAGE_SIZE, CELL_PAGE_SIZE)
    title = html.H3(f"{label}: clients, highest CLV first", id="matrix-members-title")
    action = html.P(f"What to do: {CELLS[cell][3]}.", className="hint", id="matrix-action")
    if not members:
        return [title, action, html.P(f"No client on page {number:,}." if total else f"No client in {label}.",
                                      className="empty", id="matrix-members-empty")]
    rows = [{"client": client_link_markdown(site, r["customer_id"]), "clv": f"{r['clv']:,.2f}",
             "tenure": f"{r['tenure_days']:,}", "segment": r["segment"], "risk": _risk(r["probability"])}
            for r in members]
    first = (number - 1) * CELL_PAGE_SIZE + 1
    return [title, action,
            html.P(page_summary(first, first + len(members) - 1, total, "clients"), id="matrix-members-count"),
            page_table("matrix-members", CLIENT_COLUMNS, rows),
            pager(number, page_count(total, CELL_PAGE_SIZE), lambda n: matrix_href(site, date, cell, n),
                  "matrix-members")]


def matrix_card(summary, overview, site, query, full_matrix):
    """The portfolio card of the Customers page (raises SelectionError on a bad ?cell or ?cpage).

    `overview`: analytics.portfolio.matrix_overview (the cells' counts, kept
    for every server process); `full_matrix()`: loyalty_matrix with every
    client placed, built only when a cell's clients are listed.
    """
    cell, number = selected_cell(query), page_number(query, "cpage")
    date = query_value(query, "date")
    children = [html.H2("Portfolio value and the loyalty-profitability matrix"),
                portfolio_kpis(summary)] + spend_model_note(summary["spend_model"])
    if summary["value"] is None:
        return html.Section(className="card", id="portfolio-card", children=children)
    if not overview["placed"]:
        # Every client with a value has an ended contract (a past ?date reads today's contracts).
        children.append(html.P("No active client to place in the matrix: every client with a "
                               "lifetime value has an ended contract.", className="empty",
                               id="matrix-none"))
        return html.Section(className="card", id="portfolio-card", children=children)
    children += [portfolio_split(summary),
                 html.H3("Loyalty and profitability"),
                 html.P("Profitability is CLV, relationship length the days since the first purchase; "
                        "click a cell to list its clients.", className="hint"),
                 matrix_table(overview, lambda name: matrix_href(site, date, name))]
    if cell:
        children += cell_members(full_matrix(), cell, number, site, date)
    return html.Section(className="card", id="portfolio-card", children=children)
