"""Email report subscriptions and the log of their sends (tables of migration 150).

A subscription is one dashboard account's weekly or monthly report of one
site, sent to one address. Each carries a random unsubscribe token, the only
key of the one-click link in its emails: the link names the subscription and
the token, the token is compared in constant time, and a wrong token or an
unknown subscription get the same answer, so the link cannot be used to find
out which subscriptions exist.
"""
import datetime
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from vigie.warehouse.sites import get_site, normalise_domain

FREQUENCIES = ("weekly", "monthly")
MAX_PER_ACCOUNT = 50
_EMAIL_RE = re.compile(r"^[^@\s<>,;\"'()]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_ID_RE = re.compile(r"^[0-9a-f]{16}$")
_COLUMNS = ["subscription_id", "site", "account", "recipient", "frequency", "unsubscribe_token",
            "created_at", "version", "deleted"]
_SELECT = ("SELECT subscription_id, site, account, recipient, frequency, unsubscribe_token, created_at "
           "FROM report_subscriptions FINAL WHERE deleted = 0")
UTC = datetime.timezone.utc


class SubscriptionError(ValueError):
    """A subscription cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    site: str
    account: str      # the dashboard account that manages it
    recipient: str    # where the report goes
    frequency: str    # weekly or monthly
    unsubscribe_token: str
    created_at: datetime.datetime


def _version():
    return time.time_ns() // 1000


def _write(store, sub, deleted=0):
    store.insert("report_subscriptions", _COLUMNS, [(
        sub.subscription_id, sub.site, sub.account, sub.recipient, sub.frequency,
        sub.unsubscribe_token, sub.created_at, _version(), deleted)])


def check_recipient(address):
    value = (address or "").strip()
    if len(value) > 254 or not _EMAIL_RE.match(value):
        raise SubscriptionError(f"{value[:80]!r} is not an email address (e.g. ana@shop.example.com)")
    return value


def add_subscription(store, account, site, frequency, recipient):
    """Subscribe `account` to the `frequency` report of `site`, sent to `recipient`.

    The caller has checked that the account may see the site. The same site,
    frequency and address twice is refused rather than sending two emails.
    """
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"frequency {frequency!r}: use weekly or monthly")
    domain = normalise_domain(site)
    if get_site(store, domain) is None:
        raise SubscriptionError(f"no site {site!r} is registered")
    recipient = check_recipient(recipient)
    mine = account_subscriptions(store, account)
    if any((s.site, s.frequency, s.recipient.lower()) == (domain, frequency, recipient.lower())
           for s in mine):
        raise SubscriptionError(f"{recipient} already gets the {frequency} report of {domain}")
    if len(mine) >= MAX_PER_ACCOUNT:
        raise SubscriptionError(f"an account can hold at most {MAX_PER_ACCOUNT} subscriptions")
    sub = Subscription(secrets.token_hex(8), domain, account, recipient, frequency,
                       secrets.token_urlsafe(32), datetime.datetime.now(UTC).replace(microsecond=0))
    _write(store, sub)
    return sub


def _subscription(row):
    sub_id, site, account, recipient, frequency, token, created_at = row
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    return Subscription(sub_id, site, account, recipient, frequency, token, created_at)


def account_subscriptions(store, account):
    return [_subscription(r) for r in store.query(
        _SELECT + " AND account = %(account)s ORDER BY site, frequency, recipient", {"account": account})]


def all_subscriptions(store):
    return [_subscription(r) for r in store.query(_SELECT + " ORDER BY site, subscription_id")]


def get_subscription(store, subscription_id):
    if not _ID_RE.match(subscription_id or ""):
        return None
    rows = store.query(_SELECT + " AND subscription_id = %(id)s", {"id": subscription_id})
    return _subscription(rows[0]) if rows else None


def remove_subscription(store, account, subscription_id):
    """End one of `account`'s own subscriptions; another account's is refused like an unknown one."""
    sub = get_subscription(store, subscription_id)
    if sub is None or sub.account != account:
        raise SubscriptionError("no such subscription among yours")
    _write(store, sub, deleted=1)
    return sub


def unsubscribe_link_key(sub):
    """The path part of the subscription's one-click unsubscribe link."""
    return f"{sub.subscription_id}/{sub.unsubscribe_token}"


def subscription_for_link(store, subscription_id, token):
    """The live subscription the link names, or None for any link that is not one's own."""
    sub = get_subscription(store, subscription_id)
    expected = sub.unsubscribe_token if sub is not None else secrets.token_urlsafe(32)
    if not hmac.compare_digest(expected.encode(), (token or "").encode()) or sub is None:
        return None
    return sub


def unsubscribe(store, subscription_id, token):
    """End the subscription the link names; True when it did, False for any other link."""
    sub = subscription_for_link(store, subscription_id, token)
    if sub is None:
        return False
    _write(store, sub, deleted=1)
    return True


def record_send(store, sub, period, status, error=""):
    store.insert("report_sends", ["subscription_id", "site", "period_start", "period_end", "status",
                                  "error", "ts"],
                 [(sub.subscription_id, sub.site, period.start, period.end, status, error[:1000],
                   datetime.datetime.now(UTC).replace(microsecond=0))])


def send_outcomes(store, subscription_ids, since):
    """{(subscription_id, period start): (sent, failed runs)} of the reports tried for those
    subscriptions since `since`: whether one was sent, and how many runs failed to send it."""
    if not subscription_ids:
        return {}
    rows = store.query(
        "SELECT subscription_id, period_start, countIf(status = 'sent'), countIf(status = 'failed') "
        "FROM report_sends WHERE subscription_id IN %(ids)s AND period_start >= %(since)s "
        "GROUP BY subscription_id, period_start",
        {"ids": tuple(subscription_ids), "since": since})
    return {(sub_id, day): (int(sent) > 0, int(failed)) for sub_id, day, sent, failed in rows}


def report_sends(store, subscription_id):
    """The send log of one subscription, oldest first, as dicts."""
    return store.query_dicts(
        "SELECT period_start, period_end, status, error, ts FROM report_sends "
        "WHERE subscription_id = %(id)s ORDER BY ts, period_start, status", {"id": subscription_id})
