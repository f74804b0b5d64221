"""What the churn page draws: band counts, the probability histogram, the at-risk table, the model card.

Everything here is built from alerts.churn_queries results; nothing reads
the store. Reasons and ids are shown as text (Dash escapes them).
"""
import csv
import io

import plotly.graph_objects as go
from dash import html

from vigie.alerts.churn_registry import KIND_NAMES
from vigie.dashboard.chart_config import chart, export_title
from vigie.dashboard.customers_view import client_link_markdown
from vigie.dashboard.paging import page_table

BANDS = ("high", "medium", "low")
SORTS = ("desc", "asc")
# Cards written before champion and challengers held two baselines instead.
_METRIC_ROWS = (("model", "Model"), ("recency_baseline", "Recency baseline"),
                ("bgnbd_baseline", "BG/NBD baseline"), ("paretonbd_baseline", "Pareto/NBD baseline"))
_METRIC_COLUMNS = (("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"), ("brier", "Brier"),
                   ("ece", "Calibration error"), ("lift_top_decile", "Top-decile lift"))


_BAND_COLOURS = {"high": "#dc2626", "medium": "#f59e0b", "low": "#16a34a"}


def trend_figure(trend):
    """Share of scored clients in each risk band, per scoring date (stacked to 100 %)."""
    figure = go.Figure()
    for band in reversed(BANDS):
        figure.add_bar(
            x=[t["as_of"].isoformat() for t in trend], y=[t[f"{band}_share"] for t in trend],
            name=f"{band.capitalize()} risk", marker={"color": _BAND_COLOURS[band]},
            customdata=[t[band] for t in trend],
            hovertemplate="%{x}: %{y:.1f}% (%{customdata} clients)<extra>" + band + "</extra>")
    figure.update_layout(template="plotly_white", height=260, barmode="stack", bargap=0.3,
                         margin={"l": 48, "r": 16, "t": 40, "b": 40}, legend={"orientation": "h", "y": 1.18})
    figure.update_xaxes(title="Scored as of", type="category")
    figure.update_yaxes(title="Share of clients", ticksuffix="%", range=[0, 100])
    return figure


def risk_trend_panel(trend, domain=None):
    if len(trend) < 2:
        return html.P("The trend appears after the second scoring date "
                      "(scoring runs daily with `vigie serve`, or `vigie churn score`).",
                      className="empty", id="churn-trend-empty")
    return chart("churn-trend-chart", trend_figure(trend), "churn-risk-trend",
                 title=export_title("Clients by churn risk", domain, trend[0]["as_of"],
                                    trend[-1]["as_of"]) if domain else None)


def band_cards(counts):
    return html.Div(className="kpis", id="churn-bands", children=[
        html.Div(className="kpi", id=f"band-{band}", children=[
            html.Div(f"{band.capitalize()} risk", className="kpi-title"),
            html.Div(f"{counts.get(band, 0):,}", className="kpi-value")])
        for band in BANDS])


def probability_figure(bins):
    """Clients per 5-point bin of churn probability (counted in the store: 20 numbers, not every score)."""
    width = 1.0 / len(bins)
    figure = go.Figure(go.Bar(
        x=[round((i + 0.5) * width, 4) for i in range(len(bins))], y=list(bins), width=width * 0.95,
        marker={"color": "#4f46e5"},
        customdata=[f"{i * width:.0%}–{(i + 1) * width:.0%}" for i in range(len(bins))],
        hovertemplate="%{customdata}: %{y} clients<extra></extra>"))
    figure.update_layout(template="plotly_white", height=260, bargap=0.05,
                         margin={"l": 48, "r": 16, "t": 16, "b": 40})
    figure.update_xaxes(title="Churn probability", tickformat=".0%", range=[0, 1])
    # Whole clients only: with few clients Plotly would tick at 0.2 steps.
    figure.update_yaxes(title="Clients", tickformat=",d", rangemode="tozero",
                        dtick=1 if max(bins, default=0) <= 5 else None)
    return figure


