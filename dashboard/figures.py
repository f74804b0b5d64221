"""The visitors / pageviews chart, built from analytics.reports.timeseries rows."""
import plotly.graph_objects as go

VISITORS_COLOUR = "#4f46e5"
PAGEVIEWS_COLOUR = "#0ea5e9"


def has_traffic(rows):
    """False when every bucket is zero: the page shows a sentence, not a flat line."""
    return any(row["visitors"] or row["pageviews"] for row in rows)


def traffic_figure(rows, interval):
    """Visitors and pageviews per bucket; interval is 'hour' or 'day'."""
    buckets = [row["bucket"] for row in rows]
    figure = go.Figure()
    for key, name, colour in (("visitors", "Visitors", VISITORS_COLOUR),
                              ("pageviews", "Pageviews", PAGEVIEWS_COLOUR)):
        figure.add_trace(go.Scatter(
            x=buckets, y=[row[key] for row in rows], name=name, mode="lines+markers",
            line={"color": colour, "width": 2}, marker={"size": 5},
            hovertemplate=f"{name}: %{{y:,}}<extra></extra>",
        ))
    hour = interval == "hour"
    figure.update_layout(
        template="plotly_white",
        separators=".,",
        height=320,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    )
    figure.update_xaxes(tickformat="%H:%M" if hour else "%b %d",
                        hoverformat="%a %b %d, %H:%M" if hour else "%a %b %d, %Y",
                        showgrid=False)
    # Whole numbers only: half a visitor on the axis reads as a bug. Plotly
    # picks steps of 0.5 for small counts, so force steps of 1 there.
    peak = max([max(row["visitors"], row["pageviews"]) for row in rows] or [0])
    figure.update_yaxes(rangemode="tozero", tickformat=",d", gridcolor="#eef0f4",
                        dtick=1 if peak <= 5 else None)
    return figure
