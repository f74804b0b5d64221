"""Where visits start, from one visitor's event times: the 30-minute rule without pandas.

Goals, funnels and new-vs-returning need only the boundaries of a visitor's
visits, not their metrics, so they split sorted timestamps with the same rule
as analytics.visits.sessionize: a gap longer than the timeout starts a new
visit. Callers pass non-engagement events only (engagement never starts or
prolongs a visit, see docs/metrics.md).
"""
import datetime


def timeout_of(minutes):
    return datetime.timedelta(minutes=minutes)


def visit_numbers(timestamps, timeout):
    """For sorted timestamps, the 0-based visit number of each one."""
    numbers, current, previous = [], 0, None
    for ts in timestamps:
        if previous is not None and ts - previous > timeout:
            current += 1
        numbers.append(current)
        previous = ts
    return numbers


def visit_start_before(timestamps, moment, timeout):
    """The start of the visit in progress at `moment` (an event time itself).

    Walks back from `moment` over the sorted timestamps until a gap longer
    than the timeout; None when no timestamp is at or before `moment`.
    """
    earlier = [ts for ts in timestamps if ts <= moment]
    if not earlier:
        return None
    start = earlier[-1]
    for ts in reversed(earlier[:-1]):
        if start - ts > timeout:
            break
        start = ts
    return start
