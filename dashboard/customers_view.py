"""What the customers page draws: a page of clients and one client's timeline.

Built from alerts.client_data.queries, alerts.churn_queries and alerts.state
results only. The CRM attributes are shown as text (Dash escapes them).
"""
import datetime
import re
from urllib.parse import urlencode

from dash import dcc, html

from vigie.alerts.clock import is_never
from vigie.analytics.customer_value import AS_OF_RANGE
from vigie.dashboard.formatting import format_duration
from vigie.dashboard.paging import page_count, page_summary, pager
from vigie.dashboard.retention_access import query_value
from vigie.dashboard.selection import SelectionError


def as_of_date(query):
    """The page's as-of date (`date`), today (UTC) when empty; SelectionError when not a date."""
    text = query_value(query, "date")
    if not text:
        return datetime.datetime.now(datetime.timezone.utc).date()
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise SelectionError(f"“{text[:20]}” is not a date like 2026-03-01.") from None
    if not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        raise SelectionError(f"“{text[:20]}” is outside {AS_OF_RANGE[0]}..{AS_OF_RANGE[1]}.")
    return day


def customers_search(site, prefix="", page=1, client="", segment="", date=""):
    """The '?…' part of a customers URL; empty values are left out."""
    query = {"site": site, "q": prefix, "page": page if page > 1 else "", "client": client,
             "segment": segment, "date": date}
    return "?" + urlencode({k: v for k, v in query.items() if v})


def customers_href(site, prefix="", page=1, client="", segment="", date=""):
    return "/customers" + customers_search(site, prefix, page, client, segment, date)


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def client_link_markdown(site, customer_id):
    """A markdown link to the client's timeline, for a table cell; the id is shown literally
    (every ASCII punctuation sign backslash-escaped, the URL encoded)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", customer_id)
    return f"[{text}]({customers_href(site, client=customer_id)})"


def _day(moment):
    return "—" if moment is None or is_never(moment) else f"{moment:%Y-%m-%d}"


def _table(table_id, headers, rows, empty):
    if not rows:
        return html.P(empty, className="empty", id=f"{table_id}-empty")
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in headers])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
                      className="ranked", id=table_id)


def customer_list(page, site, prefix, number):
    """The clients of a CustomerPage with 'previous' / 'next' links."""
    rows = [[dcc.Link(c.customer_id, href=customers_href(site, prefix, number, c.customer_id)),
             c.plan or "—", c.contract_status or "—", c.owner or "—", _day(c.created_at)]
            for c in page.customers]
    table = _table("customers-table", ["Client", "Plan", "Contract", "Owner", "Client since"], rows,
                   f"No client id starts with “{prefix}”." if prefix else "No client imported yet.")
    links = pager(number, page_count(page.total, page.limit),
                  lambda n: customers_href(site, prefix, n), "customers")
    first = page.offset + 1 if page.customers else 0
    summary = html.P(page_summary(first, page.offset + len(page.customers), page.total, "clients"),
                     id="customers-count", className="empty")
    return html.Div([summary, table, links])


def timeline(customer, transactions, history, alerts, visits=()):
    """One client: attributes, transactions, web visits, churn scores over time, alerts."""
    facts = [("Client", customer.customer_id), ("Client since", _day(customer.created_at)),
             ("Plan", customer.plan or "—"), ("Contract", customer.contract_status or "—"),
             ("Contract ended", _day(customer.contract_ended_at)), ("Segment", customer.segment or "—"),
             ("Owner", customer.owner or "—")] + list(customer.attributes)
    return html.Div(id="customer-timeline", children=[
        html.H2(f"Client {customer.customer_id}"),
        html.Table(html.Tbody([html.Tr([html.Th(k), html.Td(str(v))]) for k, v in facts]),
                   className="ranked", id="customer-facts"),
        html.H3("Transactions"),
        _table("customer-transactions", ["Date (UTC)", "Type", "Amount", "Origin"],
               [[f"{t.ts:%Y-%m-%d %H:%M}", t.type, f"{t.amount:,.2f} {t.currency}", t.origin]
                for t in transactions], "No transaction imported for this client."),
        html.H3("Web visits"),
        _table("customer-visits", ["Start (UTC)", "Entry page", "Source", "Channel", "Pageviews",
                                   "Duration", "Device"],
               [[f"{v.start:%Y-%m-%d %H:%M}", v.entry_page or "—", v.source or "—", v.channel or "—",
                 f"{v.pageviews:,}", format_duration(v.duration), v.device or "—"] for v in visits],
               "No web visit linked to this client: the site sends no customer_id for it, "
               "or the sessions job has not run since."),
        html.H3("Churn score history"),
        _table("customer-scores", ["As of", "Probability", "Band", "Reasons"],
               [[f"{s.as_of:%Y-%m-%d}", f"{s.probability:.1%}", s.risk_band, "; ".join(s.reasons) or "—"]
                for s in history], "This client has not been scored yet."),
        html.H3("Alerts"),
        _table("customer-alerts", ["Opened (UTC)", "Rule", "Severity", "State", "Owner", "Outcome"],
               [[f"{a.opened_at:%Y-%m-%d %H:%M}", a.rule_name, a.severity, a.state, a.owner or "—",
                 a.outcome or "—"] for a in alerts], "No alert about this client."),
    ])
