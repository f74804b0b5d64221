"""POST /api/v1/customers and /api/v1/transactions through the whole Vigie app, on both backends."""
import datetime
import json

import pytest

from vigie.alerts.client_data.queries import customer_transactions, get_customer
from tests.client_data.conftest import SITE, count
from vigie.warehouse.api_keys import create_api_key, revoke_api_key
from vigie.warehouse.sites import add_site

UTC = datetime.timezone.utc


@pytest.fixture
def token(store, site):
    return create_api_key(store, SITE, "crm sync")[1]


def post(client, path, body, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    return client.post(path, data=data, headers=headers, content_type="application/json")


def test_customers_are_stored_with_their_attributes(client, store, token):
    response = post(client, "/api/v1/customers", {"customers": [
        {"customer_id": "C-1", "created_at": "2024-01-15T09:00:00Z", "plan": "pro",
         "contract_status": "active", "attributes": {"country": "FR", "seats": 12}},
        {"customer_id": "C-2", "created_at": "2024-02-01", "contract_status": "ended",
         "contract_ended_at": "2024-05-01", "segment": None},
    ]}, token)
    assert response.status_code == 200
    assert response.get_json() == {"accepted": 2, "rejected": []}
    first = get_customer(store, SITE, "C-1")
    assert (first.plan, first.attributes) == ("pro", (("country", "FR"), ("seats", "12")))
    second = get_customer(store, SITE, "C-2")
    # Dates without an offset are in the site's zone (Paris: UTC+1 in February, UTC+2 in May).
    assert second.created_at == datetime.datetime(2024, 1, 31, 23, tzinfo=UTC)
    assert second.contract_ended_at == datetime.datetime(2024, 4, 30, 22, tzinfo=UTC)


def test_valid_transactions_are_stored_and_the_others_reported_by_index(client, store, token):
    response = post(client, "/api/v1/transactions", {"transactions": [
        {"customer_id": "C-1", "transaction_id": "INV-1", "timestamp": "2024-03-01T10:00:00Z",
         "amount": 120, "currency": "EUR", "type": "purchase"},
        {"customer_id": "C-1", "timestamp": "2024-03-01T10:00:00Z", "amount": "12,5", "currency": "EUR"},
        {"customer_id": "C-1", "transaction_id": "INV-2", "timestamp": "2024-03-04T10:00:00Z",
         "amount": 20.5, "currency": "eur", "type": "refund"},
        "not an object",
        {"customer_id": "C-1", "timestamp": "yesterday", "amount": 5, "currency": "EURO", "typo": 1},
        {"customer_id": "C-1", "transaction_id": "INV-1", "timestamp": "2024-03-02T10:00:00Z",
         "amount": 1, "currency": "EUR"},
        {"customer_id": ["C-1"], "timestamp": "2024-03-02T10:00:00Z", "amount": True, "currency": "EUR"},
    ]}, token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["accepted"] == 2
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [
        (1, "amount"), (3, ""), (4, "typo"), (5, "transaction_id"), (6, "customer_id"), (6, "amount")]
    assert body["rejected"][0]["reason"].startswith("'12,5' is not an amount")
    assert body["rejected"][1]["reason"] == "item must be a JSON object, got str"
    assert body["rejected"][3]["reason"] == "this transaction_id for this customer already appears at item 0"
    assert body["rejected"][4]["reason"] == "must be a string or a number, got list"
    assert [(t.transaction_id, t.amount, t.currency, t.origin)
            for t in customer_transactions(store, SITE, "C-1")] == [
        ("INV-2", -20.5, "EUR", "api"), ("INV-1", 120.0, "EUR", "api")]


def test_field_problems_of_an_object_item_are_all_reported(client, store, token):
    response = post(client, "/api/v1/transactions", {"transactions": [
        {"customer_id": "C-1", "timestamp": "yesterday", "amount": 5, "currency": "EURO"}]}, token)
    assert response.status_code == 400
    body = response.get_json()
    assert body["accepted"] == 0 and body["reason"] == "invalid"
    assert body["error"] == "none of the 1 transactions could be stored"
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(0, "timestamp"), (0, "currency")]
    assert count(store, "transactions") == 0


def test_posting_the_same_batch_twice_stores_it_once(client, store, token):
    batch = {"transactions": [
        {"customer_id": "C-1", "timestamp": "2024-03-01", "amount": 10, "currency": "EUR"},
        {"customer_id": "C-1", "timestamp": "2024-03-01", "amount": 10, "currency": "EUR"}]}
    for _ in range(2):
        assert post(client, "/api/v1/transactions", batch, token).get_json()["accepted"] == 2
    assert store.query_value("SELECT sum(amount) FROM transactions FINAL") == 20.0


def test_requests_without_a_valid_key_are_refused(client, store, token):
    body = {"customers": [{"customer_id": "C-1", "created_at": "2024-01-01"}]}
    missing = post(client, "/api/v1/customers", body)
    assert missing.status_code == 401
    assert missing.get_json()["error"].startswith("missing API key")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = post(client, "/api/v1/customers", body, "vk_000000000000_" + "0" * 64)
    assert wrong.status_code == 401 and "not valid" in wrong.get_json()["error"]
    garbage = post(client, "/api/v1/customers", body, "hunter2")
    assert garbage.status_code == 401
    revoke_api_key(store, token.split("_")[1])
    revoked = post(client, "/api/v1/customers", body, token)
    assert revoked.status_code == 401 and "revoked" in revoked.get_json()["error"]
    assert count(store, "customers") == 0


def test_a_key_writes_only_to_its_own_site(client, store, token):
    add_site(store, "other.example.com")
    other_token = create_api_key(store, "other.example.com")[1]
    body = {"customers": [{"customer_id": "C-1", "created_at": "2024-01-01"}]}
    assert post(client, "/api/v1/customers", body, other_token).status_code == 200
    assert count(store, "customers", "other.example.com") == 1
    assert count(store, "customers") == 0


@pytest.mark.parametrize("raw, status, message", [
    (b"{not json", 400, "body is not valid JSON"),
    (b"\xff\xfe", 400, "body is not UTF-8"),
    (b"[1, 2]", 400, "body must be a JSON object"),
    (b'{"customer": []}', 400, "body must have a 'customers' list"),
    (b'{"customers": []}', 400, "the 'customers' list is empty"),
    (json.dumps({"customers": [{"customer_id": str(i), "created_at": "2024-01-01"}
                               for i in range(1001)]}).encode(), 413,
     "1001 customers in one request; at most 1000"),
    (b'{"customers": "' + b"x" * (4 * 1024 * 1024) + b'"}', 413, "exceeds the 4194304-byte limit"),
])
def test_unusable_bodies_get_a_json_error(client, store, token, raw, status, message):
    response = post(client, "/api/v1/customers", None, token, raw=raw)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert count(store, "customers") == 0


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/transactions"])
def test_deeply_nested_json_is_a_bad_request_not_a_retry(client, token, path):
    response = post(client, path, None, token, raw=b"[" * 1000 + b"]" * 1000)
    body = response.get_json()
    assert (response.status_code, body["reason"]) == (400, "bad_request")
    assert "nested too deeply" in body["error"] and "retry" not in body["error"]


def test_other_methods_get_a_json_405(client, token):
    response = client.get("/api/v1/transactions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "send data with POST" in response.get_json()["error"]
