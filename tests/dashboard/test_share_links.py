"""Shared read-only links: created and revoked by an admin, opened by anyone, one site only.

The visitor of a link becomes a "viewer" in the auth layer, so the overview,
the other pages and the Stats API session path apply it without knowing;
these tests go through the real app with Flask's test client on both backends.
"""
import json

import pytest

from vigie.dashboard.auth import SESSION_MAX_AGE_SECONDS, SESSION_SIGNED_IN_AT
from tests.dashboard.conftest import find_component, login
from tests.dashboard.patterns import click
from tests.dashboard.test_churn_page import texts
from tests.dashboard.dash_calls import route
from tests.dashboard.test_overview_callbacks import report
from tests.dashboard.test_settings_page import page, save_site
from tests.dashboard.traffic_day import DAY, EXPECTED, SITE, TIMEZONE, load_traffic_day
from tests.factories import event, insert_events
from vigie.warehouse.share_links import (REVOKED, UNKNOWN, VALID, ShareLinkError, check_share_token,
                                         create_share_link, list_share_links, revoke_share_link)
from vigie.warehouse.sites import add_site, get_site

OTHER = "other.example"
DAY_QUERY = {"site": SITE, "period": "custom", "from": DAY, "to": DAY}


@pytest.fixture
def two_sites(store):
    load_traffic_day(store)  # SITE, its goals, the worked day's visits
    add_site(store, OTHER, "UTC")
    insert_events(store, [event(OTHER, "2024-03-10 10:00:00", visitor=9, pathname="/secret-launch")])


def share(admin_client, site=None, revoke=None):
    inputs = [("share-create", "n_clicks", 0 if revoke else 1),
              [({"type": "revoke-share", "link": revoke}, "n_clicks", 1)] if revoke else []]
    clicked = ({"type": "revoke-share", "link": revoke}, "n_clicks") if revoke else ("share-create",
                                                                                    "n_clicks")
    return click(admin_client, [("share-message", "children"), ("share-panel", "children")], inputs,
                 [("share-site", "value", site)], clicked)


def test_a_link_is_random_stored_hashed_and_revocable(store, two_sites):
    link, token = create_share_link(store, SITE, "ana@shop.example")
    other_link, other_token = create_share_link(store, SITE, "ana@shop.example")
    assert token.startswith(f"vs_{link.link_id}_") and token != other_token
    stored = json.dumps(store.query("SELECT * FROM share_links"), default=str)
    assert token.split("_")[2] not in stored  # only the hash of the secret is kept
    assert check_share_token(store, token) == (VALID, link)
    wrong_secret = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    assert check_share_token(store, wrong_secret) == (UNKNOWN, None)
    assert check_share_token(store, "vs_nonsense") == (UNKNOWN, None)
    revoke_share_link(store, link.link_id)
    assert check_share_token(store, token)[0] == REVOKED
    assert [l.link_id for l in list_share_links(store)] == [other_link.link_id]
    with pytest.raises(ShareLinkError, match="no active shared link"):
        revoke_share_link(store, link.link_id)
    with pytest.raises(ShareLinkError, match="no site 'nowhere.example' is registered"):
        create_share_link(store, "nowhere.example", "ana@shop.example")


