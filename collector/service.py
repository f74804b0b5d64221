"""The Collector: the pipeline's context and the one entry point for events."""
import collections
import datetime
import logging
import threading
import time
from dataclasses import dataclass

from vigie.collector.drop_counts import DropCounter
from vigie.collector.identity import RecentVisitors, SaltKeeper
from vigie.collector.metrics import CollectorMetrics, write_snapshot
from vigie.collector.pipeline import STEPS, Incoming, StepFailed, run_pipeline
from vigie.collector.spool import Spool, SpoolError, spool_directory
from vigie.collector.spooled_buffer import SpooledBuffer
from vigie.warehouse import StoreError
from vigie.warehouse.already_stored import stored_event_ids
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.sites import get_site
from vigie.warehouse.web_vitals import VITALS_COLUMNS

log = logging.getLogger(__name__)
UTC = datetime.timezone.utc
SALT_REFRESH_SECONDS = 60
DROP_COUNTS_FLUSH_SECONDS = 30
SITE_CACHE_SECONDS = 30.0
METRICS_SNAPSHOT_SECONDS = 1


@dataclass(frozen=True)
class Result:
    """What became of one event: accepted (202) or dropped with a reason."""
    accepted: bool
    status: int          # the HTTP status the sender gets
    reason: str          # "accepted" or a drop reason: bad_request, unknown_site, bot_pattern, ...
    message: str = ""    # readable explanation for drops
    ignored: tuple = ()  # payload fields accepted but not stored (customer_id without opt-in)


ACCEPTED = Result(True, 202, "accepted")


class SiteCache:
    """Site lookups for the hot path: one store query per domain per `ttl` seconds.

    Unknown domains are remembered too, so a flood for an unregistered site
    does not become a flood of queries. When the store fails, a site seen
    before keeps being served from memory rather than refusing its traffic.
    """

    def __init__(self, store, ttl=SITE_CACHE_SECONDS, max_entries=10_000):
        self.store, self.ttl, self.max_entries = store, ttl, max_entries
        self._entries = {}

    def find(self, domain):
        entry = self._entries.get(domain)
        now = time.monotonic()
        if entry is not None and now - entry[1] <= self.ttl:
            return entry[0]
        try:
            site = get_site(self.store, domain)
        except StoreError:
            if entry is not None and entry[0] is not None:
                log.warning("site lookup failed; using the cached entry for %r", domain)
                return entry[0]
            raise
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # random domains must not grow memory without bound
        self._entries[domain] = (site, now)
        return site

    def cached(self, domain):
        """The site last found for a domain, however old, without asking the store; else None."""
        entry = self._entries.get(domain)
        return entry[0] if entry is not None else None


