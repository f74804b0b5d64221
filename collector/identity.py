"""Visitor ids: a keyed hash of (daily salt, site, IP, user agent).

The IP and user agent go into the hash and nowhere else. Salts live in the
store (warehouse.salts) so every collector process computes the same id; a
process keeps the salts it has read in memory and re-reads them periodically.
"""
import bisect
import datetime
import hashlib
import logging
import threading
import time

from vigie.warehouse import StoreError
from vigie.warehouse.events import visitor_active_between, visitor_event_times
from vigie.warehouse.salts import delete_old_salts, salt_for_day

log = logging.getLogger(__name__)
# Events older than this are no longer arriving from other collectors (write
# buffers flush within seconds), so the store's view of their minute is final.
SETTLED_AFTER = datetime.timedelta(minutes=10)


def visitor_id(salt, site, ip, user_agent):
    """A 64-bit id, stable for one salt; unlinkable once the salt is destroyed."""
    digest = hashlib.blake2b(f"{site}\x00{ip}\x00{user_agent}".encode("utf-8", "surrogatepass"),
                             key=bytes.fromhex(salt)[:64], digest_size=8).digest()
    return int.from_bytes(digest, "big")


class SaltKeeper:
    """The salts of the days being ingested, read from (or created in) the store.

    Any day asked for gets a salt, including days long past (backfills): those
    live in the store until the next `refresh` destroys them.
    """

    def __init__(self, store, lock=None):
        """lock: held while a day's salt is read or made. Processes that share one
        (an import's workers) never make two salts for a day: two made at the same
        moment would each be used by their maker until its next refresh."""
        self.store = store
        self._salts = {}
        self._missing = {}
        self._lock = lock or threading.Lock()

    def salt(self, day):
        salt = self._salts.get(day)
        if salt is None:
            with self._lock:
                salt = self._salts.get(day) or salt_for_day(self.store, day)
                self._salts[day] = salt
                self._missing.pop(day, None)
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
        """Re-read today's and yesterday's salts, forget and destroy older ones."""
        today = today or datetime.datetime.now(datetime.timezone.utc).date()
        yesterday = today - datetime.timedelta(days=1)
        fresh = {today: salt_for_day(self.store, today)}
        kept = salt_for_day(self.store, yesterday, create=False)
        if kept:
            fresh[yesterday] = kept
        if not delete_old_salts(self.store, today):
            log.warning("salts older than %s are still being deleted by the store", yesterday)
        with self._lock:
            self._salts = fresh
            self._missing = {}


class RecentVisitors:
    """When each visitor id was last seen, to keep a visit whole across the salt change.

    Memory answers for events this process handled; the events table answers
    for the other processes (asked only in the minutes after midnight, and
    cached per minute).
    """

    def __init__(self, store, timeout, max_entries=200_000):
        self.store, self.timeout, self.max_entries = store, timeout, max_entries
        self._last_seen = {}
        self._store_answers = {}
        self._settled_midnights = {}
        self._lock = threading.Lock()

    def note(self, site, vid, when):
        with self._lock:
            if len(self._last_seen) >= self.max_entries:
                self._last_seen.clear()
            previous = self._last_seen.get((site, vid))
            if previous is None or when > previous:
                self._last_seen[(site, vid)] = when

    def seen_in_memory(self, site, vid, when):
        last = self._last_seen.get((site, vid))
        return last is not None and when - self.timeout <= last <= when + self.timeout

    def seen(self, site, vid, when, check_store):
        if self.seen_in_memory(site, vid, when):
            return True
        if not check_store:
            return False
        if when < datetime.datetime.now(datetime.timezone.utc) - SETTLED_AFTER:
            return self._seen_in_settled_midnight(site, vid, when)
        key = (site, vid, when.replace(second=0, microsecond=0))
        if key not in self._store_answers:
            try:
                found = visitor_active_between(self.store, site, vid, when - self.timeout, when)
            except StoreError as exc:
                # A visit split in two beats an event refused: keep ingesting.
                log.warning("could not check visit continuity at midnight: %s", exc)
                return False
            with self._lock:
                if len(self._store_answers) >= self.max_entries:
                    self._store_answers.clear()
                self._store_answers[key] = found
        return self._store_answers[key]

    def _seen_in_settled_midnight(self, site, vid, when):
        """The store's answer for a midnight long past (backfills): one query per site and midnight.

        Nothing is still arriving for such a midnight, so the event times of
        every visitor active from `timeout` before it to `timeout` after it
        answer for all the events of that window at once: a backfill of N days
        costs N queries, not one per visitor or per minute. A visitor whose
        event falls later in the same minute counts as seen: that event itself
        continued the visit.
        """
        midnight = datetime.datetime.combine(when.date(), datetime.time(), when.tzinfo)
        times = self._settled_midnights.get((site, midnight))
        if times is None:
            try:
                times = visitor_event_times(
                    self.store, site, midnight - self.timeout,
                    midnight + self.timeout + datetime.timedelta(minutes=1))
            except StoreError as exc:
                log.warning("could not check visit continuity at midnight: %s", exc)
                return False
            with self._lock:
                if len(self._settled_midnights) >= 16:
                    self._settled_midnights.clear()
                self._settled_midnights[(site, midnight)] = times
        stamps = times.get(vid, ())
        first = bisect.bisect_left(stamps, when - self.timeout)
        minute_end = when.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        return first < len(stamps) and stamps[first] < minute_end