def test_an_admin_creates_and_revokes_a_link_that_shows_one_site_read_only(signed_in, app, store,
                                                                          two_sites):
    created = share(signed_in, site=SITE)
    url = find_component(created["share-message"], "new-share-url")["props"]["children"]
    token = url.rsplit("/share/", 1)[1]
    [link] = list_share_links(store)
    listed = json.dumps(created["share-panel"])
    assert token not in listed and link.link_id in listed
    assert link.created_by == "ana@shop.example"

    visitor = app.test_client()
    opened = visitor.get(f"/share/{token}")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/?site={SITE}"

    # The overview's numbers for the worked day, as for an account.
    got = report(visitor, DAY_QUERY)
    values = {card["props"]["id"]: card["props"]["data-value"] for card in got["overview-kpis"]}
    assert values == {"kpi-" + key.replace("_", "-"): str(value) for key, value in EXPECTED.items()}
    # Never another site: not in the selector, not by URL, not by posting the callback.
    layout = route(visitor, "/", f"?site={OTHER}")
    assert [o["value"] for o in find_component(layout, "overview-site")["props"]["options"]] == [SITE]
    other = report(visitor, {**DAY_QUERY, "site": OTHER})
    assert f"No site named “{OTHER}” is registered" in other["overview-message"]["props"]["children"]
    assert other["overview-kpis"] == []
    # The Stats API's session path applies the same restriction.
    # (visitor 3 of the worked day is the one who signed up)
    goals = visitor.get(f"/api/v1/stats/goals?site={SITE}&period=custom&date={DAY},{DAY}")
    assert goals.status_code == 200 and goals.get_json()["results"][0]["visitors"] == 1
    assert visitor.get(f"/api/v1/stats/goals?site={OTHER}").status_code == 403
    # No settings, churn, customers or alerts, and nothing can be changed.
    assert page(visitor)["props"]["id"] == "settings-refused"
    for path in ("/churn", "/alerts", "/customers"):
        assert "retention team" in json.dumps(page(visitor, path)), path
    text, panel = save_site(visitor, SITE, "Asia/Tokyo")
    assert "Settings are for admins" in text and panel is None
    assert get_site(store, SITE).timezone == TIMEZONE
    assert "Settings are for admins" in json.dumps(share(visitor, site=SITE)["share-message"])
    # The header names the shared view and lists only the analytics pages.
    shell = visitor.get("/_dash-layout").get_data(as_text=True)
    assert f"Shared read-only view of {SITE}" in shell
    assert "nav-overview" in shell and "nav-settings" not in shell and "nav-churn" not in shell

    # Revocation takes effect at the very next request.
    revoked = share(signed_in, revoke=link.link_id)
    assert "revoked" in json.dumps(revoked["share-message"])
    assert list_share_links(store) == []
    assert visitor.post("/_dash-update-component", json={}, headers={
        "X-CSRFToken": visitor.get_cookie("_csrf_token").value}).status_code == 410
    gone = visitor.get(f"/?site={SITE}")
    assert gone.status_code == 410 and "This shared link was revoked" in gone.get_data(as_text=True)
    assert visitor.get(f"/api/v1/stats/goals?site={SITE}").status_code == 401
    again = app.test_client().get(f"/share/{token}")
    assert again.status_code == 410 and "This shared link was revoked" in again.get_data(as_text=True)


def test_an_old_shared_view_asks_to_open_the_link_again(client, store, two_sites):
    _, token = create_share_link(store, SITE, "ana@shop.example")
    assert client.get(f"/share/{token}").status_code == 302
    with client.session_transaction() as session:
        session[SESSION_SIGNED_IN_AT] -= SESSION_MAX_AGE_SECONDS + 1
    expired = client.get(f"/?site={SITE}")
    assert expired.status_code == 401 and "This shared view has expired" in expired.get_data(as_text=True)
    assert client.get(f"/share/{token}").status_code == 302  # the link itself still works
    assert client.get(f"/?site={SITE}").status_code == 200


def test_an_unknown_link_is_a_clear_404(client, store, two_sites):
    answer = client.get("/share/vs_000000000000_" + "0" * 64)
    assert answer.status_code == 404 and "No such shared link" in answer.get_data(as_text=True)
    assert client.get("/share/anything").status_code == 404
    assert client.get(f"/?site={SITE}").status_code == 302  # still signed out: to the login form


def test_opening_a_link_replaces_an_account_session(signed_in, store, two_sites):
    _, token = create_share_link(store, OTHER, "ana@shop.example")
    assert signed_in.get(f"/share/{token}").status_code == 302
    # The admin's session is gone: only OTHER, read-only.
    assert page(signed_in)["props"]["id"] == "settings-refused"
    layout = route(signed_in, "/", f"?site={SITE}")
    assert [o["value"] for o in find_component(layout, "overview-site")["props"]["options"]] == [OTHER]
    assert login(signed_in).status_code == 302  # signing in again restores the account
    assert find_component(page(signed_in), "share-panel") is not None


def test_bad_share_input_is_explained(signed_in, store, two_sites):
    assert "no site None is registered" in texts(share(signed_in, site=None)["share-message"])[0]
    assert "no active shared link 'abc'" in texts(share(signed_in, revoke="abc")["share-message"])[0]