def at_risk_rows(scores, last_purchases, owners, band="", order="desc"):
    """Table rows as dicts: the scores of one band (or all), by probability."""
    chosen = [s for s in scores if not band or s.risk_band == band]
    chosen.sort(key=lambda s: (s.probability if order == "asc" else -s.probability, s.customer_id))
    rows = []
    for s in chosen:
        reasons = list(s.reasons[:3]) + [""] * (3 - min(len(s.reasons), 3))
        last = last_purchases.get(s.customer_id)
        rows.append({"customer_id": s.customer_id, "probability": round(s.probability, 4),
                     "risk_band": s.risk_band, "reason_1": reasons[0], "reason_2": reasons[1],
                     "reason_3": reasons[2], "last_purchase": last.strftime("%Y-%m-%d") if last else "",
                     "owner": owners.get(s.customer_id, "")})
    return rows


_HEADERS = (("customer_id", "Client"), ("probability", "Probability"), ("risk_band", "Band"),
            ("reason_1", "Reason 1"), ("reason_2", "Reason 2"), ("reason_3", "Reason 3"),
            ("last_purchase", "Last purchase"), ("owner", "Owner"))


def at_risk_table(rows, site, summary="", pages=None):
    """One page of at-risk clients; `summary` (“1–50 of 5,000 clients”) and `pages` (links) around it."""
    if not rows:
        return html.P("No client in this band.", className="empty", id="at-risk-empty")
    shown = [{**r, "client": client_link_markdown(site, r["customer_id"]),
              "probability": f"{r['probability']:.1%}", "last_purchase": r["last_purchase"] or "—",
              "owner": r["owner"] or "—"} for r in rows]
    columns = [("client", "Client")] + [(key, title) for key, title in _HEADERS[1:]]
    return html.Div([html.P(summary, className="empty", id="at-risk-count"),
                     page_table("at-risk-table", columns, shown)] + ([pages] if pages else []))


def at_risk_csv(rows):
    """The table as CSV text, every row, probabilities as plain decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in _HEADERS])
    for r in rows:
        writer.writerow([r[key] for key, _ in _HEADERS])
    return out.getvalue()


def _metric(value, key):
    if value is None:
        return "—"
    return f"{value:.2f}×" if key == "lift_top_decile" else f"{value:.3f}"


TOP_FEATURES = 10


def importance_table(importance, kind=None):
    """The features the model leans on most, with a bar: share of the trees'
    total gain, or of the logistic regression's standardised weights."""
    shown = [(name, share) for name, share in importance if share > 0][:TOP_FEATURES]
    if not shown and kind in ("paretonbd", "bgnbd"):
        return html.P(f"{KIND_NAMES[kind]} reads the purchase history only (purchase days, the first "
                      "and the last): it has no feature weights.", className="empty",
                      id="model-importance-purchases")
    if not shown:
        return html.P("This model was trained before Vigie recorded feature importance; "
                      "train again to see it.", className="empty", id="model-importance-empty")
    widest = shown[0][1]
    rows = [html.Tr([html.Td(name), html.Td(f"{share:.1%}", className="num"),
                     html.Td(html.Div(className="importance-bar",
                                      style={"width": f"{100 * share / widest:.0f}%"}))])
            for name, share in shown]
    share = "Share of weight" if kind == "logistic" else "Share of gain"
    return html.Table([html.Thead(html.Tr([html.Th("Feature"), html.Th(share, className="num"),
                                           html.Th("")])),
                       html.Tbody(rows)], className="ranked", id="model-importance")


