"""Rate limits on the public event endpoint: token buckets per client address and per site.

The buckets live in each worker process's memory: no store query on the hot
path, and no shared state to fail. A client spread over N workers may so get
up to N times the limit, which is fine for what the limits are for: keeping
one runaway script, or a flood aimed at one site, from swamping the collector,
at levels ordinary traffic never reaches. Each bucket holds BURST_SECONDS of
its rate, so a burst (a page that fires several events at once) passes.
"""
import math
import threading
import time

BURST_SECONDS = 10


class TokenBuckets:
    """One bucket per key, refilled at `rate` tokens per second up to `burst`."""

    def __init__(self, rate, burst, max_keys=100_000):
        self.rate, self.burst, self.max_keys = float(rate), float(burst), max_keys
        self._buckets = {}  # key -> [tokens, monotonic time of the last refill]
        self._lock = threading.Lock()

    def take(self, key, now=None):
        """0 when the key may send one more event now, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = [self.burst, now]
            tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
            if tokens >= 1:
                bucket[0] = tokens - 1
                return 0.0
            bucket[0] = tokens
            return (1 - tokens) / self.rate

    def _forget_full(self, now):
        """Drop buckets that have refilled (they hold no information); all if none has."""
        full = [key for key, (tokens, last) in self._buckets.items()
                if tokens + (now - last) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if not full:
            self._buckets.clear()  # keys chosen by the sender must not grow memory without bound


class IngestLimits:
    """The collector's limits from settings; a rate of 0 turns that limit off."""

    def __init__(self, per_ip, per_site):
        self.per_ip, self.per_site = per_ip, per_site
        self._ips = TokenBuckets(per_ip, per_ip * BURST_SECONDS) if per_ip else None
        self._sites = TokenBuckets(per_site, per_site * BURST_SECONDS) if per_site else None

    def refuse_ip(self, ip):
        """None, or (reason, message, retry_after_seconds) when this address is over its limit."""
        if self._ips is None:
            return None
        wait = self._ips.take(ip)
        if not wait:
            return None
        return ("rate_limited_ip",
                f"too many events from this address: the limit is {self.per_ip:g} per second "
                f"(rate_limit_per_ip); retry in {_whole_seconds(wait)} s", _whole_seconds(wait))

    def refuse_site(self, domain):
        """None, or (reason, message, retry_after_seconds) when this site is over its limit."""
        if self._sites is None or not domain:
            return None
        wait = self._sites.take(domain)
        if not wait:
            return None
        return ("rate_limited_site",
                f"too many events for site '{domain}': the limit is {self.per_site:g} per second "
                f"(rate_limit_per_site); retry in {_whole_seconds(wait)} s", _whole_seconds(wait))


def _whole_seconds(wait):
    return max(1, math.ceil(wait))


def site_key(payload):
    """The domain an event names, normalised like validation does, for the site bucket."""
    domain = payload.get("domain") if isinstance(payload, dict) else None
    if not isinstance(domain, str):
        return ""
    domain = domain.strip().lower().rstrip(".")
    return domain[4:] if domain.startswith("www.") else domain
