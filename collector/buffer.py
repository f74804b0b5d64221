"""The write buffer: events wait here and reach ClickHouse in batches.

It flushes when it holds `max_rows` events, every `max_seconds` while it holds
any, and at close. A failed insert keeps the batch, in order, for the next
flush: nothing accepted is dropped while the process lives.

This is the memory-only buffer, for rows whose loss on a crash is
acceptable. The collector's events go through collector.spooled_buffer, which
has the same face and writes every event ahead to an on-disk spool.
"""
import logging
import threading
import time

log = logging.getLogger(__name__)


class WriteBuffer:
    def __init__(self, write, max_rows=1000, max_seconds=2.0, name="events"):
        self._write = write  # callable(list_of_rows); raises on failure
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.name = name
        self._rows = []
        self._in_flight = 0  # rows taken by a flush whose insert has not returned yet
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self._retry_after = 0.0  # after a failure, size triggers wait for the next timed flush
        self.flushed_total = 0
        self.failed_flushes = 0

    def __len__(self):
        """Rows accepted and not yet written, including a batch being written right now."""
        with self._lock:
            return len(self._rows) + self._in_flight

    def waiting(self):
        """Rows waiting for the next flush (a batch being written is not among them)."""
        with self._lock:
            return len(self._rows)

    def add(self, row):
        with self._lock:
            self._rows.append(row)
            full = len(self._rows) >= self.max_rows
        if not full or time.monotonic() < self._retry_after:
            return
        if self._thread is not None:
            self._wake.set()  # the flusher thread writes; the request returns at once
        else:
            self.flush()

    def flush(self):
        """Write everything buffered; returns the number written (0 on failure)."""
        with self._flush_lock:
            with self._lock:
                batch, self._rows = self._rows, []
                self._in_flight = len(batch)
            if not batch:
                return 0
            started = time.monotonic()
            try:
                self._write(batch)
            except Exception as exc:
                self._keep(batch)
                log.error("writing %d buffered %s failed, kept for the next flush: %s",
                          len(batch), self.name, exc)
                return 0
            finally:
                with self._lock:
                    self._in_flight = 0
            self._retry_after = 0.0
            self.flushed_total += len(batch)
            log.debug("flushed %d %s in %.3fs", len(batch), self.name, time.monotonic() - started)
            return len(batch)

    def _keep(self, batch):
        with self._lock:
            self._rows[:0] = batch  # keep order: the failed batch goes first
            self._in_flight = 0
        self.failed_flushes += 1
        # Without this, every event added to a full buffer would retry a store
        # that just failed.
        self._retry_after = time.monotonic() + self.max_seconds

    def start(self):
        """Flush every `max_seconds` (and when full) on a daemon thread."""
        if self._thread is not None or self._stop.is_set():
            return

        def run():
            while not self._stop.is_set():
                self._wake.wait(self.max_seconds)
                self._wake.clear()
                if self.waiting() and not self._stop.is_set():
                    self.flush()
        self._thread = threading.Thread(target=run, name=f"vigie-{self.name}-flusher", daemon=True)
        self._thread.start()

    def close(self):
        """Stop the flusher and write what is left; returns how many rows could not be written."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=max(self.max_seconds * 2, 5))
        self.flush()
        left = len(self)
        if left:
            log.error("%d %s could not be written at shutdown", left, self.name)
        return left
