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
