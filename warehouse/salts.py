"""Daily secret salts that key visitor ids (table `salts`).

Every collector process reads the same salt for a day from the store. When
two processes create a day's salt at the same moment both rows land; everyone
then takes the smallest, so they converge at the next read.
"""
import datetime
import secrets

KEEP_DAYS = 2


def salt_for_day(store, day, create=True):
    rows = store.query("SELECT salt FROM salts WHERE day = %(day)s ORDER BY salt LIMIT 1",
                       {"day": day})
    if rows:
        return rows[0][0]
    if not create:
        return None
    store.insert("salts", ["day", "salt", "created_at"],
                 [(day, secrets.token_hex(32), datetime.datetime.now(datetime.timezone.utc))])
    return store.query_value("SELECT salt FROM salts WHERE day = %(day)s ORDER BY salt LIMIT 1",
                             {"day": day})


def delete_old_salts(store, today):
    """Destroy salts older than yesterday: visitor ids of those days can no longer be linked."""
    oldest_kept = today - datetime.timedelta(days=KEEP_DAYS - 1)
    if store.query_value("SELECT count() FROM salts WHERE day < %(d)s", {"d": oldest_kept}):
        store.execute("ALTER TABLE salts DELETE WHERE day < %(d)s", {"d": oldest_kept})
