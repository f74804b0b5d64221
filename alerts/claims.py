"""One scheduled alerts run per site and time slot, however many schedulers there are.

`vigie serve` may run several worker processes, on several hosts, each with
its own scheduler; without coordination each would open and send the same
alerts. ClickHouse has no locks, so a run first writes a claim for (site,
slot), waits `settle_seconds` for competing claims to land, and reads them
back: the earliest claim (ties broken by claimant) wins, and every claimant
reads the same answer. A claimant writing after that read comes later in time,
so it loses too. This assumes host clocks agree to within settle_seconds.
"""
import secrets
import time

from alerts.clock import utcnow


def slot_of(moment, interval_seconds):
    """The number of the time slot `moment` falls in (slots are interval_seconds long)."""
    return int(moment.timestamp() // interval_seconds)


def claim(store, site, slot, settle_seconds=1.0, sleep=time.sleep):
    """True when this process is the one to run `site`'s alerts in `slot`."""
    claimant = secrets.token_hex(8)
    store.insert("alert_run_claims", ["site", "slot", "claimant", "claimed_at"],
                 [(site, slot, claimant, utcnow())])
    sleep(settle_seconds)
    winner = store.query_value(
        "SELECT claimant FROM alert_run_claims WHERE site = %(site)s AND slot = %(slot)s "
        "ORDER BY claimed_at, claimant LIMIT 1", {"site": site, "slot": slot})
    return winner == claimant
