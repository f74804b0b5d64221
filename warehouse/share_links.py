"""Public read-only links to one site's web analytics (table `share_links`).

A link reads `vs_<link_id>_<secret>`: link_id is public (listed in the
settings, used to revoke), the secret is 32 random bytes of which only a
SHA-256 is stored, like API keys. Whoever holds the link sees the analytics
pages of that one site and nothing else; the dashboard turns a valid link into
a "viewer" account (warehouse.users.share_viewer) on every request, so a
revocation takes effect at the visitor's next click.
"""
import datetime
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from vigie.warehouse.sites import get_site

_TOKEN_RE = re.compile(r"^vs_([0-9a-f]{12})_([0-9a-f]{64})$")
_COLUMNS = ["link_id", "site", "secret_hash", "created_by", "created_at", "version", "revoked"]
_SELECT = ("SELECT link_id, site, secret_hash, created_by, created_at, revoked "
           "FROM share_links FINAL")

VALID, REVOKED, UNKNOWN = "valid", "revoked", "unknown"


class ShareLinkError(ValueError):
    """A link cannot be created or revoked as asked; the message says why."""


@dataclass(frozen=True)
class ShareLink:
    link_id: str
    site: str
    created_by: str
    created_at: datetime.datetime
    revoked: bool = False

    def path(self, token):
        return f"/share/{token}"


def _hash(secret):
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _link(row):
    link_id, site, _, created_by, created_at, revoked = row
    return ShareLink(link_id, site, created_by, created_at, bool(revoked))


def _rows(store, where="", params=None):
    return store.query(_SELECT + where + " ORDER BY site, created_at, link_id", params)


def create_share_link(store, site, created_by):
    """A new link to `site` (a registered domain): returns (ShareLink, token), token shown once."""
    if not site or get_site(store, site) is None:
        raise ShareLinkError(f"no site {site!r} is registered: choose one from the list")
    link_id, secret = secrets.token_hex(6), secrets.token_hex(32)
    created = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    store.insert("share_links", _COLUMNS, [(link_id, site, _hash(secret), created_by or "",
                                            created, time.time_ns() // 1000, 0)])
    return ShareLink(link_id, site, created_by or "", created), f"vs_{link_id}_{secret}"


def list_share_links(store, site=None):
    """Links not revoked, per site then age."""
    if site:
        rows = _rows(store, " WHERE revoked = 0 AND site = %(site)s", {"site": site})
    else:
        rows = _rows(store, " WHERE revoked = 0")
    return [_link(row) for row in rows]


def get_share_link(store, link_id):
    """The link with this id (revoked or not), or None."""
    rows = _rows(store, " WHERE link_id = %(id)s", {"id": (link_id or "").strip()})
    return _link(rows[0]) if rows else None


def revoke_share_link(store, link_id):
    rows = _rows(store, " WHERE link_id = %(id)s AND revoked = 0", {"id": (link_id or "").strip()})
    if not rows:
        raise ShareLinkError(f"no active shared link {link_id!r}")
    link_id, site, secret_hash, created_by, created_at, _ = rows[0]
    store.insert("share_links", _COLUMNS, [(link_id, site, secret_hash, created_by, created_at,
                                            time.time_ns() // 1000, 1)])


def check_share_token(store, token):
    """(VALID | REVOKED | UNKNOWN, ShareLink or None) for the token of a /share/ URL.

    A wrong secret for a real link_id is UNKNOWN, so a listed link_id alone
    tells a visitor nothing.
    """
    match = _TOKEN_RE.match((token or "").strip())
    if not match:
        return UNKNOWN, None
    link_id, secret = match.groups()
    rows = _rows(store, " WHERE link_id = %(id)s", {"id": link_id})
    if not rows or not hmac.compare_digest(rows[0][2], _hash(secret)):
        return UNKNOWN, None
    link = _link(rows[0])
    return (REVOKED if link.revoked else VALID), link
