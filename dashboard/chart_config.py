"""Every chart of the dashboard is drawn through `chart`: one place decides what its toolbar offers.

The plotly.js bundled with Dash shows a "Share chart" button by default that
uploads the chart's data to Plotly's cloud, and its logo links to plotly.com.
Analytics data must never leave the server that way, so the flags turning
those off are applied last: a chart's own options cannot switch them back on.
The rest of Plotly's toolbar (zoom, pan, lasso) is noise on these small
charts, so by default only the "download as PNG" button stays.
"""
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


def chart(graph_id, figure, filename=None, style=None, **options):
    """The dcc.Graph of one chart; `filename` names its PNG download."""
    extra = {"style": style} if style is not None else {}
    return dcc.Graph(id=graph_id, figure=figure, config=chart_config(filename, **options), **extra)
