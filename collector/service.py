"""The Collector: the pipeline's context and the one entry point for events."""
import collections
import datetime
import logging
import threading
import time

from collector.buffer import WriteBuffer
from collector.identity import SaltKeeper
from collector.pipeline import Incoming, StepFailed, run_pipeline
from warehouse import StoreError
from warehouse.events import insert_events
from warehouse.sites import get_site

log = logging.getLogger(__name__)
UTC = datetime.timezone.utc


class Result:
    """What became of one event: accepted (202) or dropped with a reason."""
    __slots__ = ("accepted", "status", "reason", "message")

    def __init__(self, accepted, status, reason="", message=""):
        self.accepted, self.status, self.reason, self.message = accepted, status, reason, message

    def __repr__(self):
        return f"Result(accepted={self.accepted}, status={self.status}, reason={self.reason!r})"


class SiteCache:
    """Site lookups for the hot path: one store query per domain per `ttl` seconds."""

    def __init__(self, store, ttl=30.0):
        self.store, self.ttl = store, ttl
        self._entries = {}

    def find(self, domain):
        entry = self._entries.get(domain)
        now = time.monotonic()
        if entry is None or now - entry[1] > self.ttl:
            entry = (get_site(self.store, domain), now)
            if len(self._entries) > 10_000:
                self._entries.clear()  # unknown domains must not grow memory without bound
            self._entries[domain] = entry
        return entry[0]


class RecentVisitors:
    """When each visitor id was last seen, to keep a visit whole across the salt change."""

    def __init__(self, store, timeout, max_entries=200_000):
        self.store, self.timeout, self.max_entries = store, timeout, max_entries
        self._last_seen = {}
        self._store_answers = {}
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
        key = (site, vid, when.replace(second=0, microsecond=0))
        if key not in self._store_answers:
            if len(self._store_answers) > 100_000:
                self._store_answers.clear()
            self._store_answers[key] = bool(self.store.query_value(
                "SELECT count() FROM events WHERE site = %(site)s AND visitor_id = %(vid)s "
                "AND ts >= %(since)s AND ts <= %(until)s",
                {"site": site, "vid": vid, "since": when - self.timeout, "until": when}))
        return self._store_answers[key]


class Collector:
    def __init__(self, store, settings, scheduler=None):
        self.store = store
        self.visit_timeout = datetime.timedelta(minutes=settings.visit_timeout_minutes)
        self.buffer = WriteBuffer(lambda rows: insert_events(store, rows),
                                  max_rows=settings.buffer_max_rows,
                                  max_seconds=settings.buffer_max_seconds)
        self.salts = SaltKeeper(store)
        self.sites = SiteCache(store)
        self.recent = RecentVisitors(store, self.visit_timeout)
        self._counts = collections.Counter()
        self._counts_lock = threading.Lock()
        if scheduler is not None:
            scheduler.every(60, "salt refresh", self.salts.refresh, run_now=True)

    def find_site(self, domain):
        return self.sites.find(domain)

    def ingest(self, payload, client, received_at=None):
        """Run one event (a dict, or the raw JSON body) through the pipeline."""
        received_at = received_at or datetime.datetime.now(UTC)
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        event = Incoming(body=payload, client=client, received_at=received_at.astimezone(UTC))
        try:
            _, drop = run_pipeline(event, self)
        except StepFailed as failure:
            if isinstance(failure.error, StoreError):
                log.error("event not accepted, store unavailable at step %s: %s",
                          failure.step, failure.error)
                return self._count(Result(False, 503, "store_unavailable",
                                          "the event store is unavailable; retry later"))
            log.exception("event not accepted: %s (site %r)", failure,
                          (event.payload or {}).get("domain") if isinstance(event.payload, dict) else None)
            return self._count(Result(False, 503, "internal_error",
                                      "the event could not be processed and was not stored"))
        if drop is not None:
            return self._count(Result(False, drop.status, drop.reason, drop.message))
        return self._count(Result(True, 202, "accepted"))

    def _count(self, result):
        with self._counts_lock:
            self._counts[result.reason] += 1
        return result

    def counts(self):
        """Events by outcome since start: accepted, bot, bad_request, unknown_site, ..."""
        with self._counts_lock:
            return dict(self._counts)

    def buffered_count(self):
        return len(self.buffer)

    def flush(self):
        return self.buffer.flush()

    def start(self):
        self.buffer.start()

    def close(self):
        return self.buffer.close()
