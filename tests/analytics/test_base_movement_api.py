"""GET /api/v1/stats/base-movement through the real app, on tests/base_movement_data.py."""
import pytest

from tests.base_movement_data import MOVEMENT, REVENUE, S, movement_settings, seed_base_movement
from tests.dashboard.conftest import login
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

URL = f"/api/v1/stats/base-movement?site={S}&date=2026-05-01&periods=4"


@pytest.fixture
def settings(store_url, tmp_path):
    return movement_settings(store_url, tmp_path)


@pytest.fixture
def token(store):
    add_site(store, S, "UTC")
    seed_base_movement(store)
    return create_api_key(store, S, "tests")[1]


def get(client, path, token=None):
    return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_json_gives_the_hand_worked_movement(client, token):
    answer = get(client, URL, token)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert (body["site"], body["as_of"], body["grain"], body["horizon_days"]) == (S, "2026-05-01", "month", 60)
    assert [(p["period"], p["start"], p["new"], p["reactivated"], p["lost"], p["lost_from_start"], p["end"],
             p["churn_rate"], p["provisional"]) for p in body["results"]] == MOVEMENT
    assert [p["realised_lost"] for p in body["results"]] == [None, 3, 3, None]
    assert [(p["period"], p["revenue_start"], p["revenue_new"], p["revenue_reactivated"],
             p["revenue_expansion"], p["revenue_contraction"], p["revenue_churned"], p["revenue_end"])
            for p in body["results"]] == REVENUE
    assert "refunds not subtracted" in body["revenue_note"]


def test_filters_and_csv(client, token):
    body = get(client, URL + "&plan=pro&band=low", token).get_json()
    # C is the only "pro" client and low at Feb 1: at the start of February and March, lost in
    # March (its contract ended); its 30 a month of revenue churn in April, the first month unpaid.
    assert [(p["start"], p["lost"], p["end"], p["revenue_start"], p["revenue_churned"], p["revenue_end"])
            for p in body["results"]] == [
        (None, None, None, None, None, None), (1, 0, 1, 30, 0, 30), (1, 1, 0, 30, 0, 30), (0, 0, 0, 30, 30, 0)]
    answer = get(client, URL + "&format=csv", token)
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="base-movement-shop.test-2026-05-01.csv"')
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0].startswith("period,period_end,complete,provisional,start,new,reactivated,lost,")
    assert lines[2] == ("2026-02-01,2026-03-01,True,False,2,1,1,2,1,1,2,50.0,"
                        "280.0,100.0,100.0,0.0,0.0,250.0,230.0,2026-02-01,4,0.65,2.6,3,75.0")
    assert lines[1].endswith(",0.0,100.0,30.0,250.0,0.0,0.0,100.0,280.0,,,,,,")   # January: no scores at its start


@pytest.mark.parametrize("query, message", [
    ("&period=day", "period: 'day' is not one of month, week"),
    ("&periods=0", "periods"),
    ("&band=extreme", "band: 'extreme' is not one of high, medium, low"),
    ("&segment=Nobody", "segment: 'Nobody' is not one of"),
    ("&plan=" + "p" * 201, "plan: at most 200 characters"),
])
def test_bad_parameters_are_named(client, token, query, message):
    answer = get(client, URL + query, token)
    assert answer.status_code == 400 and message in answer.get_json()["error"]


def test_a_marketer_is_refused_and_a_retention_account_reads_it(app, client, store, token):
    assert client.get(URL).status_code == 401
    add_user(store, "m@shop.test", "marketer password", role="marketer", sites=[S])
    login(client, "m@shop.test", "marketer password")
    refused = client.get(URL)
    assert refused.status_code == 403 and "retention data" in refused.get_json()["error"]
    add_user(store, "r@shop.test", "retention password", role="retention", sites=[S])
    retention = app.test_client()
    login(retention, "r@shop.test", "retention password")
    assert retention.get(URL).get_json()["results"][1]["lost"] == 2
