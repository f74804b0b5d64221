"""Journeys from the hand-built day of journeys_day, on both backends (numbers worked by hand)."""
import pytest

from vigie.analytics.journeys import OTHER_PAGES, journeys
from tests.analytics.journeys_day import ONE_DAY, load_journeys_day


@pytest.fixture
def day(store):
    return load_journeys_day(store)


def node(step, page, visitors, drop_off):
    return {"step": step, "page": page, "visitors": visitors, "drop_off": drop_off}


def link(from_step, a, to_step, b, visitors):
    return {"from_step": from_step, "from": a, "to_step": to_step, "to": b, "visitors": visitors}


def test_from_every_entry_page(store, day):
    site, _, _ = day
    found = journeys(store, site, ONE_DAY, steps=3)
    assert (found["mode"], found["steps"]) == ("entry", 3)
    assert found["nodes"] == [
        # Visitors 1, 2 and 3 enter on /; visitor 1's second visit ends there.
        node(1, "/", 3, 1), node(1, "/blog", 1, 1), node(1, "/pricing", 1, 0),
        # Visitor 3's reload of / is no step: /blog is its second.
        node(2, "/pricing", 2, 1), node(2, "/blog", 1, 0), node(2, "/signup", 1, 0),
        # Visitors 3 and 5 go on after step 3 (no drop-off); visitor 1's first visit ends on /signup.
        node(3, "/pricing", 2, 0), node(3, "/signup", 1, 1),
    ]
    assert found["links"] == [
        link(1, "/", 2, "/pricing", 2), link(1, "/", 2, "/blog", 1), link(1, "/pricing", 2, "/signup", 1),
        link(2, "/blog", 3, "/pricing", 1), link(2, "/pricing", 3, "/signup", 1),
        link(2, "/signup", 3, "/pricing", 1),
    ]


def test_visitor_5_views_signup_again_later_and_only_visits_with_pageviews_count(store, day):
    site, _, _ = day
    found = journeys(store, site, ONE_DAY, steps=4)
    # Visitor 3 (/ /blog /pricing /signup) and visitor 5 (/pricing /signup /pricing /signup).
    assert [n for n in found["nodes"] if n["step"] == 4] == [node(4, "/signup", 2, 2)]
    # Visitor 6 sent an event and viewed nothing: no entry of its own.
    assert sum(n["visitors"] for n in found["nodes"] if n["step"] == 1) == 5


def test_the_rest_of_a_step_is_one_node(store, day):
    site, _, _ = day
    found = journeys(store, site, ONE_DAY, steps=3, pages=1)
    assert found["nodes"] == [
        node(1, "/", 3, 1), node(1, OTHER_PAGES, 2, 1),
        node(2, "/pricing", 2, 1), node(2, OTHER_PAGES, 2, 0),
        node(3, "/pricing", 2, 0), node(3, OTHER_PAGES, 1, 1),
    ]
    assert found["links"] == [
        link(1, "/", 2, "/pricing", 2), link(1, "/", 2, OTHER_PAGES, 1),
        link(1, OTHER_PAGES, 2, OTHER_PAGES, 1),
        # /blog -> /pricing (visitor 3) and /signup -> /pricing (visitor 5) are one link.
        link(2, OTHER_PAGES, 3, "/pricing", 2), link(2, "/pricing", 3, OTHER_PAGES, 1),
    ]


def test_from_one_entry_page_with_a_filter(store, day):
    site, _, _ = day
    assert journeys(store, site, ONE_DAY, steps=3, entry_page="/")["nodes"] == [
        node(1, "/", 3, 1), node(2, "/pricing", 2, 1), node(2, "/blog", 1, 0),
        node(3, "/pricing", 1, 0), node(3, "/signup", 1, 1)]  # visitor 5 entered on /pricing
    mobile = journeys(store, site, ONE_DAY, steps=2, filters={"device": "mobile"})
    assert mobile["nodes"] == [node(1, "/", 1, 0), node(1, "/pricing", 1, 0),
                               node(2, "/pricing", 1, 1), node(2, "/signup", 1, 0)]


def test_to_a_page_goal(store, day):
    site, signup, _ = day
    found = journeys(store, site, ONE_DAY, steps=3, goal_id=signup)
    assert found["mode"] == "goal"
    assert found["nodes"] == [
        # Steps count back from the first completion: visitor 5's later /signup is not one.
        node(1, "/signup", 3, 0),
        # Visitor 5's visit began on /pricing: its path stops there.
        node(2, "/pricing", 3, 1),
        node(3, "/", 1, 1), node(3, "/blog", 1, 0),
    ]
    # In time order: from the earlier step to the later one.
    assert found["links"] == [link(2, "/pricing", 1, "/signup", 3),
                              link(3, "/", 2, "/pricing", 1), link(3, "/blog", 2, "/pricing", 1)]
    desktop = journeys(store, site, ONE_DAY, steps=2, goal_id=signup, filters={"device": "desktop"})
    assert desktop["nodes"] == [node(1, "/signup", 2, 0), node(2, "/pricing", 2, 0)]


def test_to_an_event_goal(store, day):
    site, _, trial = day
    found = journeys(store, site, ONE_DAY, steps=2, goal_id=trial)
    # Step 1 is the page the event was sent from; visitor 6 viewed no page before it.
    assert found["nodes"] == [node(1, "/pricing", 1, 0), node(1, "/signup", 1, 0),
                              node(2, "/", 1, 1), node(2, "/pricing", 1, 1)]
    assert found["links"] == [link(2, "/", 1, "/pricing", 1), link(2, "/pricing", 1, "/signup", 1)]


def test_a_shorter_timeout_splits_the_visits_before_a_goal(store, day):
    site, signup, _ = day
    # With a timeout of zero every pageview is a visit: the path is the goal page alone.
    found = journeys(store, site, ONE_DAY, steps=2, goal_id=signup, timeout_minutes=0)
    assert found["nodes"] == [node(1, "/signup", 3, 3)]


def test_compared_with_the_previous_day(store, day):
    site, _, _ = day
    found = journeys(store, site, ONE_DAY, steps=2, compare="previous_period")
    by_node = {(n["step"], n["page"]): (n["visitors"], n["previous"], n["change"]) for n in found["nodes"]}
    # Visitor 9 went / then /pricing the day before.
    assert by_node[(1, "/")] == (3, 1, 200.0)
    assert by_node[(2, "/pricing")] == (2, 1, 100.0)
    assert by_node[(1, "/blog")] == (1, 0, None)


@pytest.mark.parametrize("arguments, message", [
    ({"steps": 1}, "steps must be a whole number from 2 to 10"),
    ({"steps": 11}, "steps must be a whole number from 2 to 10"),
    ({"pages": 0}, "pages must be a whole number from 1 to 30"),
    ({"entry_page": "/", "goal_id": "x"}, "an entry page or leads to a goal, not both"),
    ({"goal_id": "nope"}, "has no goal 'nope'"),
    ({"filters": {"colour": "red"}}, "unknown filter 'colour'"),
])
def test_bad_arguments_are_named(store, day, arguments, message):
    site, _, _ = day
    with pytest.raises(ValueError, match=message):
        journeys(store, site, ONE_DAY, **arguments)
