"""The Audience page's own pieces: the world map and the new-versus-returning cards."""
import plotly.graph_objects as go
from dash import html

from vigie.dashboard.countries import alpha3, country_name
from vigie.dashboard.formatting import format_count, format_percent

MAP_COLOURS = [[0.0, "#e0e7ff"], [1.0, "#3730a3"]]

# (key in analytics.retention.new_vs_returning, card title, formatter)
RETURNING_CARDS = (
    ("new_visitors", "New visitors", format_count),
    ("returning_visitors", "Returning visitors", format_count),
    ("new_visits", "New visits", format_count),
    ("returning_visits", "Returning visits", format_count),
    ("returning_visit_share", "Returning share of visits", format_percent),
)


def mappable(rows):
    """The country rows the map can place: a known ISO code, with visitors."""
    return [row for row in rows if alpha3(row["value"]) and row["visitors"]]


def map_figure(rows):
    """A choropleth of visitors per country; each country carries its alpha-2 code
    as customdata, so a click on it can become the filter f_country=CODE."""
    rows = mappable(rows)
    figure = go.Figure(go.Choropleth(
        locations=[alpha3(row["value"]) for row in rows], locationmode="ISO-3",
        z=[row["visitors"] for row in rows], customdata=[row["value"] for row in rows],
        text=[country_name(row["value"]) for row in rows],
        hovertemplate="%{text}: %{z:,} visitors<extra></extra>",
        colorscale=MAP_COLOURS, zmin=0, marker={"line": {"color": "#ffffff", "width": 0.5}},
        # Whole visitors only: Plotly would put 1.5 between 1 and 2 on a small scale.
        colorbar={"title": {"text": "Visitors"}, "thickness": 12, "tickformat": ",d",
                  "dtick": 1 if max([row["visitors"] for row in rows] or [0]) <= 5 else None},
    ))
    figure.update_geos(showframe=False, showcoastlines=False, showcountries=True,
                       countrycolor="#d1d5db", showland=True, landcolor="#f3f4f6",
                       projection_type="natural earth", lataxis_range=[-58, 85])
    figure.update_layout(template="plotly_white", height=420, dragmode=False,
                         margin={"l": 0, "r": 0, "t": 0, "b": 0},
                         font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                               "size": 12})
    return figure


def returning_cards(counts):
    """One card per number of analytics.retention.new_vs_returning, raw value in data-value."""
    cards = []
    for key, title, fmt in RETURNING_CARDS:
        value = counts.get(key)
        cards.append(html.Div(className="kpi", id="returning-" + key.replace("_", "-"), children=[
            html.Div(title, className="kpi-title"), html.Div(fmt(value), className="kpi-value")],
            **{"data-value": "" if value is None else str(value)}))
    return html.Div(cards, className="kpis")
