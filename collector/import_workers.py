"""A large access log imported by several processes, one core each.

The pipeline is Python through and through (regular expressions, user agents,
hashes), so one process tops out at one core. Here the parent only reads the
log and deals its lines out to worker processes by client address: every line
of one visitor goes to the same worker, in log order, which is what visitor
ids across midnight (RecentVisitors) rely on. Each worker is an ordinary
collector with its own store connection and its own spool segments, as the
gunicorn workers of `vigie serve` are, and sends its counts back; the parent
adds them up for the progress line and the summary.

Workers are forked, not spawned: they start in milliseconds with the modules
already imported. The parent forks before it opens a collector of its own,
so no buffer thread or open batch is duplicated into the children.
"""
import datetime
import logging
import multiprocessing
import os
import queue
import zlib

from vigie.collector.access_log import ImportSummary, import_line

log = logging.getLogger(__name__)

CHUNK_LINES = 2000   # lines per message to a worker: few messages, little memory
QUEUED_CHUNKS = 4    # chunks waiting per worker: how far the reader may run ahead
POLL_SECONDS = 0.5   # how often a waiting parent checks that its workers are alive


class WorkerFailed(RuntimeError):
    """A worker process raised or died; the import is incomplete."""


class ReadStopped(Exception):
    """Reading the log failed part way; the lines read before it were imported."""

    def __init__(self, error, summary, unwritten):
        super().__init__(str(error))
        self.error, self.summary, self.unwritten = error, summary, unwritten


def client_key(line, log_format):
    """The client address of a log line (the vhost comes first in vhost_combined)."""
    parts = line.split(" ", 2)
    if log_format == "vhost_combined" and len(parts) > 1:
        return parts[1]
    return parts[0]


def worker_for(line, log_format, jobs):
    # crc32, not hash(): the deal must not depend on the interpreter's hash seed.
    return zlib.crc32(client_key(line, log_format).encode("utf-8", "surrogatepass")) % jobs


def _next_chunk(inbox, parent):
    """The next chunk, or None at the end or once the parent is gone (killed)."""
    while True:
        try:
            return inbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                log.error("import stopped: the importing process is gone")
                return None


def _work(number, inbox, outbox, open_collector, salt_lock, site, log_format, now, parent,
          file_key):
    """A worker's life: chunks of lines in, counts out, then its unwritten count."""
    try:
        with open_collector(salt_lock) as collector:
            try:
                while True:
                    chunk = _next_chunk(inbox, parent)
                    if chunk is None:
                        break
                    counts = ImportSummary()
                    for line_number, line in chunk:
                        import_line(collector, site, line, log_format, now, counts, file_key,
                                    line_number)
                    outbox.put(("counts", number, counts))
            finally:
                # Whatever was accepted is written (or stays spooled) even if a line broke us.
                unwritten = collector.close()
        outbox.put(("done", number, unwritten))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which stops the import
        log.exception("import worker %d failed", number)
        outbox.put(("failed", number, f"{type(exc).__name__}: {exc}"))


class _Workers:
    def __init__(self, jobs, open_collector, site, log_format, now, file_key):
        context = multiprocessing.get_context("fork")
        self.inboxes = [context.Queue(QUEUED_CHUNKS) for _ in range(jobs)]
        self.outbox = context.Queue()
        # Workers meeting a new day at the same moment must agree on its salt.
        salt_lock = context.Lock()
        self.processes = [
            context.Process(target=_work, name=f"vigie-import-{i}", daemon=True,
                            args=(i, self.inboxes[i], self.outbox, open_collector, salt_lock,
                                  site, log_format, now, os.getpid(), file_key))
            for i in range(jobs)]
        self.summary = ImportSummary()
        self.unwritten = 0
        self.finished = set()
        for process in self.processes:
            process.start()

    def receive(self, progress, wait):
        """Take the workers' messages: all that are there, or (wait) at least one."""
        while True:
            try:
                kind, number, value = self.outbox.get(timeout=POLL_SECONDS) if wait \
                    else self.outbox.get_nowait()
            except queue.Empty:
                self._check_alive()
                return
            wait = False
            if kind == "counts":
                self.summary.lines += value.lines
                self.summary.accepted += value.accepted
                for reason, count in value.skipped.items():
                    self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + count
                if progress is not None:
                    progress(self.summary)
            elif kind == "done":
                self.unwritten += value
                self.finished.add(number)
            else:
                raise WorkerFailed(f"import worker {number} failed: {value}")

    def _check_alive(self):
        for number, process in enumerate(self.processes):
            if number not in self.finished and not process.is_alive() \
                    and process.exitcode not in (None, 0):
                raise WorkerFailed(f"import worker {number} stopped (exit code "
                                   f"{process.exitcode})")

    def send(self, number, chunk, progress):
        while True:
            try:
                self.inboxes[number].put(chunk, timeout=POLL_SECONDS)
                return
            except queue.Full:
                self.receive(progress, wait=False)

    def finish(self, progress):
        while len(self.finished) < len(self.processes):
            self.receive(progress, wait=True)
        for process in self.processes:
            process.join()

    def stop(self):
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)


def import_in_parallel(open_collector, site, lines, log_format, jobs, progress=None, now=None,
                       read_errors=(), file_key=None):
    """Import `lines` with `jobs` worker processes; returns (ImportSummary, unwritten events).

    open_collector: a context manager factory, called in each worker with the
    lock the workers share for making daily salts, yielding a started Collector
    on the worker's own store connection that uses that lock.
    read_errors: exception types of reading `lines`; when one is raised, the
    lines read before it are still imported, then ReadStopped says so.
    A failing worker stops the import with WorkerFailed.
    file_key: see collector.access_log.import_line; lines are numbered here, as read.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    workers = _Workers(jobs, open_collector, site, log_format, now, file_key)
    try:
        chunks = [[] for _ in range(jobs)]
        read_error = None
        try:
            for line_number, line in enumerate(lines, 1):
                number = worker_for(line, log_format, jobs)
                chunk = chunks[number]
                chunk.append((line_number, line))
                if len(chunk) >= CHUNK_LINES:
                    workers.send(number, chunk, progress)
                    chunks[number] = []
                    workers.receive(progress, wait=False)
        except read_errors as exc:
            read_error = exc
        for number, chunk in enumerate(chunks):
            if chunk:
                workers.send(number, chunk, progress)
            workers.send(number, None, progress)
        workers.finish(progress)
    except BaseException:
        workers.stop()
        raise
    if read_error is not None:
        raise ReadStopped(read_error, workers.summary, workers.unwritten)
    return workers.summary, workers.unwritten
