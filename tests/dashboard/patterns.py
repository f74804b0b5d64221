"""Posting Dash callbacks whose inputs are pattern-matching ids (row buttons), as the renderer does."""
import json

from tests.dashboard.conftest import dash_post


def pattern_id(component_id):
    """How Dash writes a dict id in changedPropIds: compact JSON with sorted keys."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def click(client, outputs, inputs, state=(), clicked=None, by_prop=False):
    """outputs: (id, prop); inputs: (id, prop, value) or a list of them for an ALL pattern.

    clicked: the (id, prop) that changed; by default every plain input.
    by_prop: key the answer by (id, prop), for callbacks setting two props of one component.
    """
    def item(i, p, v):
        return {"id": i, "property": p, "value": v}

    def name(i, p):
        return f"{pattern_id(i) if isinstance(i, dict) else i}.{p}"

    body = {
        "output": "..{}..".format("...".join(f"{name(o, p)}" for o, p in outputs))
        if len(outputs) > 1 else name(*outputs[0]),
        "outputs": [item(o, p, None) for o, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [[item(*x) for x in i] if isinstance(i, list) else item(*i) for i in inputs],
        "state": [item(*s) for s in state],
        "changedPropIds": [name(*clicked)] if clicked else
        [name(i, p) for i, p, _ in (x for x in inputs if not isinstance(x, list))],
    }
    for output in body["outputs"] if isinstance(body["outputs"], list) else []:
        output.pop("value")
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answer = response.get_json()["response"]
    if by_prop:
        return {(o, p): answer.get(o, {}).get(p) for o, p in outputs}
    return {o: answer.get(o, {}).get(p) for o, p in outputs}
