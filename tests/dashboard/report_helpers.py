"""Reading report pages from their Dash callbacks: tables as text, links as URLs."""
from urllib.parse import parse_qs, urlsplit

from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from tests.dashboard.conftest import dash_post, login
from tests.dashboard.dash_calls import route, text_of as _text  # noqa: F401 (route: for the page tests)
from tests.factories import at
from vigie.warehouse.users import add_user


def sessionize(store, site, first, last):
    """Run the sessions job over [first, last) (dates), as the scheduler would."""
    run_window(store, JOBS["sessions"], site, at(first + " 00:00:00"), at(last + " 00:00:00"),
               JobContext(timeout_minutes=30, engaged_seconds=10))


def call(client, outputs, inputs, state=(), output_name=None):
    """POST one callback as dash-renderer does; outputs are (id, prop); returns the response dict.

    `output_name` overrides the callback's name (Dash suffixes duplicate outputs with a hash)."""
    single = len(outputs) == 1  # Dash names a one-output callback without the dots
    body = {
        "output": output_name or (f"{outputs[0][0]}.{outputs[0][1]}" if single
                   else "..{}..".format("...".join(f"{o}.{p}" for o, p in outputs))),
        "outputs": ({"id": outputs[0][0], "property": outputs[0][1]} if single
                    else [{"id": o, "property": p} for o, p in outputs]),
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
    }
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def outputs_of(client, outputs, store_id, query):
    """The callback's outputs for a query, as {component id: value}."""
    answer = call(client, outputs, [(store_id, "data", query)])
    return {name: answer[name][prop] for name, prop in outputs}


def _children(node):
    children = node["props"].get("children")
    return children if isinstance(children, list) else [children]


def table_rows(table):
    """[[cell text, ...], ...] of a breakdown table's body."""
    assert table["props"].get("className") == "ranked", table
    body = _children(table)[1]
    return [[_text(td) for td in _children(tr)] for tr in _children(body)]


def row_links(table):
    """{label text: href or None} of the first cells: which rows filter the view, and how."""
    body = _children(table)[1]
    links = {}
    for tr in _children(body):
        cell = _children(tr)[0]
        inner = cell["props"]["children"]
        links[_text(inner)] = inner["props"].get("href") if inner.get("type") == "Link" else None
    return links


def query_of(href):
    """'/pages?site=a&f_page=%2F' -> {'site': 'a', 'f_page': '/'}."""
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def sign_in_as(client, store, email, role, sites):
    add_user(store, email, "a long enough password", role=role, sites=sites)
    assert login(client, email, "a long enough password").status_code == 302
    return client


def callback_output(client, input_id, input_prop):
    """The output name Dash gave the callback fed by this input ('x.search@hash' for a
    duplicate output), read from /_dash-dependencies as the renderer reads it."""
    for dependency in client.get("/_dash-dependencies").get_json():
        if any(i["id"] == input_id and i["property"] == input_prop for i in dependency["inputs"]):
            return dependency["output"]
    raise AssertionError(f"no callback takes {input_id}.{input_prop}")
