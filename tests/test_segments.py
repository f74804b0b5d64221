"""Saved segments on both backends: storage, bounds, and who may see and change them."""
import datetime
import json

import pytest

from vigie.analytics.segments import change_segment, combined_filters, save_segment
from vigie.warehouse.segments import (MAX_NAME_LENGTH, MAX_PER_SITE, Reader, SegmentError, SegmentNotFound,
                                      SegmentRefused, delete_segment, find_segment, site_segments)

SITE = "shop.example"
MIA, LEO = Reader("mia@shop.example"), Reader("leo@shop.example")
ADMIN, KEY = Reader("root@shop.example", is_admin=True), Reader("")
MOBILE_SEARCH = {"device": "Mobile", "channel": "Organic Search"}


def test_a_saved_segment_is_read_back_with_its_filters(store):
    saved = save_segment(store, SITE, MIA.account, "  Mobile   from search ", MOBILE_SEARCH, "shared")
    found = find_segment(store, SITE, saved.segment_id, MIA)
    assert (found.name, found.filters, found.owner, found.visibility) == (
        "Mobile from search", MOBILE_SEARCH, MIA.account, "shared")
    assert found.created_at == saved.created_at and found.created_at.tzinfo is not None
    assert find_segment(store, "other.example", saved.segment_id, ADMIN) is None


def test_bad_filters_are_refused_naming_the_filter(store):
    with pytest.raises(SegmentError, match="unknown filter 'colour'"):
        save_segment(store, SITE, MIA.account, "Red", {"colour": "red"})
    with pytest.raises(SegmentError, match="'device' needs a text value"):
        save_segment(store, SITE, MIA.account, "Odd", {"device": 3})
    with pytest.raises(SegmentError, match="at least one filter"):
        save_segment(store, SITE, MIA.account, "Empty", {})
    with pytest.raises(SegmentError, match="visibility"):
        save_segment(store, SITE, MIA.account, "Team", MOBILE_SEARCH, "public")
    assert site_segments(store, SITE, ADMIN) == []


def test_names_are_bounded_and_unique_per_owner_and_site(store):
    with pytest.raises(SegmentError, match="needs a name"):
        save_segment(store, SITE, MIA.account, "  ", MOBILE_SEARCH)
    with pytest.raises(SegmentError, match=f"at most {MAX_NAME_LENGTH} characters"):
        save_segment(store, SITE, MIA.account, "x" * (MAX_NAME_LENGTH + 1), MOBILE_SEARCH)
    save_segment(store, SITE, MIA.account, "Mobile", MOBILE_SEARCH)
    with pytest.raises(SegmentError, match="already have a segment named 'mobile'"):
        save_segment(store, SITE, MIA.account, "mobile", {"device": "Mobile"})
    # Another owner, or another site, may use the same name.
    save_segment(store, SITE, LEO.account, "Mobile", MOBILE_SEARCH)
    save_segment(store, "other.example", MIA.account, "Mobile", MOBILE_SEARCH)
    assert len(site_segments(store, SITE, ADMIN)) == 2


def test_a_site_holds_a_bounded_number_of_segments(store):
    # Written in one insert, as MAX_PER_SITE saves would be; the bound is what is tested.
    now = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    store.insert("segments", ["segment_id", "site", "name", "filters", "owner", "visibility", "created_at",
                              "updated_at", "version", "deleted"],
                 [(f"{i:016x}", SITE, f"s{i}", json.dumps({"page": f"/p{i}"}), MIA.account, "private",
                   now, now, 1, 0) for i in range(MAX_PER_SITE)])
    with pytest.raises(SegmentError, match=f"at most {MAX_PER_SITE} segments"):
        save_segment(store, SITE, LEO.account, "one more", {"page": "/more"})


def test_private_segments_are_their_owners_shared_ones_everyones(store):
    mine = save_segment(store, SITE, MIA.account, "Mine", {"device": "Mobile"})
    ours = save_segment(store, SITE, MIA.account, "Ours", {"device": "Desktop"}, "shared")
    assert [s.name for s in site_segments(store, SITE, MIA)] == ["Mine", "Ours"]
    assert [s.name for s in site_segments(store, SITE, LEO)] == ["Ours"]
    assert [s.name for s in site_segments(store, SITE, KEY)] == ["Ours"]
    assert [s.name for s in site_segments(store, SITE, ADMIN)] == ["Mine", "Ours"]
    assert find_segment(store, SITE, mine.segment_id, LEO) is None
    assert find_segment(store, SITE, mine.segment_id, KEY) is None
    assert find_segment(store, SITE, ours.segment_id, LEO).name == "Ours"
    assert find_segment(store, SITE, "not-an-id", MIA) is None


def test_only_the_owner_or_an_admin_changes_a_segment(store):
    ours = save_segment(store, SITE, MIA.account, "Ours", {"device": "Desktop"}, "shared")
    mine = save_segment(store, SITE, MIA.account, "Mine", {"device": "Mobile"})
    with pytest.raises(SegmentRefused, match="only its owner"):
        change_segment(store, SITE, ours.segment_id, LEO, name="Leo's now")
    with pytest.raises(SegmentRefused):
        delete_segment(store, SITE, ours.segment_id, LEO)
    # Another account's private segment is not found rather than refused: nothing leaks.
    with pytest.raises(SegmentNotFound):
        delete_segment(store, SITE, mine.segment_id, LEO)
    renamed = change_segment(store, SITE, ours.segment_id, MIA, name="Desktop team",
                             filters={"device": "Desktop", "country": "FR"}, visibility="private")
    assert (renamed.name, renamed.filters, renamed.visibility) == (
        "Desktop team", {"device": "Desktop", "country": "FR"}, "private")
    assert find_segment(store, SITE, ours.segment_id, LEO) is None
    with pytest.raises(SegmentError, match="unknown filter 'colour'"):
        change_segment(store, SITE, ours.segment_id, MIA, filters={"colour": "red"})
    with pytest.raises(SegmentError, match="already have a segment named 'Mine'"):
        change_segment(store, SITE, ours.segment_id, MIA, name="Mine")
    change_segment(store, SITE, mine.segment_id, ADMIN, visibility="shared")
    delete_segment(store, SITE, ours.segment_id, ADMIN)
    assert [(s.name, s.visibility) for s in site_segments(store, SITE, ADMIN)] == [("Mine", "shared")]


def test_explicit_filters_combine_with_a_segment_unless_they_contradict_it(store):
    segment = save_segment(store, SITE, MIA.account, "Mobile search", MOBILE_SEARCH)
    assert combined_filters(segment, {"country": "FR", "device": "Mobile"}) == {
        **MOBILE_SEARCH, "country": "FR"}
    with pytest.raises(ValueError, match="already filters device = 'Mobile'.*'Desktop'"):
        combined_filters(segment, {"device": "Desktop"})
