"""Dashboard accounts (table `users`); passwords are stored as salted hashes only.

An account has a role and, unless it is an admin, the sites it may see:
- admin: every site, every page, and the settings;
- marketer: the analytics of its sites;
- retention: the customers, churn scores and alerts of its sites.
Access is decided here (`User.can_see_site`, `User.can`) so that every
dashboard callback and API checks it the same way on the server.
"""
import datetime
import functools
import re
import secrets
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8
ROLES = ("admin", "marketer", "retention")
# What each role may open; the areas are named by the dashboard pages and APIs.
AREAS = {
    "admin": frozenset({"analytics", "churn", "settings"}),
    "marketer": frozenset({"analytics"}),
    "retention": frozenset({"churn"}),
    # Not an account role: a visitor holding a shared link (warehouse.share_links)
    # reads the analytics of the link's one site; see share_viewer.
    "viewer": frozenset({"analytics"}),
}
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_COLUMNS = ["email", "password_hash", "is_admin", "role", "sites", "created_at", "version", "deleted"]
_SELECT = "SELECT email, password_hash, is_admin, role, sites, version FROM users FINAL"


class UserError(ValueError):
    """An account cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class User:
    email: str
    is_admin: bool
    # Changes whenever the account is written (password, role, sites): a
    # session remembers the value it was opened with, so any such change ends
    # every open session and the new rights apply from the next sign-in.
    credential_version: int = 0
    role: str = "marketer"
    sites: tuple = ()

    def can_see_site(self, domain):
        return self.is_admin or domain in self.sites

    def can(self, area):
        """May this account open `area` (analytics, churn, settings) at all?"""
        return area in AREAS.get(self.role, ())

    @property
    def read_only(self):
        """A shared-link visitor: may look, never change anything (goals, settings...)."""
        return self.role == "viewer"

    def visible_sites(self, sites):
        """The Site objects of `sites` this account may see, in their order."""
        return [s for s in sites if self.can_see_site(s.domain)]


def share_viewer(link):
    """The read-only stand-in for a visitor of a shared link: analytics of its one site."""
    return User(f"shared link {link.link_id}", False, 0, "viewer", (link.site,))


def _role_of(is_admin, role):
    return role if role in ROLES else ("admin" if is_admin else "marketer")


def _user(row):
    email, _, is_admin, role, sites, version = row
    role = _role_of(is_admin, role)
    return User(email, role == "admin", version, role, tuple(sites))


def _check_role(role):
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def _normalise_email(email):
    email = (email or "").strip().lower()
    if not _EMAIL_RE.match(email):
        raise UserError(f"{email!r} is not an email address")
    return email


def _write(store, email, password_hash, role, sites, deleted=0):
    version = time.time_ns() // 1000
    store.insert("users", _COLUMNS, [(email, password_hash, int(role == "admin"), role, list(sites),
                                      datetime.datetime.now(datetime.timezone.utc), version, deleted)])
    return User(email, role == "admin", version, role, tuple(sites))


def add_user(store, email, password, is_admin=False, role=None, sites=None):
    """Create an account or reset its password.

    role: admin, marketer or retention (default: admin when is_admin, else the
    account's current role, else marketer). sites: domains a non-admin may
    see (default: the account's current sites, else none).
    """
    email = _normalise_email(email)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    existing = get_user(store, email)
    if role is None:
        role = "admin" if is_admin else (existing.role if existing else "marketer")
    _check_role(role)
    if sites is None:
        sites = existing.sites if existing else ()
    return _write(store, email, generate_password_hash(password), role, _unique(sites))


def _existing(store, email):
    """(User, password hash) of a live account, or UserError."""
    email = _normalise_email(email)
    rows = store.query(_SELECT + " WHERE email = %(e)s AND deleted = 0", {"e": email})
    if not rows:
        raise UserError(f"no account {email!r}")
    return _user(rows[0]), rows[0][1]


def set_access(store, email, role=None, sites=None):
    """Change an existing account's role and/or sites, keeping its password."""
    current, password_hash = _existing(store, email)
    role = _check_role(role) if role is not None else current.role
    sites = _unique(sites) if sites is not None else current.sites
    return _write(store, current.email, password_hash, role, sites)


def end_sessions(store, email):
    """End every open session of the account (sign-out), on the server: a copied cookie
    stops working too. The account is rewritten unchanged under a new credential version."""
    current, password_hash = _existing(store, email)
    return _write(store, current.email, password_hash, current.role, current.sites)


def remove_user(store, email):
    """Delete the account; its open sessions end with it."""
    current, password_hash = _existing(store, email)
    _write(store, current.email, password_hash, current.role, current.sites, deleted=1)


def _unique(sites):
    result = []
    for domain in sites or ():
        domain = (domain or "").strip().lower()
        if domain and domain not in result:
            result.append(domain)
    return tuple(result)


def authenticate(store, email, password):
    """The user if the password matches, else None (same answer for unknown emails)."""
    rows = store.query(_SELECT + " WHERE email = %(e)s AND deleted = 0",
                       {"e": (email or "").strip().lower()})
    if not rows:
        # Check against a hash anyway so an unknown email costs one password check,
        # like a known one: the form must not tell which accounts exist.
        check_password_hash(_stand_in_hash(), password or "")
        return None
    if not check_password_hash(rows[0][1], password or ""):
        return None
    return _user(rows[0])


@functools.cache
def _stand_in_hash():
    """A hash made like an account's (same method and cost), made once per process.

    The dashboard makes it when it starts (prepare_password_checks), so that
    not even the first unknown email costs an extra hash.
    """
    return generate_password_hash(secrets.token_urlsafe(16))


def prepare_password_checks():
    _stand_in_hash()


def get_user(store, email):
    rows = store.query(_SELECT + " WHERE email = %(e)s AND deleted = 0",
                       {"e": (email or "").strip().lower()})
    return _user(rows[0]) if rows else None


def list_users(store):
    return [_user(row) for row in store.query(_SELECT + " WHERE deleted = 0 ORDER BY email")]


def count_users(store):
    return store.query_value("SELECT count() FROM users FINAL WHERE deleted = 0")
