"""Saved segments as report filters: checked with the report rules when saved, merged when applied.

The storage and the access rules are vigie.warehouse.segments; this module
adds what the report filters know. A segment's filters are checked with
analytics.filters before they are stored, so a saved segment always applies.
Applied with explicit filters, a segment's filters and the explicit ones are
combined with AND; an explicit filter on a property the segment already
filters with another value is a conflict, refused with a message naming the
property (the same value twice adds nothing and is accepted).
"""
from vigie.analytics.filters import check_filters
from vigie.warehouse.segments import SegmentError, add_segment, update_segment


def checked_filters(filters):
    """The filters as stored in a segment; SegmentError naming the first bad one."""
    try:
        return check_filters(filters)
    except ValueError as exc:
        raise SegmentError(f"filters: {exc}") from None


def save_segment(store, site, owner, name, filters, visibility="private"):
    """Save `filters` (a report filter dict) as a new segment of `site` owned by `owner`."""
    return add_segment(store, site, owner, name, checked_filters(filters or {}), visibility)


def change_segment(store, site, segment_id, reader, name=None, filters=None, visibility=None):
    """Rename, refilter or share/unshare a segment (owner or admin; warehouse.segments decides)."""
    if filters is not None:
        filters = checked_filters(filters)
    return update_segment(store, site, segment_id, reader, name=name, filters=filters,
                          visibility=visibility)


class SegmentConflict(ValueError):
    """An explicit filter contradicts the segment's; `name` is the property, the message says
    what to remove."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


def combined_filters(segment, explicit):
    """The segment's filters AND the explicit ones; SegmentConflict naming the first explicit
    filter (by name) that gives a property the segment filters another value."""
    for name in sorted(explicit):
        if name in segment.filters and segment.filters[name] != explicit[name]:
            raise SegmentConflict(name, (
                f"the segment {segment.name!r} already filters {name} = {segment.filters[name]!r}; "
                f"remove the explicit {name} filter ({explicit[name]!r}) or the segment"))
    return {**segment.filters, **explicit}
