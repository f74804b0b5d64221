"""Dashboard fixtures: an account, a signed-in test client, a live server for Chromium."""
import re
import threading

import pytest
from werkzeug.serving import make_server

from vigie.warehouse.users import add_user

EMAIL = "ana@shop.example"
PASSWORD = "correct horse battery"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html):
    match = _CSRF_RE.search(html)
    assert match, "the form has no CSRF field"
    return match.group(1)


def find_component(tree, component_id):
    """The first component with this id in a Dash layout as JSON, or None."""
    if isinstance(tree, list):
        for item in tree:
            found = find_component(item, component_id)
            if found:
                return found
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == component_id:
            return tree
        return find_component(props.get("children"), component_id)
    return None


def dash_post(client, body):
    """POST a callback to Dash as its renderer does: JSON, with the CSRF cookie as a header."""
    cookie = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": cookie.value} if cookie else {}
    return client.post("/_dash-update-component", json=body, headers=headers)


def login(client, email=EMAIL, password=PASSWORD, next_url=None):
    """Fetch the form (for its token) and post it, as a browser would."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/login", data=form)


@pytest.fixture
def account(store):
    """An admin: the tests that use it are about what pages show, not who may see them."""
    return add_user(store, EMAIL, PASSWORD, is_admin=True)


@pytest.fixture
def signed_in(client, account):
    response = login(client)
    assert response.status_code == 302
    return client


@pytest.fixture
def live_url(app):
    """The whole Vigie app served over real HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="vigie-test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
