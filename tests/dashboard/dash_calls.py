"""Calling Dash the way dash-renderer does, over HTTP with a signed-in test client."""
from tests.dashboard.conftest import dash_post


def call(client, outputs, inputs, state=()):
    """POST /_dash-update-component; outputs are (id, prop); returns the response's outputs."""
    body = {
        "output": "..{}..".format("...".join(f"{o}.{p}" for o, p in outputs)),
        "outputs": [{"id": o, "property": p} for o, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
    }
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def route(client, path, search):
    """The page router's answer for path + search: the page's layout as JSON."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.search"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["_pages_content"]["children"]


def text_of(node):
    """The text a component tree shows (strings joined), e.g. a table cell holding a link."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    return text_of(node.get("props", {}).get("children"))


def table_rows(table):
    """[[cell text, ...], ...] of a ranked table's body, as JSON from a callback."""
    body = table["props"]["children"][1]
    return [[text_of(cell) for cell in row["props"]["children"]] for row in body["props"]["children"]]


def row_link(table, label):
    """The href of the filter link labelled `label` in a ranked table."""
    body = table["props"]["children"][1]
    for row in body["props"]["children"]:
        cell = row["props"]["children"][0]["props"]["children"]
        if isinstance(cell, dict) and text_of(cell) == label:
            return cell["props"]["href"]
    raise AssertionError(f"no filter link {label!r} in the table")
