"""docs/openapi.yaml is valid YAML and describes every /api/ route the app serves."""
import os

import yaml

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")


def load_spec():
    with open(SPEC) as f:
        return yaml.safe_load(f)


def test_every_api_route_and_method_is_documented(app):
    spec = load_spec()
    assert spec["openapi"].startswith("3.")
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            served.setdefault(rule.rule, set()).update(
                m.lower() for m in rule.methods if m not in ("HEAD", "OPTIONS"))
    assert {"/api/event", "/api/v1/events"} <= set(served)
    for path, methods in served.items():
        assert path in spec["paths"], f"{path} is missing from docs/openapi.yaml"
        documented = set(spec["paths"][path]) - {"options"}
        if "post" in methods:
            # A write endpoint answers every other method with a documented 405.
            assert "post" in documented, f"POST {path} is not documented"
            assert "405" in spec["paths"][path]["post"]["responses"]
        else:
            assert methods - {"options"} <= documented, f"{path}: {methods} vs {documented}"


def test_every_status_the_batch_api_answers_is_documented():
    responses = load_spec()["paths"]["/api/v1/events"]["post"]["responses"]
    assert set(responses) == {"200", "207", "400", "401", "405", "413", "503"}
    assert load_spec()["paths"]["/api/v1/events"]["post"]["security"] == [{"apiKey": []}]


def test_references_resolve():
    spec = load_spec()

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)
    for ref in refs(spec):
        target = spec
        for part in ref.lstrip("#/").split("/"):
            assert part in target, f"unresolved {ref}"
            target = target[part]
