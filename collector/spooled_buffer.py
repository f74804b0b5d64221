"""The durable write buffer: memory for speed, the spool for the promise behind a 202.

`add` appends the event to the spool's open segment (the write-ahead that
makes the 202 true), then keeps it in memory. A flush seals the segment and
inserts the in-memory batch; only a confirmed insert deletes the segment. When
an insert fails or takes longer than `insert_timeout`, the batch is left to
its segment on disk (memory is freed) and everything after it waits in the
backlog, in order, for a retry with exponential backoff (1 s doubling up to
RETRY_MAX_SECONDS). A retry or a replay first asks ClickHouse which of the
batch's event ids it already holds and writes only the others, so a batch
whose insert landed before a crash or a timeout is never written twice.

Events whose id is not random but derived from what the sender said (an API
client's idempotency key, an access-log file and line) may arrive twice as
two fresh events; `add(row, dedup=True)` marks their batch for the same check
on its first insert, and the batch keeps the first of any id it holds twice.
Checked batches are written under the spool's write guard, so workers sharing
the spool never both let one id through.

Inserts run on one dedicated thread so that a hung ClickHouse costs a timeout,
not a stuck flusher; while a timed-out insert is still running, no other
starts (the retry after it checks its ids).
"""
import collections
import logging
import queue
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout

from vigie.collector.spool import SpoolError, UnreadableSegment

log = logging.getLogger(__name__)
SYNC_SECONDS = 0.05
RETRY_MIN_SECONDS = 1.0
RETRY_MAX_SECONDS = 10.0


class _Inserter:
    """One daemon thread running inserts: a hung insert never holds up the process's exit."""

    def __init__(self, name):
        self._jobs = queue.SimpleQueue()
        self._name = name
        self._thread = None

    def submit(self, fn, *args):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        future = Future()
        self._jobs.put((future, fn, args))
        return future

    def _run(self):
        while True:
            future, fn, args = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)


class _Pending:
    """A sealed segment waiting for its insert; rows stay in memory until a first failure."""
    __slots__ = ("segment", "rows", "attempts", "bad_lines", "dedup")

    def __init__(self, segment, rows, attempts, dedup=False):
        self.segment, self.rows, self.attempts = segment, rows, attempts
        self.bad_lines = 0  # lines of its file that did not decode (read from disk only)
        self.dedup = dedup  # holds events with derived ids: checked on its first insert too


