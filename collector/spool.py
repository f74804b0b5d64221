"""The on-disk spool: accepted events written ahead, before the 202.

Every accepted event is appended (one `write` system call) to the process's
open segment file before the collector answers, so a 202'd event survives a
kill -9 of the process; the file is fsynced every SYNC_SECONDS by a group
commit, so it also survives a machine crash, minus that window. A segment is
sealed at each flush and deleted only once ClickHouse confirmed its insert.

Several processes (gunicorn workers) share one spool directory without
fighting over it: each owns the segments named after it, and holds an
exclusive flock on its own `<owner>.lock` for as long as it lives. The kernel
drops that lock when the process dies, however it dies, so another process can
tell a dead owner's segments from a live one's, take them over with an atomic
rename, and replay them.

A segment is a header line (`{"columns": [...]}`) then one JSON array per
event. JSON, not pickle: whoever can write into the spool must not be able to
run code in Vigie.

A segment that cannot be read whole (a header that is missing or not JSON, a
line that does not decode: a full disk or a crash cut it) is moved aside into
`quarantine/` with its name kept, after its readable events were delivered, so
it never holds up the segments behind it and a person can still look at it.
"""
import contextlib
import datetime
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
import uuid
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
UTC = datetime.timezone.utc
QUARANTINE = "quarantine"
GUARD = "write.guard"  # not *.lock: those name owners
SEGMENT_RE = re.compile(r"^(\d{20})-([0-9]+-[0-9a-f]{8})-(\d{8})\.seg$")


class SpoolError(OSError):
    """The spool cannot take an event (disk full, permissions): it is not accepted."""


class UnreadableSegment(ValueError):
    """A segment whose header (or the file itself) cannot be read: none of its events can be."""


def spool_directory(spool_dir, store_url):
    """The sub-directory of spool_dir for one store.

    Named after the store's address without credentials, so two Vigies (or a
    test run and a demo) sharing a spool_dir never replay into each other's
    store, and a password change does not orphan what is spooled.
    """
    parts = urlsplit(store_url)
    where = f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}?{parts.query}"
    return os.path.join(spool_dir, "store-" + hashlib.sha256(where.encode()).hexdigest()[:16])


class RowCodec:
    """Rows of `columns` to JSON lines and back (UUIDs as text, datetimes as epoch seconds)."""

    def __init__(self, columns):
        self.columns = tuple(columns)
        # Positions known up front keep encode() cheap: it runs once per event, before the 202.
        self._uuids = [i for i, c in enumerate(self.columns) if c == "event_id"]
        self._times = [i for i, c in enumerate(self.columns) if c == "ts"]
        self._json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def encode(self, row):
        values = list(row)
        for i in self._uuids:
            values[i] = str(values[i])
        for i in self._times:
            values[i] = int(values[i].timestamp())
        return (self._json(values) + "\n").encode()

    def decoder(self, columns):
        """A function decoding one line written with `columns` (a segment's header)."""
        kinds = [("uuid" if c == "event_id" else "ts" if c == "ts" else None) for c in columns]

        def decode(line):
            values = json.loads(line)
            for i, kind in enumerate(kinds):
                if kind == "uuid":
                    values[i] = uuid.UUID(values[i])
                elif kind == "ts":
                    values[i] = datetime.datetime.fromtimestamp(values[i], UTC)
            return tuple(values)
        return decode


class Segment:
    """One spool file; appended by request threads, fsynced by the syncer, sealed by a flush."""

    def __init__(self, path, created, fd=None, rows=0):
        self.path = path
        self.created = created  # wall-clock seconds of its first event (from the file name)
        self.rows = rows
        self._fd = fd
        self._size = os.fstat(fd).st_size if fd is not None else 0
        self._dirty = False
        self._lock = threading.Lock()  # sync and seal only: appends never wait for an fsync

    def append(self, data):
        """Write one event; on failure the file is cut back so no half line remains."""
        try:
            written = os.write(self._fd, data)
            if written != len(data):
                raise OSError(f"short write ({written} of {len(data)} bytes)")
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass
            raise SpoolError(f"cannot append to spool segment {self.path}: {exc}") from exc
        self._size += len(data)
        self.rows += 1
        self._dirty = True

    def sync(self):
        with self._lock:
            if self._fd is not None and self._dirty:
                self._dirty = False
                os.fsync(self._fd)

    def seal_quietly(self):
        """Close without fsync, ignoring errors: for a segment about to be removed."""
        with self._lock:
            if self._fd is not None:
                try:
                    os.close(self._fd)
                except OSError:
                    pass
                self._fd = None

    def seal(self):
        """Fsync and close: from now on the segment only waits for its insert."""
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None


