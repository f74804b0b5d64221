"""What the customers page draws about customer value: the RFM matrix, a segment's clients, the CLV chart.

Built from analytics.customer_value reports only (rfm_report, clv_report);
nothing here reads the store. Client ids are shown as text (Dash escapes them).
"""
from urllib.parse import urlencode

import plotly.graph_objects as go
from dash import dcc, html

from vigie.analytics.rfm import SCORES

# One colour per segment, warm for the ones to win back, cool for the healthy.
SEGMENT_COLOURS = {
    "Champions": "#15803d", "Loyal customers": "#22c55e", "Potential loyalists": "#86efac",
    "New customers": "#0ea5e9", "Promising": "#7dd3fc", "Need attention": "#fde047",
    "About to sleep": "#fdba74", "Cannot lose them": "#b91c1c", "At risk": "#ef4444",
    "Hibernating": "#cbd5e1", "Lost": "#94a3b8"}
MEMBERS_LIMIT = 200   # clients listed on the page; the CSV export has them all


def api_csv_href(endpoint, site, as_of, **extra):
    """A Stats API CSV download for the page's site and as-of date."""
    query = {"site": site, "date": as_of.isoformat(), "format": "csv", "limit": 1000, **extra}
    return f"/api/v1/stats/{endpoint}?" + urlencode({k: v for k, v in query.items() if v})


def rfm_matrix(report, segment_href):
    """The 5 x 5 recency x frequency grid: each cell coloured by its segment, with its clients.

    `segment_href(name)` is the link that lists a segment's clients.
    """
    cells = {(c["r"], c["f"]): c for c in report["grid"]}
    header = html.Tr([html.Th("Recency ↓ / Frequency →")] + [html.Th(f"F {f}", className="num")
                                                               for f in SCORES])
    body = []
    for r in sorted(SCORES, reverse=True):
        row = [html.Th(f"R {r}")]
        for f in SCORES:
            cell = cells[(r, f)]
            row.append(html.Td(
                dcc.Link([html.Span(cell["segment"], className="rfm-segment"),
                          html.Span(f"{cell['customers']:,}", className="rfm-count")],
                         href=segment_href(cell["segment"]), id=f"rfm-cell-{r}{f}"),
                style={"background": SEGMENT_COLOURS[cell["segment"]]}, className="rfm-cell"))
        body.append(html.Tr(row))
    return html.Table([html.Thead(header), html.Tbody(body)], className="rfm-matrix", id="rfm-matrix")


def segment_table(report, segment_href):
    """Clients, share and net revenue per segment, in the order of the rule table."""
    rows = [html.Tr([
        html.Td([html.Span(className="swatch", style={"background": SEGMENT_COLOURS[s["segment"]]}),
                 dcc.Link(s["segment"], href=segment_href(s["segment"]))]),
        html.Td(f"{s['customers']:,}", className="num"), html.Td(f"{s['share']:.1f}%", className="num"),
        html.Td(f"{s['net_revenue']:,.2f}", className="num"), html.Td(s["description"])])
        for s in report["segments"]]
    return html.Table([html.Thead(html.Tr([html.Th("Segment"), html.Th("Clients", className="num"),
                                           html.Th("Share", className="num"),
                                           html.Th("Net revenue", className="num"),
                                           html.Th("Who they are")])),
                       html.Tbody(rows)], className="ranked", id="rfm-segments")


def segment_members(report, segment, client_href):
    """The clients of one segment, highest net revenue first (links open their timeline)."""
    clients = report["clients"]
    if not clients:
        return html.P(f"No client in “{segment}” as of {report['as_of']:%Y-%m-%d}.", className="empty",
                      id="rfm-members-empty")
    shown = clients[:MEMBERS_LIMIT]
    body = [html.Tr([html.Td(dcc.Link(c["customer_id"], href=client_href(c["customer_id"]))),
                     html.Td(c["rfm"], className="num"), html.Td(f"{c['recency_days']:,}", className="num"),
                     html.Td(f"{c['orders']:,}", className="num"),
                     html.Td(f"{c['net_revenue']:,.2f}", className="num"),
                     html.Td(f"{c['last_purchase']:%Y-%m-%d}")]) for c in shown]
    note = [] if len(clients) <= MEMBERS_LIMIT else [html.P(
        f"Showing the first {MEMBERS_LIMIT:,} of {len(clients):,} clients; the CSV export has them all.",
        className="empty")]
    return html.Div(note + [html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in ("Client", "RFM", "Days since last purchase",
                                                   "Purchases", "Net revenue", "Last purchase")])),
         html.Tbody(body)], className="ranked", id="rfm-members")])


def clv_figure(report):
    """Clients per bucket of historical value, and of predicted value when there is a prediction."""
    figure = go.Figure()
    series = [("historical_buckets", "Value so far", "#4f46e5")]
    if report["predicted_total"] is not None:
        series.append(("predicted_buckets", f"Predicted, next {report['horizon_days']} days", "#f59e0b"))
    for key, name, colour in series:
        buckets = report[key]
        figure.add_bar(x=[f"{b['from']:,}–{b['to']:,}" for b in buckets],
                       y=[b["customers"] for b in buckets], name=name, marker={"color": colour},
                       hovertemplate="%{x}: %{y} clients<extra>" + name + "</extra>")
    figure.update_layout(template="plotly_white", height=280, barmode="group",
                         margin={"l": 48, "r": 16, "t": 16, "b": 56},
                         legend={"orientation": "h", "y": 1.12})
    figure.update_xaxes(title="Customer value (as imported, e.g. EUR)", type="category")
    figure.update_yaxes(title="Clients", tickformat=",d", rangemode="tozero")
    return figure


def clv_summary(report):
    """Totals above the chart, and why there is no prediction when there is none."""
    facts = [html.Div(className="kpi", id="clv-historical", children=[
        html.Div("Value so far", className="kpi-title"),
        html.Div(f"{report['historical_total']:,.2f}", className="kpi-value")])]
    if report["predicted_total"] is not None:
        facts.append(html.Div(className="kpi", id="clv-predicted", children=[
            html.Div(f"Predicted, next {report['horizon_days']} days", className="kpi-title"),
            html.Div(f"{report['predicted_total']:,.2f}", className="kpi-value")]))
    note = ([html.P(f"No prediction: {report['prediction_note']}.", className="empty", id="clv-note")]
            if report["predicted_total"] is None else [])
    return html.Div([html.Div(facts, className="kpis")] + note)