class SpooledBuffer:
    """The collector's write buffer (add, flush, start, close, len), backed by a spool.

    write(columns, rows): one insert, raises on failure.
    stored_ids(columns, rows): the event ids (text) among rows already in the store.
    """

    def __init__(self, spool, write, stored_ids, metrics, max_rows=1000, max_seconds=2.0,
                 insert_timeout=10.0, name="events"):
        self.spool, self._write, self._stored_ids, self.metrics = spool, write, stored_ids, metrics
        self.max_rows, self.max_seconds, self.insert_timeout, self.name = \
            max_rows, max_seconds, insert_timeout, name
        self.columns = spool.codec.columns
        self._rows, self._segment, self._dedup = [], None, False
        self._backlog = collections.deque(
            _Pending(segment, None, 1) for segment in spool.claim_orphans())
        self._backlog_rows = sum(p.segment.rows for p in self._backlog)
        self._lock = threading.Lock()        # the open segment and the in-memory rows
        self._flush_lock = threading.Lock()  # one flush (seal + inserts) at a time
        self._wake, self._stop = threading.Event(), threading.Event()
        self._threads = []
        self._inserter = _Inserter(f"vigie-{name}-insert")
        self._running = None  # the insert future that last timed out, while it still runs
        self._next_retry, self._retry_delay = 0.0, RETRY_MIN_SECONDS
        self.flushed_total = self.failed_flushes = 0

    # -- request threads ---------------------------------------------------

    def add(self, row, dedup=False):
        """Write the event ahead to the spool, then buffer it; raises SpoolError if it cannot.

        dedup: the row's event id is derived, not random: it may already be stored.
        """
        line = self.spool.codec.encode(row)
        with self._lock:
            if self._segment is None:
                self._segment = self.spool.open_segment()
            self._segment.append(line)
            self._rows.append(row)
            self._dedup = self._dedup or dedup
            full = len(self._rows) >= self.max_rows
        if full:
            if self._threads:
                self._wake.set()
            else:
                self.flush()

    def __len__(self):
        """Events accepted and not yet confirmed in ClickHouse (memory and spool)."""
        with self._lock:
            waiting = len(self._rows)
        return waiting + self.spooled()

    def waiting(self):
        with self._lock:
            return len(self._rows)

    def spooled(self):
        """Events in sealed segments waiting for their insert (being written, or failed)."""
        return self._backlog_rows

    # -- flushing ----------------------------------------------------------

    def flush(self, force=True):
        """Seal what is buffered and write the backlog in order; returns events written.

        force=False (the timer) respects the retry backoff after a failure; an
        explicit flush always tries.
        """
        with self._flush_lock:
            with self._lock:
                rows, segment, self._rows, self._segment = self._rows, self._segment, [], None
                dedup, self._dedup = self._dedup, False
            if segment is not None:
                segment.seal()
                self._backlog.append(_Pending(segment, rows, 0, dedup))
                self._backlog_rows += segment.rows
            if not force and time.monotonic() < self._next_retry:
                return 0
            written = 0
            while self._backlog:
                group = self._next_group()
                done = self._insert(group)
                if done is None:
                    break
                written += done
            return written

    def _next_group(self):
        """Consecutive pending segments with the same columns, up to ten batches' worth."""
        group, rows = [], 0
        for pending in self._backlog:
            if group and (rows + pending.segment.rows > 10 * self.max_rows):
                break
            group.append(pending)
            rows += pending.segment.rows
        return group

    def _insert(self, group):
        """Insert one group; events written, or None on failure (group kept, backoff set)."""
        started = time.monotonic()
        try:
            columns, rows, check, group = self._load(group)
            if not group:
                return 0  # only unreadable segments, now in quarantine
            if self._running is not None and not self._running.done():
                raise TimeoutError("the previous insert is still running")
            future = self._inserter.submit(self._write_new, columns, rows, check)
            try:
                written, skipped = future.result(timeout=self.insert_timeout)
            except FutureTimeout:
                self._running = future
                raise TimeoutError(f"insert took longer than {self.insert_timeout:g}s") from None
        except Exception as exc:
            self._failed(group, exc)
            return None
        self.metrics.observe_insert(time.monotonic() - started)
        for pending in group:
            if pending.bad_lines:
                self._quarantine(pending, f"{pending.bad_lines} line(s) could not be read, the "
                                          f"others were written")
            else:
                self.spool.remove(pending.segment)
                self._forget(pending)
        replayed = any(p.attempts for p in group)
        self.metrics.add("events_flushed", written)
        if replayed:
            self.metrics.add("events_replayed", written)
            self.metrics.add("replay_duplicates_skipped", skipped)
            log.info("spool: replayed %d %s (%d already stored, skipped)", written, self.name, skipped)
        elif skipped:
            self.metrics.add("duplicates_skipped", skipped)
        self.flushed_total += written
        self._next_retry, self._retry_delay = 0.0, RETRY_MIN_SECONDS
        return written

    def _load(self, group):
        """(columns, rows, check, the pending segments they come from); unreadable ones go
        to quarantine here, so they never hold up the segments behind them."""
        columns, rows, check, used = None, [], False, []
        for pending in group:
            if pending.rows is None:
                try:
                    seg_columns, seg_rows, pending.bad_lines = self.spool.read(pending.segment)
                except UnreadableSegment as exc:
                    self._quarantine(pending, exc)
                    continue
            else:
                seg_columns, seg_rows = self.columns, pending.rows
            if columns is not None and seg_columns != columns:
                break  # a segment written by another version: its own group, next time
            columns = seg_columns
            rows.extend(seg_rows)
            check = check or pending.attempts > 0 or pending.dedup
            used.append(pending)
        return columns, rows, check, used

    def _forget(self, pending):
        self._backlog.remove(pending)
        self._backlog_rows -= pending.segment.rows

    def _quarantine(self, pending, why):
        where = self.spool.quarantine(pending.segment)
        self._forget(pending)
        self.metrics.add("spool_segments_quarantined", 1)
        log.error("spool: segment %s moved aside to %s: %s", pending.segment.path,
                  where or "(could not be moved; skipped until the next start)", why)

    def _write_new(self, columns, rows, check):
        if not check or not rows:
            if rows:
                self._write(columns, rows)
            return len(rows), 0
        with self.spool.write_guard(self.insert_timeout):
            key = [columns.index(c) for c in ("event_id", "site", "ts")]
            stored = self._stored_ids(((r[key[0]], r[key[1]], r[key[2]]) for r in rows))
            fresh, seen = [], set(stored)
            for row in rows:
                event_id = str(row[key[0]])
                if event_id not in seen:
                    seen.add(event_id)
                    fresh.append(row)
            if fresh:
                self._write(columns, fresh)
        return len(fresh), len(rows) - len(fresh)

    def _failed(self, group, exc):
        fresh = sum(p.segment.rows for p in group if p.attempts == 0)
        for pending in group:
            pending.attempts += 1
            pending.rows = None  # on disk already: free the memory while the store is away
        self.failed_flushes += 1
        self.metrics.add("insert_failures", 1)
        self.metrics.add("events_spooled", fresh)
        self._next_retry = time.monotonic() + self._retry_delay
        log.error("writing %d %s failed, kept in the spool (%d waiting there), next try in %.0fs: %s",
                  sum(p.segment.rows for p in group), self.name, self.spooled(), self._retry_delay, exc)
        self._retry_delay = min(self._retry_delay * 2, RETRY_MAX_SECONDS)

    # -- background threads --------------------------------------------------

    def start(self, group_commit=True):
        """The flusher (every max_seconds, when full, and retries) and the group-commit syncer.

        group_commit=False leaves the open segment to be fsynced when it is
        sealed: for a bulk import, whose promise is its final summary rather
        than a 202 per event, and whose appends would otherwise keep waiting
        for the syncer's fsync of the same file.
        """
        if self._threads or self._stop.is_set():
            return

        def flusher():
            while not self._stop.is_set():
                self._wake.wait(min(self.max_seconds, RETRY_MIN_SECONDS) if self._backlog
                                else self.max_seconds)
                self._wake.clear()
                if self._stop.is_set():
                    break
                due = self.waiting() >= self.max_rows or self._timer_due()
                if due or (self._backlog and time.monotonic() >= self._next_retry):
                    self.flush(force=False)

        def syncer():
            while not self._stop.wait(SYNC_SECONDS):
                self._sync()

        self._last_timed = time.monotonic()
        threads = ((flusher, "flusher"), (syncer, "spool-sync")) if group_commit else \
            ((flusher, "flusher"),)
        for target, label in threads:
            thread = threading.Thread(target=target, name=f"vigie-{self.name}-{label}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _timer_due(self):
        now = time.monotonic()
        if now - self._last_timed >= self.max_seconds * 0.99 and self.waiting():
            self._last_timed = now
            return True
        return False

    def _sync(self):
        with self._lock:
            segment = self._segment
        if segment is not None:
            try:
                segment.sync()
            except OSError as exc:
                log.error("spool fsync of %s failed: %s", segment.path, exc)

    def close(self):
        """Stop the threads, write what can be written; returns events left (in the spool)."""
        self._stop.set()
        self._wake.set()
        threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=max(self.max_seconds * 2, 5))
        try:
            self.flush()
        except SpoolError as exc:
            log.error("final flush could not seal the spool: %s", exc)
        left = len(self)
        if left:
            # The owner lock stays held while this process lives: a later close()
            # may still write them, and no other process may replay them meanwhile.
            log.error("%d %s could not be written at shutdown; they stay in the spool at %s and "
                      "the next start writes them", left, self.name, self.spool.directory)
        else:
            self.spool.close()
        return left
