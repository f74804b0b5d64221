"""Country codes as readers and the world map need them.

The collector stores a visit's country as the ISO 3166-1 alpha-2 code its IP
database returns ('FR'). The country table shows a name ('France') and
Plotly's world map places countries by alpha-3 code ('FRA'). Both come from
pycountry, which packages the ISO 3166 tables and follows their updates, so
new or renamed countries arrive with a package upgrade rather than a hand
edit here. Plotly's own "country names" matching was not used: it matches
names, not codes, so it would still need this table, and its matching rules
are plotly.js internals that have changed between versions.
"""
from functools import lru_cache

import pycountry

# Codes the Regional Internet Registries hand out that ISO 3166-1 does not list.
_NOT_ISO = {"XK": "Kosovo", "EU": "European Union (no single country)",
            "AP": "Asia-Pacific (no single country)"}


@lru_cache(maxsize=512)
def _lookup(code):
    return pycountry.countries.get(alpha_2=code) if len(code) == 2 else None


def country_name(code):
    """'FR' -> 'France'; the common name where ISO's is formal ('KR' -> 'South Korea');
    an unknown code is shown as it is."""
    code = (code or "").upper()
    found = _lookup(code)
    if found is not None:
        return getattr(found, "common_name", None) or found.name
    return _NOT_ISO.get(code, code)


def alpha3(code):
    """'FR' -> 'FRA', or None when the code has no ISO alpha-3 (the map cannot place it)."""
    found = _lookup((code or "").upper())
    return found.alpha_3 if found is not None else None
