"""Who may see the dashboard: the login form, logout, and the guard on Dash's routes.

A signed-in browser carries Flask's signed session cookie (HttpOnly,
SameSite=Lax, set up by the composition root) holding the account's email and
when it signed in, and the account's credential version then. Nothing else
about the account lives in the cookie, so a password reset, a deleted account
or a sign-out (which moves the version on) takes effect on the next request,
for a copy of the cookie too.
"""
import time
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for

from vigie.dashboard.throttle import LoginThrottle
from vigie.dashboard.csrf import check_csrf, csrf_token, header_matches, share_with_renderer
from vigie.dashboard.security_headers import install_security_headers
from vigie.warehouse import StoreError
from vigie.warehouse.share_links import REVOKED, VALID, check_share_token, get_share_link
from vigie.warehouse.users import (UserError, authenticate, end_sessions, get_user,
                             prepare_password_checks, share_viewer)

SESSION_EMAIL = "user_email"
SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_CREDENTIAL = "credential_version"
# A browser that opened a shared link holds the link's id (never its secret);
# the link is read again on every request, so revoking it locks the browser out.
SESSION_SHARE = "share_link"
EXPIRED = "expired"
# A stolen cookie should not be good forever; a working day is long enough
# that marketers are not asked twice a day.
SESSION_MAX_AGE_SECONDS = 12 * 3600
WRONG_CREDENTIALS = "Wrong email or password"


def safe_next(target):
    """Where to go after login: a path on this site, never another host.

    Only plain relative paths pass. '//evil.example' and '/\\evil.example' are
    read by browsers as other hosts, so they fall back to the overview.
    """
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def session_email():
    """The email the session cookie vouches for, if it is still fresh."""
    email = session.get(SESSION_EMAIL)
    signed_in_at = session.get(SESSION_SIGNED_IN_AT) or 0
    if not email or time.time() - signed_in_at > SESSION_MAX_AGE_SECONDS:
        return None
    return email


def _share_viewer(store):
    """The read-only viewer of the shared link this browser opened, while the link lives."""
    link_id = session.get(SESSION_SHARE)
    signed_in_at = session.get(SESSION_SIGNED_IN_AT) or 0
    if not link_id or time.time() - signed_in_at > SESSION_MAX_AGE_SECONDS:
        return None
    link = get_share_link(store, link_id)
    return share_viewer(link) if link is not None and not link.revoked else None


def signed_in_user(store):
    """The account behind this request, checked against the store (None if signed out).

    A browser that opened a shared link gets a "viewer" restricted to that
    link's site (warehouse.users.share_viewer), so every page and API that
    checks `can` and `can_see_site` treats it as read-only without knowing.
    """
    email = session_email()
    if not email and session.get(SESSION_SHARE):
        return _share_viewer(store)
    user = get_user(store, email) if email else None
    if user is None or user.credential_version != session.get(SESSION_CREDENTIAL):
        return None  # signed out, deleted, or the password changed since sign-in
    return user


def _still_signed_in(store):
    try:
        return signed_in_user(store) is not None
    except StoreError:
        return False


def _login_page(next_url, error=None, email="", status=200, stylesheet_url=""):
    html = render_template("auth/login.html", csrf_token=csrf_token(), next_url=next_url,
                           error=error, email=email, stylesheet_url=stylesheet_url)
    return html, status


def _share_gone(status, message=None, stylesheet_url="", reason="unknown"):
    html = render_template("auth/share_gone.html", status=status, reason=reason, message=message,
                           stylesheet_url=stylesheet_url)
    return html, status


