"""Counts of events dropped on purpose, per site, UTC day and reason (warehouse.dropped_events).

Bots can outnumber people; writing one row per bot would cost more than the
bot itself. Counts accumulate in memory and are written as one batch when
flushed (periodically by the Collector, and at close). The table is a
SummingMergeTree, so batches from every process and every flush add up.
"""
import collections
import logging
import threading

from vigie.warehouse import StoreError
from vigie.warehouse.dropped_events import write_drop_counts

log = logging.getLogger(__name__)


class DropCounter:
    def __init__(self, store):
        self.store = store
        self._counts = collections.Counter()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()

    def add(self, site, day, reason, events=1):
        with self._lock:
            self._counts[(site, day, reason)] += events

    def pending(self):
        """Counts not yet written, {(site, day, reason): events}."""
        with self._lock:
            return dict(self._counts)

    def flush(self):
        """Write the pending counts in one insert; returns how many events they cover.

        When the store refuses, the counts go back into memory and the next
        flush tries again, so a store outage loses none of them.
        """
        with self._flush_lock:
            with self._lock:
                batch, self._counts = self._counts, collections.Counter()
            if not batch:
                return 0
            rows = [(site, day, reason, events) for (site, day, reason), events in batch.items()]
            try:
                write_drop_counts(self.store, rows)
            except StoreError as exc:
                log.warning("could not write %d dropped-event counts, kept for the next "
                            "flush: %s", len(rows), exc)
                with self._lock:
                    self._counts.update(batch)
                return 0
            return sum(batch.values())