class Spool:
    """One process's view of a spool directory (see the module docstring)."""

    def __init__(self, directory, columns):
        self.directory = directory
        self.codec = RowCodec(columns)
        os.makedirs(directory, exist_ok=True)
        self.owner = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock_fd = os.open(self._lock_path(self.owner), os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._seq = 0
        self._header = json.dumps({"columns": list(self.codec.columns)}).encode() + b"\n"

    def _lock_path(self, owner):
        return os.path.join(self.directory, f"{owner}.lock")

    def _segment_name(self, created_ns, seq):
        return f"{created_ns:020d}-{self.owner}-{seq:08d}.seg"

    def open_segment(self):
        self._seq += 1
        created_ns = time.time_ns()
        path = os.path.join(self.directory, self._segment_name(created_ns, self._seq))
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_APPEND, 0o600)
        except OSError as exc:
            raise SpoolError(f"cannot create spool segment {path}: {exc}") from exc
        segment = Segment(path, created_ns / 1e9, fd)
        try:
            segment.append(self._header)
        except SpoolError:
            # A header-less file would be unreadable at replay: leave nothing behind.
            segment.seal_quietly()
            self.remove(segment)
            raise
        segment.rows = 0  # the header is not an event
        return segment

    def read(self, segment):
        """(columns, rows, bad_lines) of a sealed segment.

        bad_lines: how many event lines did not decode (a torn last line after
        a crash, or damage); the others are returned all the same. Raises
        UnreadableSegment when the file or its header cannot be read.
        """
        try:
            with open(segment.path, "rb") as f:
                lines = f.read().split(b"\n")
            columns = tuple(json.loads(lines[0])["columns"])
            decode = self.codec.decoder(columns)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnreadableSegment(f"spool segment {segment.path} has no readable header: "
                                    f"{exc}") from exc
        rows, bad = [], 0
        for line in lines[1:]:
            if not line:
                continue
            try:
                rows.append(decode(line))
            except (ValueError, KeyError, IndexError, TypeError, OverflowError):
                bad += 1
        return columns, rows, bad

    def quarantine(self, segment):
        """Move a segment into quarantine/ (same name); returns the new path, or None."""
        folder = os.path.join(self.directory, QUARANTINE)
        target = os.path.join(folder, os.path.basename(segment.path))
        try:
            os.makedirs(folder, exist_ok=True)
            os.rename(segment.path, target)
        except OSError as exc:
            log.error("spool: could not move %s into quarantine: %s", segment.path, exc)
            return None
        return target

    def quarantined_count(self):
        try:
            return sum(1 for name in os.listdir(os.path.join(self.directory, QUARANTINE))
                       if name.endswith(".seg"))
        except FileNotFoundError:
            return 0

    def remove(self, segment):
        try:
            os.unlink(segment.path)
        except FileNotFoundError:
            pass

    def claim_orphans(self):
        """Segments left by dead owners, renamed into this process's name; oldest first."""
        claimed = []
        for owner, names in sorted(self._segments_by_owner().items()):
            if owner == self.owner or not self._owner_is_dead(owner):
                continue
            for name in sorted(names):
                created_ns, _, _ = SEGMENT_RE.match(name).groups()
                self._seq += 1
                target = os.path.join(self.directory, self._segment_name(int(created_ns), self._seq))
                try:
                    os.rename(os.path.join(self.directory, name), target)
                except FileNotFoundError:
                    continue  # another process took it first
                segment = Segment(target, int(created_ns) / 1e9)
                segment.rows = self._count_rows(target)
                claimed.append(segment)
            for leftover in (self._lock_path(owner), self.metrics_path(owner)):
                try:
                    os.unlink(leftover)
                except FileNotFoundError:
                    pass
        claimed.sort(key=lambda s: os.path.basename(s.path))
        if claimed:
            log.warning("spool: took over %d segment(s) with %d event(s) left by a stopped process",
                        len(claimed), sum(s.rows for s in claimed))
        return claimed

    def _segments_by_owner(self):
        """Owner -> its segment names; owners known only by a lock file map to [] (cleaned up)."""
        owners = {}
        for name in os.listdir(self.directory):
            match = SEGMENT_RE.match(name)
            if match:
                owners.setdefault(match.group(2), []).append(name)
            elif name.endswith(".lock"):
                owners.setdefault(name[:-len(".lock")], [])
        return owners

    def _owner_is_dead(self, owner):
        try:
            fd = os.open(self._lock_path(owner), os.O_RDWR)
        except FileNotFoundError:
            return True  # closed cleanly (or never got further); its segments are free
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)  # also releases the probe lock
        return True

    @staticmethod
    def _count_rows(path):
        with open(path, "rb") as f:
            return max(f.read().count(b"\n") - 1, 0)

    @contextlib.contextmanager
    def write_guard(self, timeout):
        """Held while a batch is checked against the store and written (see SpooledBuffer).

        Every process sharing this spool takes it for such batches, so two
        copies of one event id in two workers' batches never both pass the
        check before either is written. TimeoutError after `timeout` seconds.
        """
        fd = os.open(os.path.join(self.directory, GUARD), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(f"another process held the spool's write guard for "
                                           f"{timeout:g}s") from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # releases the lock

    def metrics_path(self, owner=None):
        return os.path.join(self.directory, f"{owner or self.owner}.metrics.json")

    def live_metrics_paths(self):
        """Metrics snapshots of the processes sharing this spool that are still alive."""
        paths = []
        for name in os.listdir(self.directory):
            if name.endswith(".metrics.json"):
                owner = name[:-len(".metrics.json")]
                if owner == self.owner or not self._owner_is_dead(owner):
                    paths.append(os.path.join(self.directory, name))
        return paths

    def oldest_segment_age(self, now=None):
        """Seconds since the oldest event still in the spool (every process), 0 when empty."""
        stamps = [int(SEGMENT_RE.match(name).group(1)) for name in os.listdir(self.directory)
                  if SEGMENT_RE.match(name)]
        if not stamps:
            return 0.0
        return max((now or time.time()) - min(stamps) / 1e9, 0.0)

    def close(self):
        """Release the owner lock; segments still here are free for the next process to replay."""
        if self._lock_fd is not None:
            for path in (self._lock_path(self.owner), self.metrics_path()):
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            os.close(self._lock_fd)
            self._lock_fd = None
