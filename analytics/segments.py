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


def segment_conflicts(segment_filters, explicit):
    """The names of the explicit filters that contradict the segment's, sorted."""
    return sorted(name for name, value in explicit.items()
                  if name in segment_filters and segment_filters[name] != value)


def conflict_message(segment, explicit):
    """The sentence naming the first explicit filter that contradicts the segment."""
    name = segment_conflicts(segment.filters, explicit)[0]
    return (f"the segment {segment.name!r} already filters {name} = {segment.filters[name]!r}; "
            f"remove the explicit {name} filter ({explicit[name]!r}) or the segment")


def combined_filters(segment, explicit):
    """The segment's filters AND the explicit ones; ValueError naming a conflicting property."""
    if segment_conflicts(segment.filters, explicit):
        raise ValueError(conflict_message(segment, explicit))
    return {**segment.filters, **explicit}
