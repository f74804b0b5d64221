"""Stats API `segment=ID`: a saved segment answers like its filters given explicitly, on both backends,
and nobody reads a segment they may not see (docs/segments.md).

The day is tests/analytics/filtered_day.py: on 2026-03-10, visits A and D come
from Google in France (visitors 1 and 3, three pageviews).
"""
import pytest

from tests.analytics.filtered_day import S, load_filtered_day
from tests.dashboard.conftest import login
from vigie.analytics.segments import save_segment
from vigie.warehouse.api_keys import create_api_key
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

DAY = "period=custom&date=2026-03-10,2026-03-10"
FR_GOOGLE = {"country": "FR", "source": "Google"}
PASSWORD = "correct horse battery"


@pytest.fixture
def day(store):
    load_filtered_day(store)
    add_site(store, "other.test", "UTC")
    add_user(store, "mia@shop.example", PASSWORD, sites=[S])
    add_user(store, "leo@shop.example", PASSWORD, sites=[S])
    shared = save_segment(store, S, "mia@shop.example", "French Google", FR_GOOGLE, "shared")
    private = save_segment(store, S, "mia@shop.example", "Mia's French", {"country": "FR"})
    return shared, private, create_api_key(store, S, "tests")[1]


def signed_in(app, email):
    """A client of its own, signed in as `email` (a client signs in once)."""
    client = app.test_client()
    login(client, email, PASSWORD)
    return client


def get(client, query, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/stats/{query}", headers=headers)


def ok(client, query, token=None):
    answer = get(client, query, token)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_segment_answers_like_its_filters(client, day):
    shared, _, token = day
    for report in ("aggregate?", "breakdown?property=source&", "breakdown?property=pages&"):
        by_segment = ok(client, f"{report}site={S}&{DAY}&segment={shared.segment_id}", token)
        explicit = ok(client, f"{report}site={S}&{DAY}&f_country=FR&f_source=Google", token)
        assert by_segment["results"] == explicit["results"]
        assert by_segment["filters"] == explicit["filters"] == FR_GOOGLE
        assert by_segment["segment"] == {"id": shared.segment_id, "name": "French Google"}
    numbers = ok(client, f"aggregate?site={S}&{DAY}&segment={shared.segment_id}", token)["results"]
    assert (numbers["visitors"]["value"], numbers["visits"]["value"], numbers["pageviews"]["value"]) == (2, 2, 3)


def test_explicit_filters_narrow_a_segment_and_a_contradiction_is_named(client, day):
    shared, _, token = day
    narrowed = ok(client, f"aggregate?site={S}&{DAY}&segment={shared.segment_id}&f_page=/pricing"
                          f"&f_country=FR&metrics=visits", token)
    assert narrowed["filters"] == {**FR_GOOGLE, "page": "/pricing"}
    assert narrowed["results"]["visits"]["value"] == 2
    conflict = get(client, f"aggregate?site={S}&{DAY}&segment={shared.segment_id}&f_country=DE", token)
    assert conflict.status_code == 400
    assert conflict.get_json()["error"].startswith(
        "f_country: the segment 'French Google' already filters country = 'FR'")


def test_bad_and_unknown_segment_ids(app, client, day, store):
    shared, private, token = day
    bad = get(client, f"aggregate?site={S}&{DAY}&segment=pricing", token)
    assert bad.status_code == 400 and bad.get_json()["error"].startswith("segment: 'pricing' is not a segment id")
    unknown = get(client, f"aggregate?site={S}&{DAY}&segment=0123456789abcdef", token)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"] == f"segment: site {S} has no segment '0123456789abcdef'"
    # A segment of another site is not found on this one, even with access to both.
    elsewhere = save_segment(store, "other.test", "root@shop.example", "Theirs", {"device": "Mobile"}, "shared")
    add_user(store, "root@shop.example", PASSWORD, is_admin=True)
    root = signed_in(app, "root@shop.example")
    assert get(root, f"aggregate?site={S}&{DAY}&segment={elsewhere.segment_id}").status_code == 404


def test_a_private_segment_is_its_owners_and_admins_only(app, client, day, store):
    shared, private, token = day
    query = f"aggregate?site={S}&{DAY}&metrics=visits&segment={private.segment_id}"
    # The site's API key sees shared segments only: the private one is not found, not refused.
    hidden = get(client, query, token)
    assert hidden.status_code == 404 and "no segment" in hidden.get_json()["error"]
    assert ok(client, query.replace(private.segment_id, shared.segment_id), token)["results"]["visits"]["value"] == 2
    leo = signed_in(app, "leo@shop.example")
    assert get(leo, query).status_code == 404
    assert ok(leo, query.replace(private.segment_id, shared.segment_id))["results"]["visits"]["value"] == 2
    # France alone: visits A and D are the day's only French visits.
    assert ok(signed_in(app, "mia@shop.example"), query)["results"]["visits"]["value"] == 2
    add_user(store, "root@shop.example", PASSWORD, is_admin=True)
    assert ok(signed_in(app, "root@shop.example"), query)["segment"]["name"] == "Mia's French"


def test_an_endpoint_without_filters_lists_the_segment_as_ignored(client, day):
    shared, _, token = day
    body = ok(client, f"realtime?site={S}&segment={shared.segment_id}&f_page=/x", token)
    assert body["ignored"] == ["f_page", "segment"]


def test_the_segments_of_a_site_are_listed_for_who_may_apply_them(app, client, day, store):
    shared, private, token = day
    listed = client.get(f"/api/v1/segments?site={S}", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    assert [(s["id"], s["name"], s["filters"], s["visibility"]) for s in listed.get_json()["results"]] == [
        (shared.segment_id, "French Google", FR_GOOGLE, "shared")]
    mine = signed_in(app, "mia@shop.example").get(f"/api/v1/segments?site={S}").get_json()["results"]
    assert [s["name"] for s in mine] == ["French Google", "Mia's French"]
    assert [s["name"] for s in signed_in(app, "leo@shop.example").get(
        f"/api/v1/segments?site={S}").get_json()["results"]] == ["French Google"]
    other = client.get("/api/v1/segments?site=other.test", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 403
    assert client.get(f"/api/v1/segments?site={S}").status_code == 401
