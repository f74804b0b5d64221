"""How report charts are drawn in the page: responsive, with Plotly's "download as PNG" button.

The rest of Plotly's modebar (zoom, pan, lasso) is noise on these small charts,
so only the image download stays.
"""
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtons": [["toImage"]]}
