"""Dashboard accounts (table `users`); passwords are stored as salted hashes only."""
import datetime
import re
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


class UserError(ValueError):
    """An account cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class User:
    email: str
    is_admin: bool
    # Changes whenever the password is set: a session remembers the value it
    # was opened with, so resetting a password ends every open session.
    credential_version: int = 0


def add_user(store, email, password, is_admin=False):
    """Create or reset an account (same email: new password)."""
    email = (email or "").strip().lower()
    if not _EMAIL_RE.match(email):
        raise UserError(f"{email!r} is not an email address")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    version = time.time_ns() // 1000
    store.insert("users", ["email", "password_hash", "is_admin", "created_at", "version", "deleted"],
                 [(email, generate_password_hash(password), int(bool(is_admin)),
                   datetime.datetime.now(datetime.timezone.utc), version, 0)])
    return User(email, bool(is_admin), version)


def authenticate(store, email, password):
    """The user if the password matches, else None (same answer for unknown emails)."""
    rows = store.query(
        "SELECT email, password_hash, is_admin, version FROM users FINAL "
        "WHERE email = %(e)s AND deleted = 0",
        {"e": (email or "").strip().lower()})
    if not rows:
        # Hash anyway so an unknown email costs the same time as a wrong password.
        check_password_hash(generate_password_hash("x"), password or "")
        return None
    email, password_hash, is_admin, version = rows[0]
    if not check_password_hash(password_hash, password or ""):
        return None
    return User(email, bool(is_admin), version)


def get_user(store, email):
    rows = store.query("SELECT email, is_admin, version FROM users FINAL WHERE email = %(e)s AND deleted = 0",
                       {"e": (email or "").strip().lower()})
    return User(rows[0][0], bool(rows[0][1]), rows[0][2]) if rows else None


def count_users(store):
    return store.query_value("SELECT count() FROM users FINAL WHERE deleted = 0")
