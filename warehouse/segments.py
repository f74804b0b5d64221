"""Saved segments: named filter sets of one site (table `segments`, migration 156).

A segment belongs to the account that saved it (its owner) and is either
private (seen and applied by its owner only) or shared (by every account that
may see the site, and by the site's API keys). Admins see and manage every
segment of the sites they administer, so a departed colleague's segments can
be tidied. Only the owner or an admin may rename, change, share or delete one.

Who may see or change a segment is decided here (`Reader`) so that the
dashboard and the Stats API check it the same way on the server. A segment
that a reader may not see is answered exactly like one that does not exist:
its id tells nothing. The filters are stored as given; callers check them
with the report filter rules first (vigie.analytics.segments does).
"""
import datetime
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

VISIBILITIES = ("private", "shared")
MAX_NAME_LENGTH = 80
MAX_PER_SITE = 100
MAX_FILTERS = 20
MAX_VALUE_LENGTH = 500
ID_RE = re.compile(r"^[0-9a-f]{16}$")
_COLUMNS = ["segment_id", "site", "name", "filters", "owner", "visibility", "created_at", "updated_at",
            "version", "deleted"]
_SELECT = ("SELECT segment_id, site, name, filters, owner, visibility, created_at, updated_at "
           "FROM segments FINAL WHERE deleted = 0")
UTC = datetime.timezone.utc


class SegmentError(ValueError):
    """A segment cannot be saved or changed as asked; the message says why."""


class SegmentNotFound(SegmentError):
    """No segment by that id that this reader may see."""


class SegmentRefused(SegmentError):
    """The reader may see the segment but not change it."""


@dataclass(frozen=True)
class Reader:
    """Who reads segments: a dashboard account (its email) or an API key (account '')."""
    account: str = ""
    is_admin: bool = False


@dataclass(frozen=True)
class Segment:
    segment_id: str
    site: str
    name: str
    filters: dict
    owner: str
    visibility: str   # private or shared
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @property
    def shared(self):
        return self.visibility == "shared"

    def visible_to(self, reader):
        return reader.is_admin or self.shared or (bool(reader.account) and self.owner == reader.account)

    def manageable_by(self, reader):
        return reader.is_admin or (bool(reader.account) and self.owner == reader.account)


def _now():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def _write(store, segment, deleted=0):
    store.insert("segments", _COLUMNS, [(
        segment.segment_id, segment.site, segment.name, json.dumps(segment.filters, sort_keys=True),
        segment.owner, segment.visibility, segment.created_at, segment.updated_at,
        time.time_ns() // 1000, deleted)])


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _segment(row):
    segment_id, site, name, filters, owner, visibility, created_at, updated_at = row
    return Segment(segment_id, site, name, json.loads(filters), owner, visibility,
                   _aware(created_at), _aware(updated_at))


def check_name(name):
    value = " ".join(str(name or "").split())
    if not value:
        raise SegmentError("name: a segment needs a name, e.g. Mobile visitors from search")
    if len(value) > MAX_NAME_LENGTH:
        raise SegmentError(f"name: at most {MAX_NAME_LENGTH} characters, not {len(value)}")
    return value


def check_visibility(visibility):
    if visibility not in VISIBILITIES:
        raise SegmentError(f"visibility: {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    return visibility


def check_filter_shape(filters):
    """The bounds of a stored filter set; the filter names and values are checked by the caller."""
    if not isinstance(filters, dict) or not filters:
        raise SegmentError("filters: a segment needs at least one filter")
    if len(filters) > MAX_FILTERS:
        raise SegmentError(f"filters: at most {MAX_FILTERS} in a segment, not {len(filters)}")
    for name, value in filters.items():
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            raise SegmentError(f"filters: the value of {name!r} is longer than {MAX_VALUE_LENGTH} characters")
    return dict(filters)


def _live(store, site):
    return [_segment(r) for r in store.query(_SELECT + " AND site = %(site)s ORDER BY name, segment_id",
                                             {"site": site})]


def _check_unique(segments, owner, name, segment_id=""):
    if any(s.owner == owner and s.name.lower() == name.lower() and s.segment_id != segment_id
           for s in segments):
        raise SegmentError(f"name: you already have a segment named {name!r} on this site")


def add_segment(store, site, owner, name, filters, visibility="private"):
    """Save a new segment of `site` (a domain the owner may see: the caller checked it)."""
    name, visibility = check_name(name), check_visibility(visibility)
    filters = check_filter_shape(filters)
    if not owner:
        raise SegmentError("owner: a segment is saved by a dashboard account")
    existing = _live(store, site)
    _check_unique(existing, owner, name)
    if len(existing) >= MAX_PER_SITE:
        raise SegmentError(f"a site holds at most {MAX_PER_SITE} segments; delete one first")
    now = _now()
    segment = Segment(secrets.token_hex(8), site, name, filters, owner, visibility, now, now)
    _write(store, segment)
    return segment


def site_segments(store, site, reader):
    """The segments of `site` this reader may see, by name."""
    return [s for s in _live(store, site) if s.visible_to(reader)]


def find_segment(store, site, segment_id, reader) -> Optional[Segment]:
    """The segment if it is one of `site`'s and the reader may see it, else None."""
    if not ID_RE.match(segment_id or ""):
        return None
    rows = store.query(_SELECT + " AND site = %(site)s AND segment_id = %(id)s",
                       {"site": site, "id": segment_id})
    segment = _segment(rows[0]) if rows else None
    return segment if segment is not None and segment.visible_to(reader) else None


def _manageable(store, site, segment_id, reader):
    segment = find_segment(store, site, segment_id, reader)
    if segment is None:
        raise SegmentNotFound(f"segment: site {site} has no segment {segment_id!r}")
    if not segment.manageable_by(reader):
        raise SegmentRefused(f"segment: only its owner ({segment.owner}) or an admin may change "
                             f"{segment.name!r}")
    return segment


def update_segment(store, site, segment_id, reader, name=None, filters=None, visibility=None):
    """Rename, refilter and/or share or unshare a segment; owner or admin only."""
    segment = _manageable(store, site, segment_id, reader)
    new_name = check_name(name) if name is not None else segment.name
    if new_name.lower() != segment.name.lower():
        _check_unique(_live(store, site), segment.owner, new_name, segment.segment_id)
    changed = Segment(
        segment.segment_id, site, new_name,
        check_filter_shape(filters) if filters is not None else segment.filters, segment.owner,
        check_visibility(visibility) if visibility is not None else segment.visibility,
        segment.created_at, _now())
    _write(store, changed)
    return changed


def delete_segment(store, site, segment_id, reader):
    """Delete a segment; owner or admin only. Links naming it then find no segment."""
    segment = _manageable(store, site, segment_id, reader)
    _write(store, segment, deleted=1)
    return segment
