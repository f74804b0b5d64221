"""Login cookies (Flask's signed-cookie sessions), with the signer built once instead of per request.

Flask builds a new itsdangerous serializer for every request, cookie or not;
on the collector's hot path (POST /api/event, which never uses the session)
that is a tenth of the time a request takes. The serializer only depends on
the secret keys, so it is kept and rebuilt only if they change. The tracker's
two routes never have a session at all: their cookie is not even parsed.
"""
from flask.sessions import SecureCookieSessionInterface


SESSIONLESS_PATHS = frozenset({"/api/event", "/js/vigie.js"})


class CachedSignerSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._keys = None
        self._serializer = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys != self._keys:
            self._serializer = super().get_signing_serializer(app)
            self._keys = keys
        return self._serializer

    def open_session(self, app, request):
        if request.path in SESSIONLESS_PATHS:
            return self.session_class()  # empty and never saved: nothing reads or writes it
        return super().open_session(app, request)
