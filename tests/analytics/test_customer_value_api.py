"""GET /api/v1/stats/rfm and /clv through the real app: numbers, CSV, who may read them."""
import pytest

from tests.customer_value_data import S, seed_customer_value
from tests.dashboard.conftest import login
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

AS_OF = "date=2026-03-01"


@pytest.fixture
def shop(store):
    add_site(store, S, "UTC")
    add_site(store, "other.test", "UTC")
    return seed_customer_value(store)


@pytest.fixture
def token(store, shop):
    return create_api_key(store, S, "tests")[1]


def get(client, path, token=None):
    return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_rfm_json_with_an_api_key(client, shop, token):
    answer = get(client, f"/api/v1/stats/rfm?site={S}&{AS_OF}&segment=At+risk", token)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert (body["site"], body["as_of"], body["customers"], body["total"]) == (S, "2026-03-01", 12, 2)
    assert [(r["customer_id"], r["r"], r["f"], r["m"], r["net_revenue"], r["last_purchase"][:10])
            for r in body["results"]] == [("c05", 2, 4, 3, 200.0, "2025-09-02"),
                                          ("c03", 1, 3, 1, 90.0, "2025-06-14")]
    assert {s["segment"]: s["customers"] for s in body["segments"]}["At risk"] == 2
    assert {(c["r"], c["f"]): c["segment"] for c in body["grid"]}[(5, 4)] == "Champions"


def test_rfm_csv_of_clients_and_of_segments(client, shop, token):
    answer = get(client, f"/api/v1/stats/rfm?site={S}&{AS_OF}&format=csv&limit=2", token)
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="rfm-shop.test-2026-03-01.csv"'
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "customer_id,segment,r,f,m,rfm,recency_days,orders,net_revenue,last_purchase"
    assert lines[1] == "c12,Champions,5,4,5,545,2,4,450.0,2026-02-27T12:00:00+00:00"
    assert len(lines) == 3
    segments = get(client, f"/api/v1/stats/rfm?site={S}&{AS_OF}&format=csv&table=segments",
                   token).get_data(as_text=True).splitlines()
    assert segments[0] == "segment,customers,share,net_revenue,description"
    assert segments[1] == "Champions,1,8.3,450.0,bought recently and often"
    assert len(segments) == 12


def test_clv_json_and_buckets_csv(client, shop, token):
    body = get(client, f"/api/v1/stats/clv?site={S}&{AS_OF}&horizon=180&limit=1", token).get_json()
    assert (body["horizon_days"], body["customers"], body["historical_total"], body["total"]) == (
        180, 12, 2020.0, 12)
    assert [r["customer_id"] for r in body["results"]] == ["c12"]
    assert body["model"]["name"] == "BG/NBD" and body["predicted_total"] > 0
    lines = get(client, f"/api/v1/stats/clv?site={S}&{AS_OF}&table=buckets&format=csv",
                token).get_data(as_text=True).splitlines()
    assert lines[0] == "value,from,to,customers"
    assert lines[1:3] == ["historical,0,50,2", "historical,50,100,2"]
    assert sum(int(line.split(",")[3]) for line in lines[1:] if line.startswith("predicted")) == 12


@pytest.mark.parametrize("query, message", [
    ("date=2026-02-30", "date: '2026-02-30' is not a date"),
    ("segment=Sleepy", "segment: 'Sleepy' is not one of Champions"),
    ("table=goals", "table: 'goals' is not one of clients, segments"),
    ("limit=0", "limit: 0 is not between 1 and 1000"),
])
def test_bad_rfm_parameters(client, shop, token, query, message):
    answer = get(client, f"/api/v1/stats/rfm?site={S}&{query}", token)
    assert answer.status_code == 400 and answer.get_json()["error"].startswith(message)


def test_bad_clv_horizon(client, shop, token):
    answer = get(client, f"/api/v1/stats/clv?site={S}&horizon=0", token)
    assert answer.status_code == 400 and answer.get_json()["error"] == "horizon: 0 is not between 1 and 3650"


def test_keys_and_accounts(app, client, store, shop):
    _, other = create_api_key(store, "other.test")
    assert get(client, f"/api/v1/stats/rfm?site={S}", other).status_code == 403
    assert client.get(f"/api/v1/stats/clv?site={S}").status_code == 401
    add_user(store, "m@x.test", "marketer password", role="marketer", sites=[S])
    add_user(store, "r@x.test", "retention password", role="retention", sites=[S])
    login(client, "m@x.test", "marketer password")
    refused = client.get(f"/api/v1/stats/rfm?site={S}")
    assert refused.status_code == 403 and "retention data" in refused.get_json()["error"]
    retention = app.test_client()
    login(retention, "r@x.test", "retention password")
    assert retention.get(f"/api/v1/stats/rfm?site={S}&{AS_OF}").get_json()["customers"] == 12
    assert retention.get("/api/v1/stats/clv?site=other.test").status_code == 403
    assert retention.get("/api/v1/stats/rfm?site=unknown.test").status_code == 403
