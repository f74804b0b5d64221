"""What the Churn and Customers pages draw about portfolio value.

Built from analytics.portfolio results only (portfolio_summary, the trend);
nothing here reads the store.
"""
import plotly.graph_objects as go
from dash import html

BAND_TITLES = {"high": "High risk", "medium": "Medium risk", "low": "Low risk", "unscored": "Not scored"}


def _money(value):
    return "—" if value is None else f"{value:,.2f}"


def _kpi(component_id, title, value, detail=None):
    children = [html.Div(title, className="kpi-title"), html.Div(value, className="kpi-value")]
    if detail:
        children.append(html.Div(detail, className="kpi-change kpi-change-none"))
    return html.Div(children, className="kpi", id=component_id)


def spend_model_note(spend):
    """The independence check of the spend model, and why it was not used when it was not."""
    if not spend:
        return []
    notes = []
    if spend["note"]:
        notes.append(html.P(f"Spend model: {spend['note']}.", className="empty", id="spend-model-note"))
    if spend["independence_doubtful"]:
        notes.append(html.P(
            f"Spend and frequency are correlated among repeat buyers (r = {spend['correlation']:+.2f}): "
            "the spend model assumes they are not, so read CLV with care.",
            className="message message-warning", id="spend-model-warning"))
    return notes


def portfolio_kpis(summary):
    """Portfolio value and value at risk, with their client counts."""
    if summary["value"] is None:
        return html.P(f"No portfolio value: {summary['prediction_note']}.", className="empty",
                      id="portfolio-none")
    share = (f"{100 * summary['value_at_risk'] / summary['value']:.1f}% of the portfolio"
             if summary["value"] > 0 else None)
    horizon = f"next {summary['horizon_days']} days, discounted at {summary['discount_rate']:.0%} a year"
    return html.Div(className="kpis", id="portfolio-kpis", children=[
        _kpi("portfolio-value", "Portfolio value", _money(summary["value"]),
             f"{summary['clients']:,} active clients, {horizon}"),
        _kpi("portfolio-at-risk", "Value at risk", _money(summary["value_at_risk"]),
             # Not the High risk card's count: only the active clients who bought have a CLV.
             f"{summary['at_risk_clients']:,} active high-risk clients who bought"
             + (f", {share}" if share else "")),
    ])


def portfolio_split(summary):
    """Clients and CLV per risk band and per RFM segment (segments without clients left out)."""
    def table(table_id, title, rows):
        body = [html.Tr([html.Td(name), html.Td(f"{row['clients']:,}", className="num"),
                         html.Td(_money(row["value"]), className="num")]) for name, row in rows]
        return html.Table([html.Thead(html.Tr([html.Th(title), html.Th("Clients", className="num"),
                                               html.Th("Value", className="num")])),
                           html.Tbody(body)], className="ranked", id=table_id)
    bands = [(BAND_TITLES[b["band"]], b) for b in summary["by_band"]]
    segments = [(s["segment"], s) for s in summary["by_segment"] if s["clients"]]
    return html.Div(className="columns", id="portfolio-split", children=[
        table("portfolio-by-band", "Risk band", bands),
        table("portfolio-by-segment", "Segment", segments)])


def trend_figure(points):
    """Portfolio value as of the first day of each month."""
    shown = [p for p in points if p["value"] is not None]
    figure = go.Figure(go.Scatter(
        x=[p["as_of"].isoformat() for p in shown], y=[p["value"] for p in shown], mode="lines+markers",
        line={"color": "#4f46e5"}, customdata=[p["clients"] for p in shown],
        hovertemplate="%{x}: %{y:,.2f} (%{customdata:,} clients)<extra></extra>"))
    figure.update_layout(template="plotly_white", height=240, margin={"l": 64, "r": 16, "t": 16, "b": 40})
    figure.update_xaxes(title="As of", type="date", tickformat="%b %Y")
    figure.update_yaxes(title="Portfolio value", rangemode="tozero", tickformat=",.0f")
    return figure
