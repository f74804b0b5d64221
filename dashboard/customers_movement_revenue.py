"""The base movement section's revenue waterfall: a chart and a table beside the client counts.

The figures are analytics.base_movement's `revenue_*` fields (docs/customer-value.md,
"Revenue"): what the period's clients bought, moved by their status, so the table's
columns add up to its last one. Provisional periods are pale and marked, as in the
client counts above it.
"""
import plotly.graph_objects as go
from dash import html

from vigie.dashboard.formatting import format_ratio

_NEW, _BACK, _UP, _DOWN, _CHURN, _END = "#16a34a", "#86efac", "#0ea5e9", "#fdba74", "#dc2626", "#1e293b"
REVENUE_COLUMNS = [("revenue_start", "At the start"), ("revenue_new", "New"),
                   ("revenue_reactivated", "Reactivated"), ("revenue_expansion", "Expansion"),
                   ("revenue_contraction", "Contraction"), ("revenue_churned", "Churned"),
                   ("revenue_end", "At the end")]


def period_label(p):
    """The period's first day; marked provisional, and "so far" while it is not over (a
    partial period's revenue and counts are not comparable with a whole one's)."""
    marks = [m for m, on in (("provisional", p["provisional"]), ("so far", not p["complete"])) if on]
    return p["period"] + (f" ({', '.join(marks)})" if marks else "")


def period_series(report):
    """The x axis (period starts), the bars' opacity (provisional periods pale) and
    `values(key, sign)`: one field per period, signed, None kept (no counts)."""
    periods = report["periods"]

    def values(key, sign=1):
        return [None if p[key] is None else sign * p[key] for p in periods]
    return [p["period"] for p in periods], [0.45 if p["provisional"] else 1.0 for p in periods], values


def revenue_figure(report):
    x, pale, amounts = period_series(report)

    def bar(name, key, color, sign=1):
        return go.Bar(name=name, x=x, y=amounts(key, sign), marker={"color": color, "opacity": pale})

    figure = go.Figure([
        bar("New", "revenue_new", _NEW), bar("Reactivated", "revenue_reactivated", _BACK),
        bar("Expansion", "revenue_expansion", _UP), bar("Contraction", "revenue_contraction", _DOWN, -1),
        bar("Churned", "revenue_churned", _CHURN, -1),
        go.Scatter(name="Revenue at the end", x=x, y=amounts("revenue_end"), mode="lines+markers",
                   line={"color": _END}),
    ])
    figure.update_layout(barmode="relative", height=320, margin={"l": 60, "r": 20, "t": 10, "b": 40},
                         legend={"orientation": "h", "y": -0.2}, yaxis={"title": "revenue"},
                         xaxis={"type": "category"})
    return figure


def revenue_table(report):
    header = html.Tr([html.Th("Period")] + [html.Th(t, className="num") for _, t in REVENUE_COLUMNS])
    rows = [html.Tr(className="provisional" if p["provisional"] else None, children=[
        html.Td(period_label(p))]
        + [html.Td(format_ratio(p[k]), className="num") for k, _ in REVENUE_COLUMNS])
        for p in report["periods"]]
    return html.Table([html.Thead(header), html.Tbody(rows)], className="ranked", id="movement-revenue-table")
