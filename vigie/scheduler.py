"""A small in-process scheduler for periodic jobs (salt rotation, later batch jobs).

Jobs run one at a time on a daemon thread; a failing job is logged with its
name and retried at its next interval, never taking the server down.
"""
import logging
import threading
import time

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self):
        self._jobs = []  # [name, interval_seconds, fn, next_run]
        self._stop = threading.Event()
        self._thread = None

    def every(self, seconds, name, fn, run_now=False):
        """Run fn() every `seconds`; first run at once when run_now."""
        first = time.monotonic() if run_now else time.monotonic() + seconds
        self._jobs.append([name, float(seconds), fn, first])

    @property
    def job_names(self):
        return [job[0] for job in self._jobs]

    def run_pending(self, now=None):
        now = time.monotonic() if now is None else now
        for job in self._jobs:
            name, interval, fn, next_run = job
            if now >= next_run:
                job[3] = now + interval
                try:
                    fn()
                except Exception:
                    log.exception("scheduled job %r failed; next try in %.0fs", name, interval)

    def start(self, tick=0.5):
        if self._thread is not None:
            return
        self._stop.clear()

        def loop():
            while not self._stop.wait(tick):
                self.run_pending()
        self._thread = threading.Thread(target=loop, name="vigie-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout=5.0):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
