"""One scheduled run per time slot, however many `vigie serve` workers.

Every worker (on every host) has a scheduler, so without coordination each
would run the same analytics job or send the same alerts. The job's interval
cuts wall-clock time into slots (slot n covers [n * interval, (n + 1) *
interval) seconds since the epoch). ClickHouse has no locks, so a run first
writes a claim row to `run_claims`, waits `settle_seconds` for competing
claims to land, and reads them back: the earliest claim (ties broken by
claimant) wins, and every claimant reads the same answer. A claimant writing
after that read comes later in time, so it loses too. Host clocks must agree
to within settle_seconds. Claim times are in microseconds: whole seconds
could not order two claims made in one second.

Two uses share that contest and the table:
- claim_sites: one claim per site (the alerts run, site by site). A slot is
  run by its winner or not at all; the next slot catches up.
- claim_slot / finish_slot: one claim for a job over every site (site '',
  the analytics jobs), holding a lease. The winner writes a `finished` row
  when its run completes; a worker that dies mid-run never does, so once the
  lease has passed the next worker to poll in that slot claims it again
  (attempt 1, 2, ...). While any worker holds a live, unfinished lease on a
  job, no other worker starts that job, in any slot: a long backfill is not
  doubled by the next slot's run. The lease must therefore outlast the job's
  longest run; should a run outlive it, a second run may start, which is
  wasteful but safe (runs are idempotent, see analytics.jobs).
"""
import datetime
import secrets
import time
from dataclasses import dataclass

_COLUMNS = ["job", "site", "slot", "attempt", "claimant", "claimed_us", "lease_us", "finished_us"]
EVERY_SITE = ""  # the site of a claim on a job that covers all sites


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


def _contest(store, job, sites, slot, attempt, claimant, claimed_us, lease_us, settle_seconds, sleep):
    """Claim (job, site, slot, attempt) for each site; the sites whose earliest claim is ours.

    One insert, one wait and one read, however many sites.
    """
    store.insert("run_claims", _COLUMNS, [(job, site, slot, attempt, claimant, claimed_us, lease_us, 0)
                                          for site in sites])
    sleep(settle_seconds)
    rows = store.query(
        "SELECT site, argMin(claimant, (claimed_us, claimant)) FROM run_claims "
        "WHERE job = %(job)s AND site IN %(sites)s AND slot = %(slot)s AND attempt = %(attempt)s "
        "GROUP BY site",
        {"job": job, "sites": tuple(sites), "slot": slot, "attempt": attempt})
    return {site for site, winner in rows if winner == claimant}


def claim_sites(store, job, sites, slot, settle_seconds=1.0, sleep=time.sleep):
    """The sites among `sites` whose run of `job` in `slot` this process is the one to do."""
    if not sites:
        return set()
    return _contest(store, job, sites, slot, 0, secrets.token_hex(8), time.time_ns() // 1000, 0,
                    settle_seconds, sleep)


def last_runs(store, job):
    """{site: when its latest run of `job` was claimed (UTC datetime)}; outcomes are in the log."""
    rows = store.query("SELECT site, max(claimed_us) FROM run_claims WHERE job = %(job)s GROUP BY site",
                       {"job": job})
    return {site: datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc).replace(microsecond=0)
            for site, us in rows}


def _attempts(store, job, slot, live_since_us):
    """Per (slot, attempt) of the job, for this slot and every recent claim:
    (slot, attempt, winner, winner's lease end, finished)."""
    return store.query(
        "SELECT slot, attempt, argMin(claimant, (claimed_us, claimant)), "
        "argMin(lease_us, (claimed_us, claimant)), max(finished_us) FROM run_claims "
        "WHERE job = %(job)s AND site = %(site)s AND (slot = %(slot)s OR claimed_us > %(since)s) "
        "GROUP BY slot, attempt",
        {"job": job, "site": EVERY_SITE, "slot": slot, "since": live_since_us})


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
    won = _contest(store, job, [EVERY_SITE], slot, attempt, mine.claimant, mine.claimed_us,
                   mine.lease_us, settle_seconds, sleep)
    return mine if won else None


def finish_slot(store, claim, now):
    """Record that the claimed run completed, so nobody runs the slot again."""
    store.insert("run_claims", _COLUMNS, [(claim.job, EVERY_SITE, claim.slot, claim.attempt,
                                           claim.claimant, claim.claimed_us, claim.lease_us,
                                           max(_micros(now), 1))])
