"""The visit timeout, in the unit the SQL of funnels, goals and retention compares.

Those reports split a visitor's non-engagement events into visits in
ClickHouse with the rule of the sessions job, analytics.sessionize (a gap longer than the
timeout starts a new visit; engagement never starts or prolongs one, see
docs/metrics.md), on whole seconds since the epoch (`toUInt32(ts)`): cheaper
to move and compare than datetimes.
"""


def timeout_of(minutes):
    """The visit timeout in seconds."""
    return minutes * 60
