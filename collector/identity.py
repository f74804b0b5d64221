"""Visitor ids: a keyed hash of (daily salt, site, IP, user agent).

The IP and user agent go into the hash and nowhere else. Salts live in the
store (warehouse.salts) so every collector process computes the same id; a
process keeps the salts it has read in memory and re-reads them periodically.
"""
import datetime
import hashlib
import threading
import time

from warehouse.salts import delete_old_salts, salt_for_day


def visitor_id(salt, site, ip, user_agent):
    """A 64-bit id, stable for one salt; unlinkable once the salt is destroyed."""
    digest = hashlib.blake2b(f"{site}\x00{ip}\x00{user_agent}".encode("utf-8", "surrogatepass"),
                             key=bytes.fromhex(salt)[:64], digest_size=8).digest()
    return int.from_bytes(digest, "big")


class SaltKeeper:
    """The salts of the days being ingested, read from (or created in) the store."""

    def __init__(self, store):
        self.store = store
        self._salts = {}
        self._missing = {}
        self._lock = threading.Lock()

    def salt(self, day):
        salt = self._salts.get(day)
        if salt is None:
            with self._lock:
                salt = self._salts.get(day) or salt_for_day(self.store, day)
                self._salts[day] = salt
        return salt

    def known_salt(self, day):
        """The salt of a past day if it still exists (None once destroyed or never made)."""
        salt = self._salts.get(day)
        if salt is None:
            # Remember misses for a minute so a fresh install does not query
            # the store for yesterday's salt on every event.
            checked = self._missing.get(day)
            if checked is not None and time.monotonic() - checked < 60:
                return None
            salt = salt_for_day(self.store, day, create=False)
            with self._lock:
                if salt:
                    self._salts[day] = salt
                else:
                    self._missing[day] = time.monotonic()
        return salt

    def refresh(self, today=None):
        """Re-read today's and yesterday's salts, forget and delete older ones."""
        today = today or datetime.datetime.now(datetime.timezone.utc).date()
        yesterday = today - datetime.timedelta(days=1)
        fresh = {today: salt_for_day(self.store, today)}
        kept = salt_for_day(self.store, yesterday, create=False)
        if kept:
            fresh[yesterday] = kept
        delete_old_salts(self.store, today)
        with self._lock:
            self._salts = fresh
            self._missing = {}