def create_auth_blueprint(store, stylesheet_url, throttle=None):
    """GET/POST /login and POST /logout, checking passwords against `store`."""
    bp = Blueprint("auth", __name__, template_folder="templates")
    throttle = throttle or LoginThrottle()
    prepare_password_checks()

    @bp.get("/login")
    def login_form():
        next_url = safe_next(request.args.get("next"))
        # The account is checked, not just the cookie: a cookie whose session
        # ended (sign-out, password change) would otherwise bounce between the
        # form and the page it asks for.
        if session_email() and _still_signed_in(store):
            return redirect(next_url)
        return _login_page(next_url, stylesheet_url=stylesheet_url)

    @bp.post("/login")
    def login():
        check_csrf()
        next_url = safe_next(request.form.get("next"))
        email = (request.form.get("email") or "").strip()
        password = request.form.get("password") or ""
        wait = throttle.retry_after(email.lower())
        if wait:
            minutes = (wait + 59) // 60
            page, _ = _login_page(next_url, f"Too many wrong passwords for this account; try again in "
                                  f"{minutes} minute{'s' if minutes > 1 else ''}.", email, 429, stylesheet_url)
            return page, 429, {"Retry-After": str(wait)}
        try:
            user = authenticate(store, email, password)
        except StoreError:
            return _login_page(next_url, "Vigie cannot reach its database right now; try again shortly.",
                               email, 503, stylesheet_url)
        if user is None:
            throttle.failed(email.lower())
            return _login_page(next_url, WRONG_CREDENTIALS, email, 200, stylesheet_url)
        throttle.succeeded(email.lower())
        # A fresh session on login, so a cookie planted before sign-in
        # (session fixation) never becomes an authenticated one.
        session.clear()
        session[SESSION_EMAIL] = user.email
        session[SESSION_SIGNED_IN_AT] = int(time.time())
        session[SESSION_CREDENTIAL] = user.credential_version
        csrf_token()
        return redirect(next_url)

    @bp.get("/share/<token>")
    def open_share_link(token):
        try:
            status, link = check_share_token(store, token)
        except StoreError:
            return _share_gone(503, "Vigie cannot reach its database right now; try again "
                               "shortly.", stylesheet_url)
        if status != VALID:
            return _share_gone(410 if status == REVOKED else 404, None, stylesheet_url, status)
        # The shared view replaces whatever session this browser had, so an
        # account's rights never mix with the link's (and a planted cookie
        # never survives).
        session.clear()
        session[SESSION_SHARE] = link.link_id
        session[SESSION_SIGNED_IN_AT] = int(time.time())
        csrf_token()
        return redirect("/?" + urlencode({"site": link.site}))

    @bp.post("/logout")
    def logout():
        check_csrf()
        email = session_email()
        if email:
            # Clearing the cookie is not enough: a copy of it would stay valid.
            try:
                end_sessions(store, email)
            except UserError:
                pass  # the account is gone already, and its sessions with it
            except StoreError:
                return _login_page("/", "Vigie cannot reach its database right now, so you are "
                                   "still signed in; try again shortly.", "", 503, stylesheet_url)
        session.clear()
        return redirect(url_for("auth.login_form"))

    @bp.after_request
    def no_framing(response):
        # The login form must not be framed by another site (clickjacking).
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return bp


def _share_ended(store, link_id, page_endpoints, stylesheet_url):
    """The answer to a shared view that ended: 410 if its link was revoked, else 401 (expired)."""
    try:
        link = get_share_link(store, link_id)
    except StoreError:
        return jsonify(error="the database is unavailable; try again shortly"), 503
    reason, status = (REVOKED, 410) if link is None or link.revoked else (EXPIRED, 401)
    if request.endpoint in page_endpoints and request.method == "GET":
        return _share_gone(status, None, stylesheet_url, reason)
    return jsonify(error=f"this shared link {'was revoked' if status == 410 else 'view expired'}"), status


def guard_dash_routes(server, dash_app, store):
    """Refuse every route Dash serves to a browser that is not signed in.

    Pages redirect to the login form (keeping the asked-for URL in `next`);
    Dash's JSON endpoints and scripts answer 401. Callbacks (POST) must also
    carry the session's CSRF token in the header Dash's renderer sends. The assets folder stays
    public because the login page uses its stylesheet. Routes of other parts
    (collector, health check) are left alone.
    """
    page_endpoints = {dash_app.config.routes_pathname_prefix,
                      dash_app.config.routes_pathname_prefix + "<path:path>"}

    @server.before_request
    def require_login():
        if request.endpoint not in dash_app.routes:
            return None
        try:
            user = signed_in_user(store)
        except StoreError:
            return jsonify(error="the database is unavailable; try again shortly"), 503
        if user is not None:
            if request.method == "POST" and not header_matches():
                return jsonify(error="the page expired or the request did not come from it; "
                                     "reload the page"), 400
            return None
        if session.get(SESSION_SHARE) and not session_email():
            # The shared link behind this browser was revoked, or this view aged out.
            return _share_ended(store, session.get(SESSION_SHARE), page_endpoints,
                                dash_app.get_asset_url("vigie.css"))
        if request.endpoint in page_endpoints and request.method == "GET":
            asked = request.path + ("?" + request.query_string.decode("latin-1")
                                    if request.query_string else "")
            return redirect(url_for("auth.login_form", next=safe_next(asked)))
        return jsonify(error="login required"), 401

    def dashboard_or_sign_in():
        return request.endpoint in dash_app.routes or (request.endpoint or "").startswith("auth.")

    @server.after_request
    def dashboard_headers(response):
        if request.endpoint in dash_app.routes:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if dashboard_or_sign_in():
            share_with_renderer(response, server.config.get("SESSION_COOKIE_SECURE", False))
        return response

    install_security_headers(server, dash_app, dashboard_or_sign_in)
