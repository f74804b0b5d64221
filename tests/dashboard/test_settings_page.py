"""The settings page: admins manage sites, accounts and API keys; nobody else can."""
import json

from tests.dashboard.conftest import dash_post, find_component, login
from tests.dashboard.test_overview_callbacks import call
from vigie.warehouse.api_keys import list_api_keys, verify_api_key
from vigie.warehouse.sites import add_site, get_site
from vigie.warehouse.users import add_user, authenticate, get_user


def page(client, path="/settings"):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["_pages_content"]["children"]


def save_site(client, domain, timezone="UTC", hostnames="", flags=("respect",)):
    answer = call(client, [("site-message", "children"), ("sites-panel", "children")],
                  [("site-save", "n_clicks", 1)],
                  [("site-domain", "value", domain), ("site-timezone", "value", timezone),
                   ("site-hostnames", "value", hostnames), ("site-flags", "value", list(flags))])
    return answer["site-message"]["children"]["props"]["children"], answer.get("sites-panel")


def save_user(client, email, role, sites, password=""):
    answer = call(client, [("user-message", "children"), ("users-panel", "children"),
                           ("user-password", "value")],
                  [("user-save", "n_clicks", 1)],
                  [("user-email", "value", email), ("user-role", "value", role),
                   ("user-sites", "value", sites), ("user-password", "value", password)])
    assert answer["user-password"]["value"] == ""  # never sent back to the page
    return answer["user-message"]["children"]["props"]["children"]


def keys(client, site=None, name=None, revoke=None):
    inputs = [("key-create", "n_clicks", 0 if revoke else 1)]
    if revoke:
        inputs.append(({"type": "revoke-key", "key": revoke}, "n_clicks", 1))
    body = {"output": "..key-message.children...keys-panel.children..",
            "outputs": [{"id": "key-message", "property": "children"},
                        {"id": "keys-panel", "property": "children"}],
            "inputs": [{"id": "key-create", "property": "n_clicks", "value": 0 if revoke else 1},
                       [{"id": {"type": "revoke-key", "key": revoke}, "property": "n_clicks", "value": 1}]
                       if revoke else []],
            "state": [{"id": "key-site", "property": "value", "value": site},
                      {"id": "key-name", "property": "value", "value": name}],
            "changedPropIds": [json.dumps({"key": revoke, "type": "revoke-key"}, separators=(",", ":"))
                               + ".n_clicks" if revoke else "key-create.n_clicks"]}
    response = dash_post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def test_an_admin_adds_and_updates_a_site(signed_in, store):
    text, panel = save_site(signed_in, "www.Shop.Example", "Europe/Paris", "pay.example.net, cdn.example.org",
                            ["identify", "respect"])
    assert text == "Site shop.example added."
    site = get_site(store, "shop.example")
    assert (site.timezone, site.extra_hostnames, site.identify_customers, site.respect_privacy_signals) == \
        ("Europe/Paris", ("pay.example.net", "cdn.example.org"), True, True)
    table = json.dumps(panel["children"])
    assert 'data-domain=\\"shop.example\\"' in table and "/js/vigie.js" in table
    text, _ = save_site(signed_in, "shop.example", "UTC", "", [])
    assert text == "Site shop.example updated."
    site = get_site(store, "shop.example")
    assert (site.timezone, site.identify_customers, site.respect_privacy_signals) == ("UTC", False, False)


def test_localhost_and_127_0_0_1_are_accepted_as_dev_hostnames(signed_in, store):
    text, _ = save_site(signed_in, "shop.example", hostnames="localhost, 127.0.0.1")
    assert text == "Site shop.example added."
    assert get_site(store, "shop.example").extra_hostnames == ("localhost", "127.0.0.1")
    text, _ = save_site(signed_in, "shop.example", hostnames="intranet")
    assert "is not a host name" in text and "localhost / 127.0.0.1" in text


def test_bad_site_input_is_explained(signed_in, store):
    text, panel = save_site(signed_in, "not a domain")
    assert "is not a domain name" in text and panel is None
    text, _ = save_site(signed_in, "shop.example", hostnames="https://x/")
    assert "is not a host name" in text
    assert get_site(store, "shop.example") is None


def test_an_admin_creates_accounts_and_changes_their_access(signed_in, store):
    add_site(store, "shop.example")
    assert save_user(signed_in, "mia@shop.example", "marketer", ["shop.example"]) == \
        "A new account needs a password (8 characters or more)."
    assert get_user(store, "mia@shop.example") is None
    assert save_user(signed_in, "mia@shop.example", "marketer", ["shop.example"], "a long password") == \
        "Account mia@shop.example saved as marketer."
    assert save_user(signed_in, "mia@shop.example", "retention", ["shop.example"]) == \
        "Account mia@shop.example saved as retention."
    mia = authenticate(store, "mia@shop.example", "a long password")
    assert (mia.role, mia.sites) == ("retention", ("shop.example",))
    assert "No site 'nowhere.example'" in save_user(signed_in, "mia@shop.example", "marketer",
                                                     ["nowhere.example"])
    assert "at least 8 characters" in save_user(signed_in, "rex@shop.example", "marketer", [], "short")


def test_an_admin_creates_and_revokes_api_keys(signed_in, store):
    add_site(store, "shop.example")
    created = keys(signed_in, site="shop.example", name="CRM export")
    token = find_component(created["key-message"]["children"], "new-key-token")["props"]["children"]
    assert verify_api_key(store, token).site == "shop.example"
    [key] = list_api_keys(store)
    assert key.name == "CRM export"
    assert token not in json.dumps(created["keys-panel"])  # only the id is listed
    revoked = keys(signed_in, revoke=key.key_id)
    assert "revoked" in revoked["key-message"]["children"]["props"]["children"]
    assert verify_api_key(store, token) is None
    assert "Choose the site" in keys(signed_in, site=None)["key-message"]["children"]["props"]["children"]


def test_other_roles_cannot_open_or_use_settings(client, store):
    add_site(store, "shop.example")
    add_user(store, "mia@shop.example", "a long password", role="marketer", sites=["shop.example"])
    assert login(client, "mia@shop.example", "a long password").status_code == 302
    # A marketer's Settings hold only their own email reports.
    layout = page(client)
    assert find_component(layout, "email-reports") is not None
    assert find_component(layout, "sites-table") is None and find_component(layout, "site-save") is None
    text, panel = save_site(client, "evil.example")
    assert "Settings are for admins" in text and panel is None
    assert get_site(store, "evil.example") is None
    assert "Settings are for admins" in save_user(client, "mia@shop.example", "admin", [], "a long password")
    assert get_user(store, "mia@shop.example").role == "marketer"
    answer = keys(client, site="shop.example", name="x")
    assert "Settings are for admins" in answer["key-message"]["children"]["props"]["children"]
    assert list_api_keys(store) == []


def test_the_navigation_follows_the_role(app, store, signed_in):
    layout = signed_in.get("/_dash-layout").get_json()
    assert find_component(layout, "nav-settings") is not None
    assert find_component(layout, "nav-overview") is not None
    for role, links in (("marketer", (True, False)), ("retention", (False, False))):
        add_user(store, f"{role}@shop.example", "a long password", role=role)
        other = app.test_client()
        assert login(other, f"{role}@shop.example", "a long password").status_code == 302
        layout = other.get("/_dash-layout").get_json()
        assert (find_component(layout, "nav-overview") is not None,
                find_component(layout, "nav-settings") is not None) == links
