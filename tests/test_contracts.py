"""The small shared pieces other parts build on: API keys and goal path patterns."""
import re

import pytest

from vigie.warehouse.path_patterns import path_matches, pattern_to_regex
from vigie.warehouse.api_keys import (bearer_token, create_api_key, list_api_keys, revoke_api_key,
                                      verify_api_key)


@pytest.mark.parametrize("pattern,path,matches", [
    ("/pricing", "/pricing", True),
    ("/pricing", "/pricing/", False),
    ("/blog/*", "/blog/hello", True),
    ("/blog/*", "/blog/a/b", False),
    ("/docs/**", "/docs/a/b", True),
    ("/checkout/*/done.html", "/checkout/42/done.html", True),
    ("/checkout/*/done.html", "/checkout/42/doneXhtml", False),
    ("/a+b", "/a+b", True),
    ("/a+b", "/aab", False),
])
def test_goal_path_patterns(pattern, path, matches):
    assert path_matches(pattern, path) is matches


def test_goal_patterns_run_in_clickhouse_match(store):
    regex = pattern_to_regex("/blog/*/comments")
    assert store.query_value("SELECT match(%(p)s, %(r)s)", {"p": "/blog/x/comments", "r": regex}) == 1
    assert store.query_value("SELECT match(%(p)s, %(r)s)", {"p": "/blog/x/y/comments", "r": regex}) == 0
    assert re.match(regex, "/blog/x/comments")


def test_api_key_lifecycle(store):
    key, token = create_api_key(store, "shop.example.com", "backfill")
    assert token.startswith(f"vk_{key.key_id}_")
    assert verify_api_key(store, token).site == "shop.example.com"
    assert verify_api_key(store, token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert verify_api_key(store, "not a key") is None
    assert [k.key_id for k in list_api_keys(store, "shop.example.com")] == [key.key_id]
    assert store.query_value("SELECT count() FROM api_keys WHERE secret_hash LIKE %(s)s",
                             {"s": "%" + token.rsplit("_", 1)[1] + "%"}) == 0
    revoke_api_key(store, key.key_id)
    assert verify_api_key(store, token) is None
    assert list_api_keys(store) == []


def test_bearer_token_reads_only_the_bearer_scheme():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") == ""
    assert bearer_token(None) == ""
