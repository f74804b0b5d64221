"""Login, logout and the guard on Dash's routes, through Flask's test client."""
import datetime

import pytest

from vigie.dashboard.auth import WRONG_CREDENTIALS, safe_next
from tests.dashboard.conftest import EMAIL, PASSWORD, csrf_from, find_component, login

DASH_JSON_ROUTES = ["/_dash-layout", "/_dash-dependencies"]


def test_overview_redirects_to_login_when_signed_out(client):
    response = client.get("/?site=shop.example&period=7d")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/?site%3Dshop.example%26period%3D7d"


def test_any_dashboard_path_redirects_when_signed_out(client):
    response = client.get("/some/page")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/some/page")


@pytest.mark.parametrize("path", DASH_JSON_ROUTES)
def test_dash_json_routes_refuse_anonymous_requests(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json() == {"error": "login required"}


def test_dash_callback_refuses_anonymous_requests(client, account):
    body = {"output": "overview-message.children", "outputs": {"id": "overview-message",
            "property": "children"}, "inputs": [{"id": "overview-selection", "property": "data",
            "value": {"site": "shop.example", "period": "7d"}}], "changedPropIds": [], "state": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 401
    assert b"shop.example" not in response.data


def test_dash_callbacks_need_the_csrf_header(signed_in, store):
    body = {"output": "overview-url.search", "outputs": {"id": "overview-url", "property": "search"},
            "inputs": [{"id": "overview-site", "property": "value", "value": "shop.example"},
                       {"id": "overview-period", "property": "value", "value": "30d"},
                       {"id": "overview-range", "property": "start_date", "value": None},
                       {"id": "overview-range", "property": "end_date", "value": None},
                       {"id": "overview-compare", "property": "value", "value": ""},
                       {"id": "overview-segment", "property": "value", "value": None}],
            "state": [{"id": "overview-url", "property": "search", "value": ""}],
            "changedPropIds": ["overview-period.value"]}
    cookie = signed_in.get_cookie("_csrf_token")
    with signed_in.session_transaction() as session:
        assert cookie is not None and cookie.value == session["csrf_token"]
    missing = signed_in.post("/_dash-update-component", json=body)
    assert missing.status_code == 400 and "reload the page" in missing.get_json()["error"]
    wrong = signed_in.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "x" * 43})
    assert wrong.status_code == 400
    right = signed_in.post("/_dash-update-component", json=body, headers={"X-CSRFToken": cookie.value})
    assert right.status_code == 200
    assert right.get_json()["response"]["overview-url"]["search"] == "?site=shop.example&period=30d"


def test_dash_scripts_refuse_anonymous_requests(client):
    response = client.get("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v1_0_0m1.min.js")
    assert response.status_code == 401


