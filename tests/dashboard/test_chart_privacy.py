"""No chart offers to upload its data to Plotly's cloud or links to plotly.com, on any page."""
import ast
import pathlib

import dash

import vigie.dashboard
from vigie.dashboard.chart_config import chart, chart_config
from tests.dashboard.dash_calls import route

DASHBOARD_DIR = pathlib.Path(vigie.dashboard.__file__).parent


def assert_private(config):
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    assert config["displaylogo"] is False and config["showLink"] is False
    assert config["sendData"] is False and config["plotlyServerURL"] == ""
    for buttons in config.get("modeBarButtons", []):
        assert not {"sendDataToCloud", "sendChartToCloud", "editInChartStudio"} & set(buttons)
    assert "plotly.com" not in repr(config)


def test_a_chart_cannot_be_configured_back_into_sharing():
    config = chart_config("sales", showSendToCloud=True, showEditInChartStudio=True, displaylogo=True,
                          plotlyServerURL="https://chart-studio.plotly.com", showLink=True)
    assert_private(config)
    assert config["modeBarButtons"] == [["toImage"]]
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "sales"}
    graph = chart("sales-chart", {"data": []}, "sales", style={"height": "300px"})
    assert graph.id == "sales-chart" and graph.style == {"height": "300px"}
    assert_private(graph.config)


def _graph_calls(path):
    """Line numbers of every call to Graph (dcc.Graph or a bare Graph) in a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name == "Graph":
                yield node.lineno


def test_every_graph_of_the_dashboard_is_drawn_through_the_private_helper():
    """Charts are mostly built in callbacks, so the code is what can be checked for all of them."""
    modules = sorted(DASHBOARD_DIR.rglob("*.py"))
    assert DASHBOARD_DIR / "pages" / "overview.py" in modules
    elsewhere = [f"{path.relative_to(DASHBOARD_DIR)}:{line}" for path in modules
                 if path.name != "chart_config.py" for line in _graph_calls(path)]
    assert elsewhere == []
    assert list(_graph_calls(DASHBOARD_DIR / "chart_config.py"))


def _graphs(tree):
    if isinstance(tree, list):
        for item in tree:
            yield from _graphs(item)
    elif isinstance(tree, dict):
        if tree.get("type") == "Graph":
            yield tree
        for value in tree.get("props", {}).values():
            yield from _graphs(value)


def test_every_page_layout_has_only_private_charts_and_no_plotly_link(signed_in):
    pages = [page["path"] for page in dash.page_registry.values()]
    assert {"/", "/churn", "/alerts", "/customers", "/audience", "/settings"} <= set(pages)
    for path in pages:
        layout = route(signed_in, path, "")
        assert "plotly.com" not in repr(layout), path
        for graph in _graphs(layout):
            assert_private(graph["props"]["config"])
