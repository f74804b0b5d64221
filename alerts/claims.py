"""One scheduled alerts run per site and time slot, however many schedulers there are.

`vigie serve` may run several worker processes, on several hosts, each with
its own scheduler; without coordination each would open and send the same
alerts. ClickHouse has no locks, so a run first writes a claim for (site,
slot), waits `settle_seconds` for competing claims to land, and reads them
back: the earliest claim (ties broken by claimant) wins, and every claimant
reads the same answer. A claimant writing after that read comes later in time,
so it loses too. This assumes host clocks agree to within settle_seconds.
"""
import datetime
import secrets
import time


def slot_of(moment, interval_seconds):
    """The number of the time slot `moment` falls in (slots are interval_seconds long)."""
    return int(moment.timestamp() // interval_seconds)


def claim(store, sites, slot, settle_seconds=1.0, sleep=time.sleep):
    """The sites among `sites` whose alerts this process is the one to run in `slot`.

    One insert, one wait and one read for all the sites, however many.
    """
    if not sites:
        return set()
    claimant = secrets.token_hex(8)
    claimed_us = time.time_ns() // 1000
    store.insert("alert_run_claims", ["site", "slot", "claimant", "claimed_us"],
                 [(site, slot, claimant, claimed_us) for site in sites])
    sleep(settle_seconds)
    rows = store.query(
        "SELECT site, argMin(claimant, (claimed_us, claimant)) FROM alert_run_claims "
        "WHERE slot = %(slot)s AND site IN %(sites)s GROUP BY site",
        {"slot": slot, "sites": tuple(sites)})
    return {site for site, winner in rows if winner == claimant}


def last_runs(store):
    """{site: when its latest alerts run was claimed (UTC datetime)}; outcomes are in the log."""
    rows = store.query("SELECT site, max(claimed_us) FROM alert_run_claims GROUP BY site")
    return {site: datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc).replace(microsecond=0)
            for site, us in rows}
