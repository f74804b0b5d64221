"""Report filters: a dict of name -> value, combined with AND, applied to visits.

Every filter is a condition on a row of `sessions` (a visit), so a filter
keeps or drops whole visits: `page=/pricing` keeps the visits that viewed
/pricing (all their pages, entry page included), `goal=g-signup` those that
reached the goal, `prop:plan=pro` those with an event carrying plan=pro.
Values are bound as parameters, never formatted into SQL; names come from the
fixed table below, and an unknown one is a ValueError that names it.
"""
from vigie.analytics.rollups import DIMENSIONS

PROP_PREFIX = "prop:"

# Filter name -> SQL expression of a sessions row compared with the value.
_EQUALS = dict(DIMENSIONS)
_EQUALS.update({
    "entry_page": "entry_page", "exit_page": "exit_page", "customer_id": "customer_id",
    "hostname": "hostname",
})
# Filter name -> array column of a sessions row that must contain the value.
_CONTAINS = {"page": "pages", "goal": "goals", "event": "event_names"}

FILTER_NAMES = tuple(sorted(list(_EQUALS) + list(_CONTAINS))) + (PROP_PREFIX + "KEY",)


def check_filters(filters):
    """The filters as a dict of str -> str; ValueError naming the first bad one."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise ValueError("filters must be a mapping of filter name to value")
    for name, value in filters.items():
        if not isinstance(name, str) or not (
                name in _EQUALS or name in _CONTAINS
                or (name.startswith(PROP_PREFIX) and len(name) > len(PROP_PREFIX))):
            raise ValueError(f"unknown filter {name!r}: use one of {', '.join(FILTER_NAMES)}")
        if not isinstance(value, str):
            raise ValueError(f"filter {name!r} needs a text value, not {type(value).__name__}")
    return dict(filters)


def filter_sql(filters, prefix="f"):
    """(' AND cond AND cond' or '', params) for the filters over a sessions row."""
    conditions, params = [], {}
    for i, (name, value) in enumerate(sorted(check_filters(filters).items())):
        key = f"{prefix}{i}"
        if name in _EQUALS:
            conditions.append(f"{_EQUALS[name]} = %({key})s")
            params[key] = value
        elif name in _CONTAINS:
            conditions.append(f"has({_CONTAINS[name]}, %({key})s)")
            params[key] = value
        else:
            conditions.append(f"has(props, %({key})s)")
            params[key] = f"{name[len(PROP_PREFIX):]}={value}"
    return "".join(f" AND {c}" for c in conditions), params
