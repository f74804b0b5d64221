"""One scheduled run of each analytics job per time slot, however many `vigie serve` workers.

Every worker has a scheduler and polls each job; the job's interval cuts
wall-clock time into slots (slot n covers [n * interval, (n + 1) * interval)
seconds since the epoch), and the first worker to claim a slot runs it.
ClickHouse has no locks, so a claim works as in alerts.claims: write a claim
row, wait `settle_seconds` for competing claims to land, read them back; the
earliest claim (ties broken by claimant) wins and every claimant reads the
same answer. Host clocks must agree to within settle_seconds.

A claim holds a lease. The winner writes a `finished` row when its run
completes; a worker that dies mid-run never does, so once the lease has
passed, the next worker to poll in that slot claims it again (attempt 1, 2,
...). While any worker holds a live, unfinished lease on a job, no other
worker starts that job, in any slot: a long backfill is not doubled by the
next slot's run. The lease must therefore outlast the job's longest run;
should a run outlive it, a second run may start, which is wasteful but safe
(runs are idempotent, see analytics.jobs).
"""
import secrets
import time
from dataclasses import dataclass

_COLUMNS = ["job", "slot", "attempt", "claimant", "claimed_us", "lease_us", "finished_us"]


@dataclass(frozen=True)
class SlotClaim:
    """A slot this worker won: finish it when the run is done."""
    job: str
    slot: int
    attempt: int
    claimant: str
    claimed_us: int
    lease_us: int


def slot_of(moment, interval_seconds):
    """The number of the time slot `moment` falls in (slots are interval_seconds long)."""
    return int(moment.timestamp() // interval_seconds)


def _micros(moment):
    return int(moment.timestamp() * 1_000_000)


def _attempts(store, job, slot, live_since_us):
    """Per (slot, attempt) of the job, for this slot and every recent claim:
    (slot, attempt, winner, winner's lease end, finished)."""
    return store.query(
        "SELECT slot, attempt, argMin(claimant, (claimed_us, claimant)), "
        "argMin(lease_us, (claimed_us, claimant)), max(finished_us) FROM job_run_claims "
        "WHERE job = %(job)s AND (slot = %(slot)s OR claimed_us > %(since)s) "
        "GROUP BY slot, attempt",
        {"job": job, "slot": slot, "since": live_since_us})


def claim_slot(store, job, now, interval_seconds, lease_seconds, settle_seconds=1.0,
               sleep=time.sleep):
    """The SlotClaim of `job` for the slot `now` falls in if this worker is to run it, else None.

    None when the slot's run has finished, when a worker holds a live lease
    on the job, or when another worker's claim came first.
    """
    slot = slot_of(now, interval_seconds)
    now_us, lease = _micros(now), int(lease_seconds * 1_000_000)
    attempts = _attempts(store, job, slot, now_us - lease)
    for _slot, _attempt, _winner, lease_us, finished_us in attempts:
        if not finished_us and lease_us > now_us:
            return None  # running (or settling) on some worker
    in_slot = [row for row in attempts if row[0] == slot]
    if any(row[4] for row in in_slot):
        return None  # this slot's run is done
    attempt = max((row[1] for row in in_slot), default=-1) + 1
    mine = SlotClaim(job, slot, attempt, secrets.token_hex(8), now_us, now_us + lease)
    store.insert("job_run_claims", _COLUMNS, [(job, slot, attempt, mine.claimant, mine.claimed_us,
                                               mine.lease_us, 0)])
    sleep(settle_seconds)
    winner = store.query_value(
        "SELECT argMin(claimant, (claimed_us, claimant)) FROM job_run_claims "
        "WHERE job = %(job)s AND slot = %(slot)s AND attempt = %(attempt)s",
        {"job": job, "slot": slot, "attempt": attempt})
    return mine if winner == mine.claimant else None


def finish_slot(store, claim, now):
    """Record that the claimed run completed, so nobody runs the slot again."""
    store.insert("job_run_claims", _COLUMNS, [(claim.job, claim.slot, claim.attempt, claim.claimant,
                                               claim.claimed_us, claim.lease_us,
                                               max(_micros(now), 1))])
