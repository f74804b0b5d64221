"""Daily secret salts that key visitor ids (table `salts`).

Every collector process reads the same salt for a day from the store. When
two processes create a day's salt at the same moment both rows land; everyone
takes the lexicographically smallest, so they agree from their next read on.
"""
import datetime
import secrets
import time

KEEP_DAYS = 2  # today and yesterday: a visit crossing midnight needs yesterday's
MUTATION_WAIT_SECONDS = 10.0


def _smallest_salt(store, day):
    return store.query_value(
        "SELECT salt FROM salts WHERE day = %(day)s ORDER BY salt LIMIT 1", {"day": day})


def salt_for_day(store, day, create=True):
    """The salt of `day` (a date); made and stored when missing and `create`."""
    salt = _smallest_salt(store, day)
    if salt or not create:
        return salt or None
    store.insert("salts", ["day", "salt", "created_at"],
                 [(day, secrets.token_hex(32), datetime.datetime.now(datetime.timezone.utc))])
    # Read back rather than return our own: another process may have won the race.
    return _smallest_salt(store, day)


def salt_days(store):
    return [row[0] for row in store.query("SELECT DISTINCT day FROM salts ORDER BY day")]


def delete_old_salts(store, today):
    """Destroy salts older than yesterday: visitor ids of those days can no longer be linked.

    ALTER ... DELETE is an asynchronous mutation on a ClickHouse server; waiting
    (boundedly) for it makes "destroyed" mean the rows are gone when this returns.
    Returns True when no older salt remains.
    """
    oldest_kept = today - datetime.timedelta(days=KEEP_DAYS - 1)
    params = {"d": oldest_kept}
    if not store.query_value("SELECT count() FROM salts WHERE day < %(d)s", params):
        return True
    store.execute("ALTER TABLE salts DELETE WHERE day < %(d)s", params)
    deadline = time.monotonic() + MUTATION_WAIT_SECONDS
    while time.monotonic() < deadline:
        pending = store.query_value(
            "SELECT count() FROM system.mutations "
            "WHERE database = %(db)s AND table = 'salts' AND is_done = 0", {"db": store.database})
        if not pending:
            break
        time.sleep(0.05)
    return not store.query_value("SELECT count() FROM salts WHERE day < %(d)s", params)
