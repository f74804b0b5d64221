"""Failed sign-ins per account: after a few wrong passwords, wait.

Kept in the process's memory: with several workers each counts on its own,
which still caps guessing at a few attempts per worker per window.

Memory stays bounded under a flood of made-up emails: accounts still below
the limit are kept in least-recently-failed order and the oldest are let go
past `max_tracked`. A locked account is never let go before its lock ends:
locks live apart from that eviction, and their number is bounded by the
failed sign-ins (each one a full password check) that one window can hold.
"""
import collections
import threading
import time


class LoginThrottle:
    def __init__(self, max_failures=5, window_seconds=15 * 60, clock=time.monotonic,
                 max_tracked=100_000):
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self.max_tracked = max_tracked
        self._counting = collections.OrderedDict()  # key -> failure times, below the limit
        self._locked = {}                           # key -> failure times, at the limit
        self._sweep_at = 1024  # expired locks are dropped whenever this many have built up
        self._lock = threading.Lock()

    def _recent(self, key, now, failing=False):
        """key's failure times within the window (plus one now when failing); files the key
        under counting or locked accordingly."""
        times = self._locked.get(key)
        if times is None:
            times = self._counting.get(key, ())
        times = [t for t in times if now - t < self.window] + ([now] if failing else [])
        self._locked.pop(key, None)
        self._counting.pop(key, None)
        if len(times) >= self.max_failures:
            self._locked[key] = times
        elif times:
            self._counting[key] = times  # the most recently touched go last
        return times

    def retry_after(self, key):
        """Seconds until `key` may try again; 0 when it may try now."""
        now = self.clock()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[-self.max_failures] + self.window - now) + 1)

    def failed(self, key):
        now = self.clock()
        with self._lock:
            self._recent(key, now, failing=True)
            while len(self._counting) > self.max_tracked:
                self._counting.popitem(last=False)  # the account that failed longest ago
            if len(self._locked) >= self._sweep_at:
                self._sweep(now)

    def _sweep(self, now):
        for key in [k for k, times in self._locked.items() if now - times[-self.max_failures]
                    >= self.window]:
            self._recent(key, now)
        self._sweep_at = max(1024, 2 * len(self._locked))

    def succeeded(self, key):
        with self._lock:
            self._counting.pop(key, None)
            self._locked.pop(key, None)

    def tracked(self):
        """How many accounts are remembered (counting and locked)."""
        with self._lock:
            return len(self._counting) + len(self._locked)