def reliability_figure(curve):
    """Mean predicted probability against observed churn, per probability bin,
    with the diagonal a perfectly calibrated model would follow."""
    figure = go.Figure()
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfect calibration",
                       line={"color": "#9ca3af", "dash": "dot"}, hoverinfo="skip")
    figure.add_scatter(
        x=[b["predicted"] for b in curve], y=[b["observed"] for b in curve], mode="lines+markers",
        name="Model", marker={"color": "#4f46e5"}, customdata=[b["clients"] for b in curve],
        hovertemplate="predicted %{x:.0%}, observed %{y:.0%} (%{customdata:,} clients)<extra></extra>")
    figure.update_layout(template="plotly_white", height=260, showlegend=False,
                         margin={"l": 48, "r": 16, "t": 16, "b": 40})
    figure.update_xaxes(title="Predicted churn probability", tickformat=".0%", range=[0, 1])
    figure.update_yaxes(title="Observed churn rate", tickformat=".0%", range=[0, 1])
    return figure


def _reliability(metrics):
    curve = metrics.get("model", {}).get("reliability")
    if not curve:
        return html.P("This model was trained before Vigie recorded its reliability curve; "
                      "train again to see it.", className="empty", id="model-reliability-empty")
    return chart("model-reliability", reliability_figure(curve), filename="churn-reliability")


def _facts(card):
    window, kind = card["data_window"], card["parameters"].get("kind")
    folds = window.get("folds")
    facts = [("Version", card["version"]), ("Trained", f"{card['created_at']:%Y-%m-%d %H:%M} UTC"),
             ("Scores as of", window.get("as_of", "—")),
             ("Horizon", f"{window['horizon_days']} days" if "horizon_days" in window else "—")]
    if kind:
        facts.append(("Champion", KIND_NAMES.get(kind, kind)))
    if "training_clients" in window:
        facts.append(("Training clients", f"{window['training_clients']:,} "
                                          f"({window.get('training_churned', 0):,} churned)"))
    if folds:
        facts.append(("Validation", f"{window.get('fold_note', '')}: " + "; ".join(
            " to ".join(f["validation_labels"]) for f in folds)))
    else:
        facts.append(("Evaluated on", " to ".join(window.get("evaluation_labels", [])) or "—"))
    if "refit_clients" in window and folds:
        facts.append(("Refitted on", f"{' to '.join(window['refit_labels'])} "
                                     f"({window['refit_clients']:,} clients)"))
    return facts + [("Promotion", card["promotion_note"])]


def _metric_rows(metrics):
    """The champion, the recency baseline, every candidate, best first, then
    those that could not be fitted, with why."""
    rows = [(title, metrics[key]) for key, title in _METRIC_ROWS if key in metrics]
    candidates = metrics.get("candidates", {})
    rows += [(f"Candidate: {KIND_NAMES.get(kind, kind)}", entry)
             for kind, entry in sorted(candidates.items(), key=lambda item: -item[1]["roc_auc"])]
    left_out = [html.Tr([html.Td(f"Candidate: {KIND_NAMES.get(kind, kind)}"),
                         html.Td(f"left out: {why}", colSpan=len(_METRIC_COLUMNS))])
                for kind, why in sorted(metrics.get("skipped_candidates", {}).items())]
    return [html.Tr([html.Td(title)] + [html.Td(_metric(entry.get(column), column), className="num")
                                        for column, _ in _METRIC_COLUMNS]) for title, entry in rows] + left_out


def model_card(card):
    """The promoted model: version, champion, validation, metrics of every
    candidate against the recency baseline, top features."""
    facts, rows, metrics = _facts(card), _metric_rows(card["metrics"]), card["metrics"]
    return html.Div(id="model-card", children=[
        html.Table(html.Tbody([html.Tr([html.Th(label), html.Td(str(value))]) for label, value in facts]),
                   className="ranked", id="model-facts"),
        html.Table([html.Thead(html.Tr([html.Th("")] + [html.Th(t, className="num")
                                                        for _, t in _METRIC_COLUMNS])),
                    html.Tbody(rows)], className="ranked", id="model-metrics"),
        html.H3("Reliability on the latest validation window"),
        _reliability(metrics),
        html.H3(f"Top features (of {len(card.get('features', [])):,})"),
        importance_table(card.get("feature_importance", []), card["parameters"].get("kind")),
    ])