class Collector:
    """Events in (HTTP or Python), rows out to ClickHouse in batches.

    Doubles as the context every pipeline step receives: `find_site`, `salts`,
    `recent`, `visit_timeout` and `buffer`.
    """

    def __init__(self, store, settings, scheduler=None, steps=STEPS, salt_lock=None):
        self.store = store
        self.steps = steps  # the ordered (name, step) list every event goes through
        self.scheduler = scheduler
        self.visit_timeout = datetime.timedelta(minutes=settings.visit_timeout_minutes)
        self.metrics = CollectorMetrics()
        directory = spool_directory(settings.spool_dir, settings.store_url)
        self.buffer = self._spooled_buffer(store, settings, Spool(directory, EVENT_COLUMNS), "events")
        # Vitals reports go to their own table, with the same write-ahead promise.
        self.vitals_buffer = self._spooled_buffer(
            store, settings, Spool(directory + "-web_vitals", VITALS_COLUMNS),
            "web_vitals")
        self.salts = SaltKeeper(store, salt_lock)
        self.sites = SiteCache(store)
        self.recent = RecentVisitors(store, self.visit_timeout)
        self.drops = DropCounter(store)
        self._counts = collections.Counter()
        self._counts_lock = threading.Lock()
        self._started = False

    def _spooled_buffer(self, store, settings, spool, table):
        return SpooledBuffer(
            spool, write=lambda columns, rows: store.insert(table, columns, rows),
            stored_ids=lambda events: stored_event_ids(store, events, table), metrics=self.metrics,
            max_rows=settings.buffer_max_rows, max_seconds=settings.buffer_max_seconds,
            insert_timeout=settings.insert_timeout_seconds, name=table)

    def find_site(self, domain):
        return self.sites.find(domain)

    def ingest(self, payload, client, received_at=None, event_id=None):
        """Run one event through the pipeline and say what became of it.

        payload: the event as a dict, or the raw JSON body (bytes/str) from HTTP.
        client: a ClientInfo (IP, user agent, Accept-Language) of the sender.
        received_at: aware datetime used as the event time (backfills); default now.
        event_id: a derived id (collector.event_id_generator.derived_event_id) for an event
        that may be sent again; it is then stored once however often it comes.
        """
        received_at = received_at or datetime.datetime.now(UTC)
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware (UTC)")
        event = Incoming(body=payload, client=client, received_at=received_at.astimezone(UTC),
                         event_id=event_id)
        try:
            _, drop = run_pipeline(event, self, self.steps)
        except StepFailed as failure:
            return self._count(self._failure_result(failure, event))
        if drop is not None:
            if event.site is not None:
                # Drops of a registered site are reported to its owner; the
                # others (unknown domains, malformed bodies) only in counts().
                self.drops.add(event.site.domain, event.received_at.date(), drop.reason)
            return self._count(Result(False, drop.status, drop.reason, drop.message))
        if event.ignored:
            return self._count(Result(True, 202, "accepted", ignored=tuple(event.ignored)))
        return self._count(ACCEPTED)

    @staticmethod
    def _failure_result(failure, event):
        # The site is the useful context; the client (its IP) never goes to logs.
        site = event.site.domain if event.site else (event.fields or {}).get("domain", "")
        if isinstance(failure.error, SpoolError):
            log.error("event not accepted, the spool cannot take it (site %r): %s",
                      site, failure.error)
            return Result(False, 503, "spool_unavailable",
                          "the event could not be made durable and was not stored; retry later")
        if isinstance(failure.error, StoreError):
            log.error("event not accepted, store unavailable at step %s (site %r): %s",
                      failure.step, site, failure.error)
            return Result(False, 503, "store_unavailable",
                          "the event store is unavailable; retry later")
        log.error("event not accepted: %s (site %r)", failure, site, exc_info=failure.error)
        return Result(False, 503, "internal_error",
                      "the event could not be processed and was not stored; retry later")

    def _count(self, result):
        with self._counts_lock:
            self._counts[result.reason] += 1
        return result

    def count_drop(self, reason):
        """Count an event refused before the pipeline (oversized bodies)."""
        self._count(Result(False, 0, reason))

    def count_rate_limited(self, reason, domain):
        """Count a 429: by its limit in counts(), and as `rate_limited` for the site's owner.

        The owner's count goes to dropped_events with the other drops (batched,
        not one insert per request). Only a site this process has already looked
        up is counted there: a flood is exactly when no request may turn into a
        store query, and an over-limit sender has had its burst go through the
        pipeline, which looked its site up.
        """
        self._count(Result(False, 429, reason))
        site = self.sites.cached(domain) if domain else None
        if site is not None:
            self.drops.add(site.domain, datetime.datetime.now(UTC).date(), "rate_limited")

    def counts(self):
        """Events by outcome since start: accepted, bad_request, unknown_site, bot_pattern, ..."""
        with self._counts_lock:
            return dict(self._counts)

    def drop_counts(self):
        """Events not stored since start, by reason (bots included)."""
        return {reason: n for reason, n in self.counts().items() if reason != "accepted"}

    def buffered_count(self):
        return len(self.buffer) + len(self.vitals_buffer)

    def spools(self):
        """Every spool this collector writes ahead to: events, and vitals reports."""
        return [self.buffer.spool, self.vitals_buffer.spool]

    def spooled_count(self):
        """Events of this process in sealed spool segments, waiting for their insert."""
        return self.buffer.spooled() + self.vitals_buffer.spooled()

    def metrics_snapshot(self):
        return self.metrics.snapshot(self.counts(), self.buffered_count(), self.spooled_count())

    def write_metrics_snapshot(self):
        """Publish this process's figures for GET /metrics, whichever worker answers it."""
        write_snapshot(self.buffer.spool.metrics_path(), self.metrics_snapshot())

    def flush(self):
        """Write buffered events and drop counts now; returns how many events were written (0 if the insert failed)."""
        self.drops.flush()
        return self.buffer.flush() + self.vitals_buffer.flush()

    def start(self, group_commit=True):
        """Start the time-based flusher and register the daily salt refresh.

        group_commit: fsync the spool every SYNC_SECONDS (what makes a 202
        survive a machine crash); a bulk import turns it off (see SpooledBuffer.start).
        """
        if self._started:
            return
        self._started = True
        self.buffer.start(group_commit=group_commit)
        self.vitals_buffer.start(group_commit=group_commit)
        if self.scheduler is not None:
            self.scheduler.every(SALT_REFRESH_SECONDS, "salt refresh", self.salts.refresh,
                                 run_now=True)
            self.scheduler.every(METRICS_SNAPSHOT_SECONDS, "metrics snapshot",
                                 self.write_metrics_snapshot, run_now=True)
            self.scheduler.every(DROP_COUNTS_FLUSH_SECONDS, "dropped events counts",
                                 self.drops.flush)

    def close(self):
        """Flush everything and stop the flusher; safe to call twice. Returns events left unwritten."""
        self.drops.flush()
        return self.buffer.close() + self.vitals_buffer.close()
