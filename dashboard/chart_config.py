"""Every chart of the dashboard is drawn through `chart`: one place decides what its toolbar offers.

The plotly.js bundled with Dash shows a "Share chart" button by default that
uploads the chart's data to Plotly's cloud, and its logo links to plotly.com.
Analytics data must never leave the server that way, so the flags turning
those off are applied last: a chart's own options cannot switch them back on.
The rest of Plotly's toolbar (zoom, pan, lasso) is noise on these small
charts, so by default only the "download as PNG" button stays.

A chart given a `title` (`export_title`: what it shows, the site, the days)
draws it above the plot, so a downloaded PNG says what it is on its own, and
the file is named after it.
"""
import re

import plotly.graph_objects as go
from dash import dcc

# No cloud upload, no "edit in Chart Studio", no link or logo pointing at plotly.com.
PRIVATE = {"displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False,
           "showLink": False, "sendData": False, "plotlyServerURL": ""}
DEFAULT = {"responsive": True, "modeBarButtons": [["toImage"]]}


def chart_config(filename=None, **options):
    """A dcc.Graph config: the default toolbar, `options` over it, then PRIVATE over everything."""
    config = {**DEFAULT, **options}
    if filename:
        config["toImageButtonOptions"] = {"format": "png", "filename": filename}
    return {**config, **PRIVATE}


TITLE_HEIGHT = 28  # px added above the plot for the title line


def export_title(what, site, first, last=None):
    """'Visitors · shop.example · 2026-03-01 to 2026-03-07' (one day: just that day)."""
    days = str(first) if last is None or last == first else f"{first} to {last}"
    return f"{what} · {site} · {days}"


def _file_name(title):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-").lower()


def titled(figure, title):
    """A copy of `figure` with `title` on a line of its own above the plot."""
    figure = go.Figure(figure)
    top = figure.layout.margin.t if figure.layout.margin.t is not None else 80
    figure.update_layout(title={"text": title, "x": 0, "xanchor": "left", "y": 1, "yanchor": "top",
                                "pad": {"t": 6}, "font": {"size": 13}},
                         margin={"t": top + TITLE_HEIGHT})
    if figure.layout.height:
        figure.update_layout(height=figure.layout.height + TITLE_HEIGHT)
    return figure


def chart(graph_id, figure, filename=None, style=None, title=None, **options):
    """The dcc.Graph of one chart; `filename` names its PNG download, `title` heads it (and names it)."""
    if title:
        figure = titled(figure, title)
        filename = _file_name(title)
    extra = {"style": style} if style is not None else {}
    return dcc.Graph(id=graph_id, figure=figure, config=chart_config(filename, **options), **extra)
