"""A per-session token that every state-changing form must echo back.

The session cookie is SameSite=Lax, which already keeps most cross-site POSTs
from carrying it; the token covers the rest (older browsers, same-site
subdomains) for the forms that change who is signed in.
"""
import hmac
import secrets

from flask import abort, request, session

SESSION_KEY = "csrf_token"
FIELD_NAME = "csrf_token"
# Dash's renderer copies this cookie into this header on every callback it
# sends (its built-in double-submit support), so data callbacks that change
# things are held to the same token as the forms.
COOKIE_NAME = "_csrf_token"
HEADER_NAME = "X-CSRFToken"


def csrf_token():
    """The session's token, minted on first use so anonymous visitors get one too."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf():
    """Abort with 400 unless the posted form carries the session's token."""
    expected = session.get(SESSION_KEY) or ""
    sent = request.form.get(FIELD_NAME) or ""
    # Compare even when one side is empty so a missing token costs the same time.
    if not hmac.compare_digest(expected.encode(), sent.encode()) or not expected:
        abort(400, description="The form expired or did not come from this site; reload and try again.")


def header_matches():
    """True when the request's X-CSRFToken header carries the session's token."""
    expected = session.get(SESSION_KEY) or ""
    sent = request.headers.get(HEADER_NAME) or ""
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())


def share_with_renderer(response, secure):
    """Give the page's scripts the session's token in a cookie they can read.

    The cookie holds nothing the page does not already show in its forms, and
    SameSite=Strict keeps other sites' requests from carrying it.
    """
    token = session.get(SESSION_KEY)
    if token and request.cookies.get(COOKIE_NAME) != token:
        response.set_cookie(COOKIE_NAME, token, samesite="Strict", secure=secure, httponly=False)
    return response
