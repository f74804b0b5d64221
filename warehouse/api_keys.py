"""API keys for the server-side APIs (table `api_keys`), one site each.

A key reads `vk_<key_id>_<secret>`. The key_id is public (shown in listings and
logs); only a SHA-256 of the secret is stored. The secret is 32 random bytes,
so a fast hash is enough: there is nothing to brute-force the way there is for
a human password.
"""
import datetime
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"^vk_([0-9a-f]{12})_([0-9a-f]{64})$")
_COLUMNS = ["key_id", "site", "name", "secret_hash", "created_at", "version", "revoked"]


class ApiKeyError(ValueError):
    """A key cannot be created or revoked as asked; the message says why."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    site: str
    name: str
    created_at: datetime.datetime


def _hash(secret):
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def create_api_key(store, site, name=""):
    """A new key for `site` (a registered domain): returns (ApiKey, token).

    The token is shown once; it cannot be recovered from the store.
    """
    key_id, secret = secrets.token_hex(6), secrets.token_hex(32)
    created = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    store.insert("api_keys", _COLUMNS,
                 [(key_id, site, (name or "").strip()[:200], _hash(secret), created,
                   time.time_ns() // 1000, 0)])
    return ApiKey(key_id, site, (name or "").strip()[:200], created), f"vk_{key_id}_{secret}"


def _rows(store, where="", params=None):
    return store.query(
        "SELECT key_id, site, name, created_at, secret_hash FROM api_keys FINAL "
        "WHERE revoked = 0" + where + " ORDER BY site, created_at, key_id", params)


def list_api_keys(store, site=None):
    rows = _rows(store, " AND site = %(site)s", {"site": site}) if site else _rows(store)
    return [ApiKey(k, s, n, c) for k, s, n, c, _ in rows]


def revoke_api_key(store, key_id):
    rows = _rows(store, " AND key_id = %(k)s", {"k": key_id})
    if not rows:
        raise ApiKeyError(f"no active API key {key_id!r}")
    k, s, n, c, h = rows[0]
    store.insert("api_keys", _COLUMNS, [(k, s, n, h, c, time.time_ns() // 1000, 1)])


def verify_api_key(store, token):
    """The ApiKey a token belongs to, or None (malformed, unknown, revoked or wrong secret)."""
    match = _TOKEN_RE.match((token or "").strip())
    if not match:
        return None
    key_id, secret = match.groups()
    rows = _rows(store, " AND key_id = %(k)s", {"k": key_id})
    if not rows:
        return None
    k, s, n, c, stored_hash = rows[0]
    if not hmac.compare_digest(stored_hash, _hash(secret)):
        return None
    return ApiKey(k, s, n, c)


def bearer_token(authorization_header):
    """The token of an `Authorization: Bearer <token>` header, or ''."""
    scheme, _, token = (authorization_header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