def test_login_page_has_a_form_with_a_csrf_token(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="email"' in html and 'name="password"' in html and 'type="password"' in html
    assert len(csrf_from(html)) >= 32
    assert response.headers["X-Frame-Options"] == "DENY"


def test_wrong_password_is_refused_with_a_clear_message(client, account):
    response = login(client, password="not the password")
    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message(client, account):
    response = login(client, email="nobody@shop.example")
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_a_400(client, account):
    client.get("/login")
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_with_a_wrong_csrf_token_is_a_400(client, account):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                           "csrf_token": token[:-2] + "xx"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_good_login_opens_the_dashboard(client, account):
    response = login(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["session"] and "SameSite=Lax" in cookies["session"]
    # The CSRF copy for Dash's renderer is readable by the page, but never cross-site.
    assert "SameSite=Strict" in cookies["_csrf_token"]
    page = client.get("/")
    assert page.status_code == 200
    assert b"_dash-renderer" in page.data or b"dash_renderer" in page.data
    assert client.get("/_dash-layout").status_code == 200


def test_login_replaces_the_anonymous_csrf_token(client, account):
    before = csrf_from(client.get("/login").get_data(as_text=True))
    login(client)
    with client.session_transaction() as session:
        assert session["csrf_token"] != before
        assert session["user_email"] == EMAIL


def test_email_is_matched_case_insensitively(client, account):
    assert login(client, email="  ANA@Shop.Example ").status_code == 302
    assert client.get("/").status_code == 200


def test_login_follows_a_relative_next(client, account):
    response = login(client, next_url="/?site=shop.example&period=30d")
    assert response.headers["Location"] == "/?site=shop.example&period=30d"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "/\t/evil.example", "evil.example",
])
def test_login_refuses_to_redirect_off_site(client, account, target):
    response = login(client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_page_escapes_what_it_echoes(client, account):
    response = login(client, email='"><script>alert(1)</script>')
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    next_page = client.get('/login?next=/"><b>x</b>').get_data(as_text=True)
    assert '"><b>x</b>' not in next_page


def test_signed_in_user_visiting_login_goes_to_next(signed_in):
    response = signed_in.get("/login?next=/?period=30d")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?period=30d"


def test_logout_needs_the_csrf_token(signed_in):
    assert signed_in.post("/logout").status_code == 400
    assert signed_in.get("/").status_code == 200


def test_logout_signs_out(signed_in):
    with signed_in.session_transaction() as session:
        token = session["csrf_token"]
    response = signed_in.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert signed_in.get("/").status_code == 302
    assert signed_in.get("/_dash-layout").status_code == 401


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(signed_in, store):
    from vigie.warehouse.sites import add_site
    add_site(store, "shop.example")
    copied = signed_in.get_cookie("session").value
    stats = "/api/v1/stats/aggregate?site=shop.example&period=7d"
    assert signed_in.get("/pages?site=shop.example").status_code == 200
    assert signed_in.get(stats).status_code == 200
    with signed_in.session_transaction() as session:
        token = session["csrf_token"]
    assert signed_in.post("/logout", data={"csrf_token": token}).status_code == 302
    signed_in.set_cookie("session", copied)  # replayed by whoever copied it
    assert signed_in.get("/pages?site=shop.example").status_code == 302
    assert signed_in.get("/_dash-layout").status_code == 401
    assert signed_in.get(stats).status_code == 401
    assert login(signed_in).status_code == 302  # signing in again works as before
    assert signed_in.get("/pages?site=shop.example").status_code == 200


def test_removing_an_account_ends_its_open_sessions(signed_in, store):
    from vigie.warehouse.users import remove_user
    assert signed_in.get("/").status_code == 200
    remove_user(store, EMAIL)
    assert signed_in.get("/").status_code == 302
    assert signed_in.get("/_dash-layout").status_code == 401


def test_a_get_to_logout_does_not_sign_out(signed_in):
    # A link or an <img src="/logout"> on another site must not end the session.
    signed_in.get("/logout")
    assert signed_in.get("/").status_code == 200


def test_an_old_session_is_no_longer_accepted(signed_in):
    with signed_in.session_transaction() as session:
        session["signed_in_at"] -= 13 * 3600
    assert signed_in.get("/").status_code == 302


def test_a_deleted_account_loses_access(signed_in, store):
    store.insert("users", ["email", "password_hash", "is_admin", "created_at", "version", "deleted"],
                 [(EMAIL, "", 0, datetime.datetime.now(datetime.timezone.utc), 2**62, 1)])
    assert signed_in.get("/").status_code == 302


def test_a_password_reset_ends_open_sessions(signed_in, store):
    from vigie.warehouse.users import add_user
    assert signed_in.get("/").status_code == 200
    add_user(store, EMAIL, "a brand new password")
    assert signed_in.get("/").status_code == 302


def test_header_shows_the_account_and_a_logout_form(signed_in):
    layout = signed_in.get("/_dash-layout").get_json()
    with signed_in.session_transaction() as session:
        token = session["csrf_token"]
    assert find_component(layout, "signed-in-email")["props"]["children"] == EMAIL
    form = find_component(layout, "logout-form")["props"]
    assert (form["action"], form["method"]) == ("/logout", "POST")
    hidden = form["children"][0]["props"]
    assert (hidden["type"], hidden["name"], hidden["value"]) == ("hidden", "csrf_token", token)


@pytest.mark.parametrize("target, expected", [
    ("/", "/"), ("/?site=a.example&period=7d", "/?site=a.example&period=7d"),
    (None, "/"), ("", "/"), ("//x.example", "/"), ("/\\x.example", "/"),
    ("https://x.example/", "/"), ("/ok\r\nSet-Cookie: a=b", "/"),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_collector_routes_stay_public(client):
    assert client.get("/healthz").status_code == 200
    tracker = client.get("/js/vigie.js")
    # Served by the collector: the script, or its JSON 404 while the tracker is unbuilt.
    assert tracker.status_code == 200 or (tracker.status_code == 404 and "tracker" in tracker.get_json()["error"])
    event = client.post("/api/event", data="{}", content_type="text/plain")
    assert 400 <= event.status_code < 500
    assert event.is_json
    assert client.get("/login").status_code == 200


def test_anonymous_collector_requests_set_no_cookie(client):
    # Tracked sites promise no cookies; the dashboard must not add one, even
    # when a tracker event is the first request Dash sees (it sets itself up then).
    response = client.post("/api/event", data="{}", content_type="text/plain")
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in client.get("/healthz").headers
