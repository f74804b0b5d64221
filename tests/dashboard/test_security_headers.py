"""The dashboard's security headers, and every page still working in Chromium under them."""
import base64
import hashlib
import re

import pytest

from tests.dashboard import worked_day
from tests.dashboard.conftest import EMAIL, PASSWORD
from tests.dashboard.report_helpers import sessionize
from tests.factories import insert_events
from vigie.warehouse.sites import add_site
from tests.browser_waits import wait_until

TIMEOUT_MS = 30_000
# The headers do not depend on the store: the embedded one is enough.
pytestmark = pytest.mark.parametrize("backend", ["chdb"], indirect=True)
# Records what the policy refuses; Playwright's init scripts are not subject to it.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def script_sources(policy):
    directive = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    return directive.split()[1:]


def test_pages_and_sign_in_send_the_headers(signed_in, client):
    page = signed_in.get("/")
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # never run
    policy = page.headers["Content-Security-Policy"]
    sources = script_sources(policy)
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    # Each executable inline script of the page is allowed by its own hash, and no other.
    inline = re.findall(r'<script(?: id="_dash-renderer" type="application/javascript")?>(.*?)'
                        r'</script>', html, re.S)
    assert inline, "the page has Dash's inline start-up script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in sources
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    for response in (page, client.get("/login"), signed_in.get("/_dash-layout")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Content-Security-Policy" in response.headers


def test_the_collector_keeps_its_own_headers(client):
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def test_every_page_works_in_chromium_under_the_policy(app, store, account, live_url, browser):
    site = add_site(store, worked_day.SITE, worked_day.TIMEZONE)
    insert_events(store, worked_day.day_events())
    sessionize(store, site, "2024-03-09", "2024-03-12")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(WATCH_VIOLATIONS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_url + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#signed-in-email")
    paths = page.eval_on_selector_all(".nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(paths) >= 10, paths  # an admin sees every page
    query = f"?site={worked_day.SITE}&period=custom&from={worked_day.DAY}&to={worked_day.DAY}"
    for path in paths:
        page.goto(live_url + path + query)
        # Dash sets the page's own title once its scripts have run and drawn the page.
        wait_until(page, "() => document.title.includes('·')")
        wait_until(page, "() => (document.querySelector('#_pages_content') || {}).innerText"
                         "?.length > 20")
        if path == "/":
            page.wait_for_selector(".js-plotly-plot .main-svg")  # Plotly draws too
        assert page.evaluate("window.__violations") == [], path
        assert errors == [], path
    # The watch itself works: an injected inline script is refused and reported.
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }")
    wait_until(page, "() => window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__violations")[0].startswith("script-src")
