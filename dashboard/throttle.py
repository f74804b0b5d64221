"""Failed sign-ins per account: after a few wrong passwords, wait.

Kept in the process's memory: with several workers each counts on its own,
which still caps guessing at a few attempts per worker per window.
"""
import threading
import time


class LoginThrottle:
    def __init__(self, max_failures=5, window_seconds=15 * 60, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures = {}
        self._lock = threading.Lock()

    def _recent(self, key, now):
        times = [t for t in self._failures.get(key, ()) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def retry_after(self, key):
        """Seconds until `key` may try again; 0 when it may try now."""
        now = self.clock()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, key):
        now = self.clock()
        with self._lock:
            if len(self._failures) > 100_000:
                self._failures.clear()  # bound memory under a flood of made-up emails
            self._failures.setdefault(key, []).append(now)
            self._recent(key, now)

    def succeeded(self, key):
        with self._lock:
            self._failures.pop(key, None)
