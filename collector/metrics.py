"""Collector metrics in the Prometheus text exposition format (version 0.0.4).

Written by hand rather than with prometheus_client: the figures are a dozen
counters and one histogram, and gunicorn runs several worker processes that
each count their own events. Every process writes a snapshot of its figures
into the spool directory once a second; GET /metrics, whichever worker answers
it, sums the snapshots of the live workers (a worker that exits takes its
counts with it, which Prometheus' rate() reads as a counter reset).
"""
import json
import os
import threading

INSERT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

COUNTERS = (
    ("events_flushed", "Events written to ClickHouse (fresh batches and replays)."),
    ("events_spooled", "Events whose first insert failed or timed out and were left to the spool."),
    ("events_replayed", "Events written to ClickHouse from the spool by a retry or a replay."),
    ("replay_duplicates_skipped", "Spooled events found already stored at replay, not written again."),
    ("duplicates_skipped", "Events sent again with the same event id or import line (a client's "
                           "retry, a re-run import), found already stored and not written again."),
    ("insert_failures", "Inserts into ClickHouse that failed or timed out."),
    ("spool_segments_quarantined", "Spool segments moved aside into quarantine/ because a "
                                    "header or line could not be read (readable events written)."),
)


class CollectorMetrics:
    """This process's counters and insert-latency histogram; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counters = {name: 0 for name, _ in COUNTERS}
        self._buckets = [0] * len(INSERT_BUCKETS)
        self._sum = 0.0
        self._count = 0

    def add(self, name, amount):
        with self._lock:
            self._counters[name] += amount

    def observe_insert(self, seconds):
        with self._lock:
            for i, bound in enumerate(INSERT_BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1
            self._sum += seconds
            self._count += 1

    def snapshot(self, outcomes, buffered, spooled):
        """A JSON-ready dict of everything this process counts.

        outcomes: the collector's counts by reason (accepted, bot, ...).
        """
        with self._lock:
            return {"counters": dict(self._counters), "outcomes": dict(outcomes),
                    "insert_buckets": list(self._buckets), "insert_sum": self._sum,
                    "insert_count": self._count, "buffered": buffered, "spooled": spooled}


def write_snapshot(path, snapshot):
    """Atomically replace this process's snapshot file (readers never see half a file)."""
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        json.dump(snapshot, f)
    os.replace(temporary, path)


def read_snapshots(paths):
    snapshots = []
    for path in paths:
        try:
            with open(path) as f:
                snapshots.append(json.load(f))
        except (OSError, ValueError):
            continue  # a worker that just exited, or is replacing its file
    return snapshots


def merge(snapshots):
    """Sum the snapshots of several processes."""
    total = {"counters": {name: 0 for name, _ in COUNTERS}, "outcomes": {},
             "insert_buckets": [0] * len(INSERT_BUCKETS), "insert_sum": 0.0, "insert_count": 0,
             "buffered": 0, "spooled": 0}
    for snap in snapshots:
        for name, value in snap.get("counters", {}).items():
            total["counters"][name] = total["counters"].get(name, 0) + value
        for reason, value in snap.get("outcomes", {}).items():
            total["outcomes"][reason] = total["outcomes"].get(reason, 0) + value
        buckets = snap.get("insert_buckets", [])
        if len(buckets) == len(INSERT_BUCKETS):
            total["insert_buckets"] = [a + b for a, b in zip(total["insert_buckets"], buckets)]
        for key in ("insert_sum", "insert_count", "buffered", "spooled"):
            total[key] += snap.get(key, 0)
    return total


def _label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    return repr(float(value)) if isinstance(value, float) else str(value)


def render(total, workers, oldest_spooled_seconds, quarantined_segments=0):
    """The exposition text for merged figures."""
    lines = []

    def metric(name, kind, help_text, samples):
        lines.append(f"# HELP vigie_{name} {help_text}")
        lines.append(f"# TYPE vigie_{name} {kind}")
        for suffix, labels, value in samples:
            label_text = ("{" + ",".join(f'{k}="{_label(v)}"' for k, v in labels) + "}") if labels else ""
            lines.append(f"vigie_{name}{suffix}{label_text} {_number(value)}")

    outcomes = total["outcomes"]
    metric("events_accepted_total", "counter", "Events accepted with a 202 and stored or to be stored.",
           [("", (), outcomes.get("accepted", 0))])
    metric("events_dropped_total", "counter",
           "Events not stored, by reason (bad_request, unknown_site, bot, rate_limited_ip, ...).",
           [("", (("reason", reason),), n) for reason, n in sorted(outcomes.items())
            if reason != "accepted"])
    for name, help_text in COUNTERS:
        metric(f"{name}_total", "counter", help_text, [("", (), total["counters"].get(name, 0))])
    buckets = []  # observe_insert already counts each bucket cumulatively
    for bound, count in zip(INSERT_BUCKETS, total["insert_buckets"]):
        buckets.append(("_bucket", (("le", repr(bound)),), count))
    buckets.append(("_bucket", (("le", "+Inf"),), total["insert_count"]))
    buckets.append(("_sum", (), total["insert_sum"]))
    buckets.append(("_count", (), total["insert_count"]))
    metric("insert_duration_seconds", "histogram",
           "Time to write one batch to ClickHouse (successful inserts).", buckets)
    metric("buffer_events", "gauge", "Events accepted and not yet confirmed in ClickHouse.",
           [("", (), total["buffered"])])
    metric("spool_events", "gauge", "Events in sealed spool segments waiting for their insert.",
           [("", (), total["spooled"])])
    metric("spool_oldest_age_seconds", "gauge",
           "Age of the oldest event or vitals report in the spool directories, 0 when they are empty.",
           [("", (), round(oldest_spooled_seconds, 3))])
    metric("spool_quarantined_segments", "gauge",
           "Segment files in the spool's quarantine/ folder (unreadable or cut short).",
           [("", (), quarantined_segments)])
    metric("workers", "gauge", "Collector processes whose figures are summed here.",
           [("", (), workers)])
    return "\n".join(lines) + "\n"
