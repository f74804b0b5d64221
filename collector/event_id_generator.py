"""Event ids: random version-4 UUIDs without a system call per event.

uuid.uuid4() reads os.urandom for every id, a system call per accepted event.
An id only has to be unique (a replayed spool batch is recognised by its ids),
not unpredictable, so each process draws them from its own generator seeded
from os.urandom, and reseeds it after a fork so worker processes never share
a sequence.

Some events have an identity of their own: an API client's idempotency key,
an access-log file's line. Their ids are derived from it (a version-5 UUID of
where it came from), so the same event sent twice has one id, and the write
buffer keeps only one copy (collector/spooled_buffer.py).
"""
import os
import random
import threading
import uuid


class EventIds:
    def __init__(self):
        self._pid = None
        self._lock = threading.Lock()
        self._random = random.Random()

    def __call__(self):
        with self._lock:
            if self._pid != os.getpid():
                self._random.seed(os.urandom(32))
                self._pid = os.getpid()
            bits = self._random.getrandbits(128)
        return uuid.UUID(int=bits, version=4)


new_event_id = EventIds()


# Fixed for ever: changing it would give every derived id a new value.
DERIVED_NAMESPACE = uuid.UUID("ec6d081c-3a68-425b-bdaa-d435053a7d56")


def derived_event_id(kind, site, *identity):
    """The event id of an event known by `identity` (strings) within `site`."""
    return uuid.uuid5(DERIVED_NAMESPACE, "\x1f".join((kind, site) + tuple(identity)))
