"""Where visits split, from one visitor's event times: the 30-minute rule without pandas.

Funnels and new-vs-returning need only the boundaries of a visitor's
visits, not their metrics, so they split sorted timestamps with the same rule
as the sessions job (analytics.sessionize): a gap longer than the timeout starts a new
visit. Callers pass non-engagement events only (engagement never starts or
prolongs a visit, see docs/metrics.md). Times are whole seconds since the
epoch (`toUInt32(ts)` in SQL): cheaper to move and compare than datetimes.
"""


def timeout_of(minutes):
    """The visit timeout in seconds."""
    return minutes * 60


def visit_numbers(timestamps, timeout):
    """For sorted epoch seconds, the 0-based visit number of each one."""
    numbers, current, previous = [], 0, None
    for ts in timestamps:
        if previous is not None and ts - previous > timeout:
            current += 1
        numbers.append(current)
        previous = ts
    return numbers

