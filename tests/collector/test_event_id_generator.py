"""Event ids drawn from the per-process generator."""
import os
import uuid

from vigie.collector.event_id_generator import EventIds


def test_ids_are_distinct_version_4_uuids():
    ids = EventIds()
    drawn = [ids() for _ in range(20000)]
    assert len(set(drawn)) == len(drawn)
    assert {i.version for i in drawn} == {4}
    assert {i.variant for i in drawn} == {uuid.RFC_4122}


def test_a_forked_child_draws_a_different_sequence():
    ids = EventIds()
    ids()  # seeded in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child sends its next id and leaves at once
        os.write(write, ids().bytes)
        os._exit(0)
    os.close(write)
    child = os.read(read, 16)
    os.waitpid(pid, 0)
    os.close(read)
    assert ids().bytes != child
